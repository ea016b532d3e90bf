"""The orchestrator's probes: ``/health/`` (the process answers) and ``/ready/`` (the
database, the cache and the broker answer), as docker compose's health checks call them."""

import json

import pytest
from django.db import OperationalError, connection
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

READY = reverse("portal:ready")
#: Tasks go to a broker (as in production) that is the in-memory transport: it answers.
WITH_BROKER = {"CELERY_TASK_ALWAYS_EAGER": False, "CELERY_BROKER_URL": "memory://"}
#: Nothing listens on port 1: connections are refused at once.
CLOSED = "redis://127.0.0.1:1/0"


def body(response) -> dict:
    return json.loads(response.content)


def assert_not_cached_and_nothing_written(response):
    assert "no-store" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]
    assert not response.cookies, "a probe got a session or CSRF cookie"


@override_settings(**WITH_BROKER)
def test_ready_answers_200_when_the_database_cache_and_broker_answer(client):
    response = client.get(READY)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert body(response) == {
        "status": "ready",
        "failed": [],
        "checks": {"database": "ok", "cache": "ok", "broker": "ok"},
    }
    assert_not_cached_and_nothing_written(response)


def test_without_a_broker_tasks_run_in_process_and_ready_does_not_ask_for_one(client, settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER
    response = client.get(READY)
    assert response.status_code == 200
    assert body(response)["checks"]["broker"] == "not used"


@override_settings(**WITH_BROKER)
def test_a_database_that_fails_makes_ready_503_naming_it_and_nothing_else(client, monkeypatch):
    def refuse():
        raise OperationalError('connection to server at "db.internal" (10.0.0.7) failed')

    with monkeypatch.context() as patched:
        patched.setattr(connection, "cursor", refuse)
        response = client.get(READY)
    assert response.status_code == 503
    assert body(response) == {
        "status": "unavailable",
        "failed": ["database"],
        "checks": {"database": "failed", "cache": "ok", "broker": "ok"},
    }
    assert b"db.internal" not in response.content and b"10.0.0.7" not in response.content
    assert_not_cached_and_nothing_written(response)


@override_settings(
    **WITH_BROKER,
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CLOSED,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    },
)
def test_a_cache_that_does_not_answer_makes_ready_503_naming_it(client):
    response = client.get(READY)
    assert response.status_code == 503
    assert body(response)["failed"] == ["cache"]
    assert body(response)["checks"] == {"database": "ok", "cache": "failed", "broker": "ok"}


@override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=CLOSED)
def test_a_broker_that_does_not_answer_makes_ready_503_naming_it_without_its_address(client):
    response = client.get(READY)
    assert response.status_code == 503
    assert body(response)["failed"] == ["broker"]
    assert body(response)["checks"] == {"database": "ok", "cache": "ok", "broker": "failed"}
    assert b"127.0.0.1" not in response.content and b"redis" not in response.content


def test_the_probes_answer_reads_only(client):
    for url in (READY, reverse("portal:health")):
        assert client.post(url).status_code == 405
        assert client.head(url).status_code == 200


@override_settings(SECURE_SSL_REDIRECT=True, ALLOWED_HOSTS=["gdpa.example.org"], **WITH_BROKER)
def test_with_https_redirects_on_the_probes_still_answer_plain_http_for_an_allowed_host(client):
    """As compose's health check calls them: plain HTTP inside the stack, the Host header
    being the first of ALLOWED_HOSTS. Other pages are redirected to HTTPS."""
    host = {"HTTP_HOST": "gdpa.example.org"}
    assert client.get(READY, **host).status_code == 200
    assert client.get(reverse("portal:health"), **host).status_code == 200
    assert client.get(reverse("portal:home"), **host).status_code == 301
    # Not an allowed host: refused, which is why the check does not send "localhost".
    assert client.get(READY, HTTP_HOST="localhost").status_code == 400

"""The portal when a service it depends on is away: Redis (the cache) or PostgreSQL.

No service is stopped here: Redis is a closed local port (redis-py raises exactly what it
raises when Redis is down) and the database failure is raised where the session is read.
bench/faults.py stops the real services; tests/integration/test_faults.py does it in CI.
"""

import logging
import os
import socket

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.db import OperationalError
from django.test import override_settings
from django.urls import reverse

from gdpa import cache as resilient
from gdpa.cache import DIRECT, shared_cache
from gdpa.http.unavailable import RETRY_AFTER
from tests import factories
from tests.gdpa.test_authentication import LOGIN_PAUSED, fail_sign_ins, sign_in, signed_in_user


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_down():
    with override_settings(CACHES=shared_cache(f"redis://127.0.0.1:{closed_port()}/0")):
        yield


def test_the_cache_answers_from_memory_while_redis_is_down(redis_down, caplog):
    with caplog.at_level(logging.WARNING, logger="gdpa.cache"):
        assert cache.get("missing", "default") == "default"
        assert cache.add("counter", 1, 60)
        assert not cache.add("counter", 1, 60)
        assert cache.incr("counter") == 2
        cache.set_many({"a": 1, "b": 2}, 60)
        assert cache.get_many(["a", "b"]) == {"a": 1, "b": 2}
    # Said once for the outage, not once per call.
    assert [r.getMessage() for r in caplog.records].count(
        "Redis cache unreachable (ConnectionError); answering from process memory and "
        f"trying again every {resilient.RETRY_AFTER:.0f} s."
    ) == 1


def test_pages_and_sign_in_work_while_redis_is_down(redis_down, client, member):
    response = sign_in(client, member.email)
    assert response.status_code == 302
    assert client.get(reverse("portal:dashboard")).status_code == 200


def test_the_lockout_still_holds_while_redis_is_down(redis_down, client, db):
    """Rate limits fail safe: counted in the web process's memory, not switched off."""
    user = factories.make_user()
    fail_sign_ins(client, user.email, 5)
    assert LOGIN_PAUSED in sign_in(client, user.email).content.decode()
    assert not signed_in_user(client).is_authenticated


@pytest.fixture
def database_away(monkeypatch):
    def load(self):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    monkeypatch.setattr(SessionStore, "load", load)


def test_a_page_while_the_database_is_away_is_a_503_to_retry(client, member, database_away):
    client.cookies["sessionid"] = "a-session-the-database-cannot-read"
    client.raise_request_exception = False
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER)
    page = response.content.decode()
    assert "The portal is unavailable for a moment" in page
    assert "try again in a minute" in page


def test_other_errors_stay_a_500(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("gdpa.portal.views.HttpResponse", broken)
    client.raise_request_exception = False
    response = client.get(reverse("portal:health"))
    assert response.status_code == 500
    assert "Retry-After" not in response


def test_ready_names_the_cache_while_redis_is_down_though_pages_still_answer(
    redis_down, client, member
):
    client.force_login(member)
    assert client.get(reverse("portal:dashboard")).status_code == 200
    response = client.get(reverse("portal:ready"))
    assert response.status_code == 503
    assert "cache" in response.json()["failed"]


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (CI sets REDIS_URL)")
def test_the_cache_stores_in_redis_itself_call_after_call():
    """Against a live Redis: what the portal's cache stores, Redis holds (read through the
    alias without the stand-in), over many calls on the kept clients."""
    with override_settings(CACHES=shared_cache(os.environ["REDIS_URL"])):
        from django.core.cache import caches

        shared, direct = caches["default"], caches[DIRECT]
        try:
            for n in range(50):
                shared.set(f"gdpa:test:{n}", n, 30)
            assert shared.get_many([f"gdpa:test:{n}" for n in range(50)])["gdpa:test:49"] == 49
            assert direct.get("gdpa:test:7") == 7
            assert shared.add("gdpa:test:counter", 1, 30) and shared.incr("gdpa:test:counter") == 2
            assert direct.get("gdpa:test:counter") == 2
        finally:
            shared.delete_many([f"gdpa:test:{n}" for n in range(50)] + ["gdpa:test:counter"])


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (CI sets REDIS_URL)")
def test_counters_advance_in_one_round_trip_in_redis(monkeypatch):
    """Kept pages' counters (gdpa/http/kept_pages.py): through the portal's cache, a counter
    starts from the time and moves by one per advance, in Redis itself."""
    with override_settings(CACHES=shared_cache(os.environ["REDIS_URL"])):
        from django.core.cache import caches

        def one_at_a_time(*args):
            raise AssertionError("advanced key by key instead of in one pipeline")

        monkeypatch.setattr(resilient, "_advance_each", one_at_a_time)
        try:
            resilient.advance_counters(["gdpa:test:a", "gdpa:test:b"])
            first = caches[DIRECT].get("gdpa:test:a")
            resilient.advance_counters(["gdpa:test:a"])
            assert caches[DIRECT].get("gdpa:test:a") == first + 1
            assert first > 1_700_000_000 * 10**9  # started from the time in nanoseconds
            assert caches[DIRECT].get("gdpa:test:b") is not None
        finally:
            caches[DIRECT].delete_many(["gdpa:test:a", "gdpa:test:b"])

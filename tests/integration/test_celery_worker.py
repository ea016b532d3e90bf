"""A real Celery worker on Redis sends an invitation e-mail queued by the portal."""

import os
import re
import time

import pytest
from django.db import connection

from alliance import services
from bench.common import django_env
from bench.harness import Worker
from gdpa.notify.models import OutboundEmail

REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not REDIS_URL and os.environ.get("GDPA_REQUIRE_SERVICES") != "1",
        reason="needs REDIS_URL (a real Redis broker)",
    ),
]


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path, settings):
    """Start `celery worker` against the test database, writing e-mails to a folder."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:"):
        pytest.skip("the worker cannot share an in-memory SQLite database; use PostgreSQL")
    outbox = tmp_path / "mail"
    env = {
        **os.environ,
        **django_env(
            _database_url(),
            REDIS_URL=REDIS_URL,
            EMAIL_URL=f"filemail:///{outbox}",  # four slashes: an absolute path
        ),
    }
    worker = Worker("mail", env, tmp_path, queues="default", pool="solo", heartbeat=False)
    try:
        yield outbox
    finally:
        worker.stop()


def test_invitation_email_is_sent_by_a_real_worker(worker, diaspora_org, leader, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from gdpa.celery import app

    app.conf.task_always_eager = False
    app.conf.broker_url = REDIS_URL
    try:
        services.invitation_create(
            actor=leader, organization=diaspora_org, email="invitee@example.org", role="member"
        )
        email = OutboundEmail.objects.get(to_email="invitee@example.org")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            email.refresh_from_db()
            if email.status == OutboundEmail.Status.SENT:
                break
            time.sleep(0.5)
    finally:
        app.conf.task_always_eager = True
    assert email.status == OutboundEmail.Status.SENT, email.last_error
    files = list(worker.glob("*.log"))
    assert len(files) == 1
    body = files[0].read_text()
    assert "invitee@example.org" in body
    assert re.search(r"/alliance/invitations/[^/\s]+/", body)
    assert settings.SITE_URL in body

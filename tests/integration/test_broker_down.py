"""A real broker that refuses connections: the staff's invite is saved and logged, not a 500.

No service is needed: the broker address is a closed local port, so kombu raises exactly
what it raises when Redis is down or restarting.
"""

import contextlib
import logging
import socket

import pytest
from django.urls import reverse

from alliance.models import Participant
from gdpa.notify.models import OutboundEmail

pytestmark = pytest.mark.django_db(transaction=True)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def broker_down():
    from gdpa.celery import app

    saved = (app.conf.broker_url, app.conf.task_always_eager)
    # Connections and producers are pooled per broker address: set the real pools aside
    # (untouched, for the tests that follow) and close only those made for the dead broker.
    pools = (app._pool, app.amqp._producer_pool)
    app._pool = app.amqp._producer_pool = None
    app.conf.broker_url = f"redis://127.0.0.1:{closed_port()}/0"
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool, app.amqp._producer_pool = pools
        app.conf.broker_url, app.conf.task_always_eager = saved


def test_a_staff_invite_while_the_broker_is_down_is_saved_and_logged(
    signed_in, staff, scheduled, focal_point, caplog
):
    client = signed_in(staff)
    with broker_down(), caplog.at_level(logging.WARNING, logger="gdpa.notify.dispatch"):
        response = client.post(
            reverse("alliance:session_invite", args=[scheduled.pk]),
            {"emails": focal_point.email},
        )
    assert response.status_code == 302
    assert Participant.objects.filter(session=scheduled, invitation_sent_at=None).count() == 1
    assert not OutboundEmail.objects.exists()
    [record] = [r for r in caplog.records if r.name == "gdpa.notify.dispatch"]
    assert "OperationalError" in record.getMessage()

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from gdpa.notify import services
from gdpa.notify.models import OutboundEmail
from gdpa.notify.tasks import send_email

pytestmark = pytest.mark.django_db


def queue(**extra):
    return services.email_queue(
        to="someone@example.org",
        kind="test",
        language="en",
        subject="Hello",
        body_text="Body",
        **extra,
    )


def test_an_email_is_sent_once_when_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue(body_html="<p>Body</p>")
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT and email.sent_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].alternatives[0][1] == "text/html"


def test_nothing_is_sent_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queue()
    # The callbacks only run on commit; a rollback discards them with the row.
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_a_duplicated_task_message_does_not_send_twice(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue()
    send_email.delay(email.pk)
    send_email.delay(email.pk)
    assert len(mail.outbox) == 1


def test_a_mail_server_failure_is_retried_then_marked_failed():
    email = queue()
    with mock.patch(
        "django.core.mail.EmailMultiAlternatives.send", side_effect=ConnectionError("refused")
    ):
        for _ in range(services.MAX_ATTEMPTS):
            services.email_deliver(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert email.attempts == services.MAX_ATTEMPTS
    assert "refused" in email.last_error
    assert mail.outbox == []


def test_a_worker_killed_mid_send_is_reported_not_resent():
    email = queue()
    assert services._claim(email.pk) is not None  # the worker dies after claiming
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        services.emails_sweep()
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert "not resent" in email.last_error.lower()
    assert mail.outbox == []


def test_a_lost_task_message_is_found_again_by_the_sweeper():
    email = queue()  # queued outside on_commit capture: its task never ran
    assert mail.outbox == []
    with time_machine.travel(timezone.now() + timedelta(minutes=30)):
        assert services.emails_sweep() == 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1

import logging
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from gdpa.notify import delivery, services
from gdpa.notify.models import OutboundEmail
from gdpa.notify.tasks import send_email
from tests import factories

pytestmark = pytest.mark.django_db


def queue(**extra):
    return factories.make_queued_email(**{"enqueue": True, **extra})


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
            delivery.email_deliver(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert email.attempts == services.MAX_ATTEMPTS
    assert "refused" in email.last_error
    assert mail.outbox == []


def test_a_worker_killed_mid_send_is_reported_not_resent():
    email = queue()
    assert delivery._claim(email) is not None  # the worker dies after claiming
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        delivery.emails_sweep()
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert "not resent" in email.last_error.lower()
    assert mail.outbox == []


def test_a_lost_task_message_is_found_again_by_the_sweeper():
    email = queue()  # queued outside on_commit capture: its task never ran
    assert mail.outbox == []
    with time_machine.travel(timezone.now() + timedelta(minutes=30)):
        assert delivery.emails_sweep() == 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1


# --- Retention: bodies hold live links and are kept only while they may be sent --------

LINK = "https://portal.example.org/accounts/password/reset/key/SECRET-TOKEN-123/"


def queue_with_link(**extra):
    return services.email_queue(
        to="someone@example.org",
        kind="password_reset_key",
        language="fr",
        subject="Reset your password",
        body_text=f"Follow {LINK}",
        body_html=f'<a href="{LINK}">Reset</a>',
        attachment=("session.ics", f"URL:{LINK}", "text/calendar"),
        **extra,
    )


def bodies(email):
    email.refresh_from_db()
    return (email.body_text, email.body_html, email.attachment_content)


def test_a_sent_email_loses_its_bodies_and_keeps_the_facts(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_with_link()
    assert LINK in mail.outbox[0].body  # the recipient got the link
    assert bodies(email) == ("", "", "")
    assert email.bodies_cleared_at == email.sent_at
    assert (email.to_email, email.kind, email.subject, email.language) == (
        "someone@example.org",
        "password_reset_key",
        "Reset your password",
        "fr",
    )
    assert email.status == OutboundEmail.Status.SENT and email.attempts == 1
    assert email.attachment_name == "session.ics"
    assert not email.can_resend


def fail_for_good(email):
    with mock.patch(
        "django.core.mail.EmailMultiAlternatives.send",
        side_effect=ConnectionError(f"refused while sending {LINK}"),
    ):
        for _ in range(services.MAX_ATTEMPTS):
            delivery.email_deliver(email_id=email.pk)


def test_a_failed_email_keeps_its_bodies_for_the_retention_period_then_loses_them(settings):
    settings.EMAIL_FAILED_BODY_RETENTION_DAYS = 7
    email = queue_with_link()
    fail_for_good(email)
    assert LINK in bodies(email)[0]
    assert email.can_resend
    with time_machine.travel(timezone.now() + timedelta(days=6)):
        delivery.emails_sweep()
    assert LINK in bodies(email)[0]
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        delivery.emails_sweep()
    assert bodies(email) == ("", "", "")
    assert email.status == OutboundEmail.Status.FAILED and email.bodies_cleared_at is not None
    assert email.subject == "Reset your password" and "refused" in email.last_error
    assert not email.can_resend


def test_a_delivery_unknown_email_keeps_its_bodies_so_staff_can_resend_it():
    email = queue_with_link()
    delivery._claim(email)
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        delivery.emails_sweep()
    email.refresh_from_db()
    assert email.delivery_unknown and email.can_resend
    assert LINK in email.body_text


def test_the_admin_is_read_only_and_never_shows_the_bodies(rf, staff):
    from django.contrib import admin

    model_admin = admin.site._registry[OutboundEmail]
    request = rf.get("/admin/notify/outboundemail/")
    request.user = staff
    email = queue_with_link()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, email)
    assert not model_admin.has_delete_permission(request, email)
    shown = set(model_admin.get_fields(request, email)) | set(model_admin.list_display)
    assert not shown & {"body_text", "body_html", "attachment_content"}
    assert set(model_admin.get_readonly_fields(request, email)) >= set(
        model_admin.get_fields(request, email)
    )


def test_the_admin_page_of_an_email_shows_no_link(rf, django_user_model):
    from django.contrib import admin

    root = django_user_model.objects.create_superuser(email="root@example.org", password="x")
    email = queue_with_link()
    request = rf.get(f"/admin/notify/outboundemail/{email.pk}/change/")
    request.user = root
    request.session = {}
    page = admin.site._registry[OutboundEmail].change_view(request, str(email.pk))
    page.render()
    assert page.status_code == 200
    assert "someone@example.org" in page.content.decode()
    assert "SECRET-TOKEN" not in page.content.decode()


def test_no_log_line_carries_a_body_or_a_link(caplog, django_capture_on_commit_callbacks):
    with caplog.at_level(logging.DEBUG):
        email = queue_with_link()
        fail_for_good(email)
        with time_machine.travel(timezone.now() + timedelta(minutes=30)):
            delivery.emails_sweep()
    assert caplog.records  # the failures were logged ...
    for record in caplog.records:  # ... without what the message said
        assert "SECRET-TOKEN" not in record.getMessage()


# --- A publish the broker refuses is logged, never raised ------------------------------


def test_a_refused_publish_after_commit_is_logged_and_the_sweep_sends_it(
    caplog, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    with (
        mock.patch.object(send_email, "delay", side_effect=OperationalError("refused")),
        caplog.at_level(logging.WARNING, logger="gdpa.notify.dispatch"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        email = queue_with_link()
    assert [r.name for r in caplog.records] == ["gdpa.notify.dispatch"]
    assert "send_email" in caplog.records[0].getMessage()
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.QUEUED
    with time_machine.travel(timezone.now() + timedelta(minutes=30)):
        assert delivery.emails_sweep() == 1
        assert delivery.emails_sweep() == 0
    assert len(mail.outbox) == 1


def test_a_batch_stops_publishing_at_the_first_refusal(caplog):
    from kombu.exceptions import OperationalError

    from gdpa.notify.dispatch import publish_each

    with mock.patch.object(send_email, "delay", side_effect=OperationalError("refused")) as delay:
        assert publish_each(send_email, [(1,), (2,), (3,)]) == 0
    assert delay.call_count == 1
    assert "2 more messages" in caplog.text


# --- Staff resend a failed ("delivery unknown") message after a warning -------------


def delivery_unknown():
    email = queue_with_link()
    delivery._claim(email)
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        delivery.emails_sweep()
    email.refresh_from_db()
    return email


RESEND = "/staff/emails/resend/"


def test_staff_resend_a_delivery_unknown_email_after_confirming(
    signed_in, staff, django_capture_on_commit_callbacks
):
    from gdpa.audit.models import AuditEntry

    email = delivery_unknown()
    client = signed_in(staff)
    outbox = client.get(reverse("notify:outbox"), {"status": "failed"}).content.decode()
    assert f"{RESEND}?email={email.pk}" in outbox
    page = client.get(RESEND, {"email": email.pk})
    assert page.status_code == 200
    assert "may receive it twice" in page.content.decode()
    assert 'type="checkbox"' in page.content.decode()

    refused = client.post(RESEND, {"email": email.pk})  # the box is not ticked
    assert refused.status_code == 422
    assert "Tick the box" in refused.content.decode()
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED and mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(RESEND, {"email": email.pk, "confirm": "on"})
    assert done.status_code == 302 and done["Location"] == reverse("notify:outbox")
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1 and LINK in mail.outbox[0].body
    assert email.body_text == ""
    entry = AuditEntry.objects.get(action="email.resend")
    assert entry.actor == staff and entry.target_id == str(email.pk)
    assert entry.before["last_error"] == services.DELIVERY_UNKNOWN

    # Sent now: a second resend is refused with a message and changes nothing.
    again = client.post(RESEND, {"email": email.pk, "confirm": "on"}, follow=True)
    assert "can no longer be resent" in again.content.decode()
    assert len(mail.outbox) == 1


def test_a_resend_of_an_unknown_or_missing_email_changes_nothing(signed_in, staff):
    client = signed_in(staff)
    assert client.post(RESEND, {"email": 999999, "confirm": "on"}).status_code == 404
    response = client.post(RESEND, {"confirm": "on"})
    assert response.status_code == 302 and response["Location"] == reverse("notify:outbox")


def test_the_resend_service_refuses_a_queued_email(staff):
    email = queue_with_link()
    with pytest.raises(ValidationError):
        services.email_resend(actor=staff, email_id=email.pk)


def test_people_who_are_not_staff_cannot_resend(signed_in, member):
    email = delivery_unknown()
    response = signed_in(member).post(RESEND, {"email": email.pk, "confirm": "on"})
    assert response.status_code == 404
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED


def test_workers_reconnect_to_a_restarted_broker_forever():
    from gdpa.celery import app

    conf = app.conf
    assert conf.broker_connection_retry_on_startup is True
    assert conf.broker_connection_max_retries is None  # never give up and exit
    options = conf.broker_transport_options
    assert options["socket_timeout"] and options["socket_connect_timeout"]
    assert options["health_check_interval"] > 0
    assert options["visibility_timeout"] > conf.task_time_limit
    # A web request gives up on a broker that is down quickly (the sweep takes over).
    policy = conf.task_publish_retry_policy
    assert policy["max_retries"] * policy["interval_max"] <= 3

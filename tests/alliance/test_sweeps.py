"""The broker is not the source of truth: a lost publish is logged, and the sweep finds the work."""

import datetime
import logging
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from alliance import services, tasks
from alliance.models import AllianceSession, Participant
from alliance.services.sweeps import GRACE, session_mail_sweep
from gdpa.notify.models import OutboundEmail
from tests import factories
from tests.concurrency import all_at_once

pytestmark = pytest.mark.django_db

LATER = GRACE + datetime.timedelta(minutes=1)


def broker_down(task):
    return mock.patch.object(task, "delay", side_effect=OperationalError("Connection refused"))


def sweep(captured, *, at=None):
    with time_machine.travel(at or timezone.now() + LATER), captured(execute=True):
        return session_mail_sweep()


def test_a_lost_publish_during_a_staff_invite_is_logged_and_swept_once(
    signed_in, staff, scheduled, django_capture_on_commit_callbacks, caplog
):
    people = [factories.make_user() for _ in range(3)]
    client = signed_in(staff)
    with (
        broker_down(tasks.send_session_invitations),
        caplog.at_level(logging.WARNING, logger="gdpa.notify.dispatch"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse("alliance:session_invite", args=[scheduled.pk]),
            {"emails": "\n".join(p.email for p in people)},
        )
    assert response.status_code == 302  # saved, not an error page
    assert response["Location"] == reverse("alliance:session", args=[scheduled.pk])
    assert Participant.objects.filter(session=scheduled, invitation_sent_at=None).count() == 3
    assert not OutboundEmail.objects.exists()
    record = next(r for r in caplog.records if r.name == "gdpa.notify.dispatch")
    assert "send_session_invitations" in record.getMessage()

    # Too early: the message might still be on its way.
    assert (
        sweep(django_capture_on_commit_callbacks, at=timezone.now())[
            tasks.send_session_invitations.name
        ]
        == 0
    )
    assert not OutboundEmail.objects.exists()

    driven = sweep(django_capture_on_commit_callbacks)
    assert driven[tasks.send_session_invitations.name] == 1
    invitations = OutboundEmail.objects.filter(kind="session_invitation")
    assert invitations.count() == 3
    assert sorted(invitations.values_list("to_email", flat=True)) == sorted(p.email for p in people)
    assert len(mail.outbox) == 3
    assert not Participant.objects.filter(invitation_sent_at=None).exists()

    # Once: running the sweep again (and a late duplicate task) sends nothing more.
    assert sweep(django_capture_on_commit_callbacks) == dict.fromkeys(driven, 0)
    tasks.send_session_invitations.delay(scheduled.pk)
    assert invitations.count() == 3
    assert len(mail.outbox) == 3
    # An invitation brings the person up to date: no change notice is owed to them.
    assert not OutboundEmail.objects.exclude(kind="session_invitation").exists()


def test_a_lost_change_notice_is_sent_by_the_sweep_once(
    staff, scheduled, focal_point, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.session_invite(actor=staff, session=scheduled, emails=[focal_point.email])
    start = scheduled.starts_at + datetime.timedelta(days=1)
    with broker_down(tasks.notify_session_change), django_capture_on_commit_callbacks(execute=True):
        services.session_update(
            actor=staff,
            session=scheduled,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
        )
    assert not OutboundEmail.objects.filter(kind="session_changed").exists()
    sweep(django_capture_on_commit_callbacks)
    sweep(django_capture_on_commit_callbacks)
    assert OutboundEmail.objects.filter(kind="session_changed").count() == 1


def test_a_lost_cancellation_notice_is_sent_by_the_sweep_once(
    staff, scheduled, focal_point, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.session_invite(actor=staff, session=scheduled, emails=[focal_point.email])
    with broker_down(tasks.notify_session_change), django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(actor=staff, session=scheduled)
    sweep(django_capture_on_commit_callbacks)
    sweep(django_capture_on_commit_callbacks)
    assert OutboundEmail.objects.filter(kind="session_cancelled").count() == 1


def test_a_lost_summary_is_sent_by_the_sweep_once(
    staff, make_session, focal_point, django_capture_on_commit_callbacks
):
    session = make_session()
    with django_capture_on_commit_callbacks(execute=True):
        services.session_invite(actor=staff, session=session, emails=[focal_point.email])
    person = Participant.objects.get(session=session)
    services.rsvp_set(participant=person, answer=Participant.Rsvp.ACCEPTED)
    AllianceSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=3),
        ends_at=timezone.now() - datetime.timedelta(hours=1),
    )
    session.refresh_from_db()
    with broker_down(tasks.send_session_summary), django_capture_on_commit_callbacks(execute=True):
        services.session_summary_publish(actor=staff, session=session, summary="Minutes")
    assert not OutboundEmail.objects.filter(kind="session_summary").exists()
    sweep(django_capture_on_commit_callbacks)
    sweep(django_capture_on_commit_callbacks)
    assert OutboundEmail.objects.filter(kind="session_summary").count() == 1


def test_the_sweep_leaves_settled_sessions_alone(
    staff, scheduled, focal_point, django_capture_on_commit_callbacks
):
    """Publishing a draft raised the sequence; people invited afterwards owe nothing."""
    draft = AllianceSession.objects.get(pk=scheduled.pk)
    draft.sequence = 4
    draft.save(update_fields=["sequence"])
    with django_capture_on_commit_callbacks(execute=True):
        services.session_invite(actor=staff, session=draft, emails=[focal_point.email])
    with mock.patch.object(tasks.notify_session_change, "delay") as delay:
        driven = sweep(django_capture_on_commit_callbacks)
    assert driven == dict.fromkeys(driven, 0)
    delay.assert_not_called()
    assert OutboundEmail.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_sweep_and_the_task_running_together_invite_each_person_once(staff, make_session):
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED is a PostgreSQL matter; CI runs this on PostgreSQL")
    session = make_session()
    people = [factories.make_user() for _ in range(450)]
    with broker_down(tasks.send_session_invitations):
        services.session_invite(actor=staff, session=session, emails=[p.email for p in people])
    later = timezone.now() + LATER
    with time_machine.travel(later):
        all_at_once(
            session_mail_sweep,
            session_mail_sweep,
            lambda: services.session_invitations_send(session_id=session.pk),
        )
    sent = OutboundEmail.objects.filter(kind="session_invitation")
    assert sent.count() == 450
    assert sent.values("to_email").distinct().count() == 450
    assert not Participant.objects.filter(invitation_sent_at=None).exists()

"""Training reminders: before each meeting to enrolled learners, and before enrollment
closes to people who asked; each sent once (issue 8, reminders)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.urls import reverse

from gdpa.notify.models import OutboundEmail
from tests.concurrency import all_at_once
from tests.trainings.conftest import meeting_time
from trainings import meetings, reminders, services
from trainings.models import Enrollment, TrainingProgramme, TrainingReminder
from trainings.tasks import send_training_reminders

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
DAY, HOUR = datetime.timedelta(hours=24), datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)


def sweep(when, capture):
    with time_machine.travel(when), capture(execute=True):
        return reminders.reminders_dispatch()


def delivered_to(person):
    return [m for m in mail.outbox if m.to == [person.email]]


def sent(kind):
    return OutboundEmail.objects.filter(kind=f"training_{kind}")


def test_enrolled_learners_get_each_meeting_reminder_once_in_their_language_and_zone(
    make_offering, make_meeting, enroll_officials, django_capture_on_commit_callbacks
):
    offering = make_offering(capacity=2)
    meeting = make_meeting(offering, day=1, title="Mapping the diaspora")
    enrolled = enroll_officials(offering, 2, preferred_language="fr", time_zone="Europe/Paris")
    (waiting,) = enroll_officials(offering, 1)
    assert Enrollment.objects.get(user=waiting).status == Enrollment.Status.WAITLISTED
    assert sweep(meeting.starts_at - DAY - MINUTE, django_capture_on_commit_callbacks) == 0
    sweep(meeting.starts_at - DAY + MINUTE, django_capture_on_commit_callbacks)
    sweep(meeting.starts_at - DAY + 2 * MINUTE, django_capture_on_commit_callbacks)
    day_before = sent("meeting_24h")
    assert sorted(day_before.values_list("to_email", flat=True)) == sorted(
        p.email for p in enrolled
    )
    assert {e.language for e in day_before} == {"fr"}
    sweep(meeting.starts_at - HOUR + MINUTE, django_capture_on_commit_callbacks)
    sweep(meeting.starts_at - HOUR + 2 * MINUTE, django_capture_on_commit_callbacks)
    assert sent("meeting_1h").count() == 2
    assert sent("meeting_24h").count() == 2
    assert not OutboundEmail.objects.filter(to_email=waiting.email).exists()
    message = delivered_to(enrolled[0])[-1]
    in_paris = meeting.starts_at.astimezone(ZoneInfo("Europe/Paris"))
    assert in_paris.strftime("%H:%M") in message.body
    assert "(Europe/Paris)" in message.body and "(Pacific/Fiji)" in message.body
    assert offering.join_url in message.body  # an online training


def test_the_join_link_is_left_out_for_an_in_person_training(
    make_programme,
    make_offering,
    make_meeting,
    enroll_officials,
    django_capture_on_commit_callbacks,
):
    programme = make_programme(mode=TrainingProgramme.Mode.IN_PERSON)
    offering = make_offering(programme=programme, venue="IOM Suva office")
    meeting = make_meeting(offering)
    enroll_officials(offering, 1)
    sweep(meeting.starts_at - HOUR + MINUTE, django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert "IOM Suva office" in message.body
    assert offering.join_url not in message.body
    assert offering.join_url not in message.alternatives[0][0]


def test_a_moved_meeting_does_not_get_the_old_reminder(
    staff, make_offering, make_meeting, enroll_officials, django_capture_on_commit_callbacks
):
    offering = make_offering()
    meeting = make_meeting(offering, day=1, hour=9)
    enroll_officials(offering, 1)
    old_due = meeting.starts_at - DAY + MINUTE
    with time_machine.travel(old_due):
        reminders.meeting_reminders_materialise()
    assert TrainingReminder.objects.filter(sequence=0, sent_at__isnull=True).count() == 1
    # Moved two days later: the row written for sequence 0 must not go out.
    new_start = meeting_time(offering, 3, 9)
    moved = meetings.meeting_update(
        actor=staff, meeting=meeting, starts_at=new_start, ends_at=new_start + 2 * HOUR
    )
    assert moved.sequence == 1
    sweep(old_due + MINUTE, django_capture_on_commit_callbacks)
    assert not sent("meeting_24h").exists()
    sweep(new_start - DAY + MINUTE, django_capture_on_commit_callbacks)
    sweep(new_start - DAY + 2 * MINUTE, django_capture_on_commit_callbacks)
    assert sent("meeting_24h").count() == 1
    # The row of the old time was handled without an e-mail; the new one was sent.
    assert not TrainingReminder.objects.filter(sent_at__isnull=True).exists()
    assert TrainingReminder.objects.filter(sequence=1).count() == 1


def test_a_learner_who_withdraws_is_not_reminded(
    make_offering, make_meeting, enroll_officials, django_capture_on_commit_callbacks
):
    offering = make_offering()
    meeting = make_meeting(offering, day=1)
    (learner,) = enroll_officials(offering, 1)
    due = meeting.starts_at - DAY + MINUTE
    with time_machine.travel(due):
        reminders.meeting_reminders_materialise()
    services.enrollment_withdraw(user=learner, enrollment=Enrollment.objects.get(user=learner))
    sweep(due, django_capture_on_commit_callbacks)
    sweep(meeting.starts_at - HOUR + MINUTE, django_capture_on_commit_callbacks)
    assert not OutboundEmail.objects.filter(kind__startswith="training_meeting").exists()
    assert not TrainingReminder.objects.filter(sent_at__isnull=True).exists()


def test_re_enrolling_does_not_repeat_a_reminder(
    make_offering, make_meeting, enroll_officials, django_capture_on_commit_callbacks
):
    offering = make_offering()
    meeting = make_meeting(offering, day=1)
    (learner,) = enroll_officials(offering, 1)
    due = meeting.starts_at - DAY + MINUTE
    sweep(due, django_capture_on_commit_callbacks)
    services.enrollment_withdraw(user=learner, enrollment=Enrollment.objects.get(user=learner))
    Enrollment.objects.create(offering=offering, user=learner, status=Enrollment.Status.ENROLLED)
    sweep(due + MINUTE, django_capture_on_commit_callbacks)
    assert sent("meeting_24h").count() == 1


def test_the_periodic_task_is_scheduled_and_sends(
    make_offering, make_meeting, enroll_officials, django_capture_on_commit_callbacks
):
    tasks = [e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()]
    assert tasks.count("trainings.tasks.send_training_reminders") == 1
    assert send_training_reminders.name == "trainings.tasks.send_training_reminders"
    offering = make_offering()
    meeting = make_meeting(offering)
    enroll_officials(offering, 1)
    with time_machine.travel(meeting.starts_at - HOUR + MINUTE):
        with django_capture_on_commit_callbacks(execute=True):
            assert send_training_reminders() == 1
        with django_capture_on_commit_callbacks(execute=True):
            assert send_training_reminders() == 0
    assert sent("meeting_1h").get().status == OutboundEmail.Status.SENT


# Before enrollment closes ------------------------------------------------------------------


def ask(client, person, offering, remind="on"):
    client.force_login(person)
    return client.post(
        reverse("trainings:window_reminder", args=[offering.pk]), {"remind": remind}, **HTMX
    )


def test_a_person_asks_to_be_reminded_before_enrollment_closes(
    client, focal_point, make_offering, django_capture_on_commit_callbacks
):
    offering = make_offering()
    client.force_login(focal_point)
    page = client.get(reverse("trainings:offering", args=[offering.pk])).content.decode()
    assert "Remind me before enrollment closes" in page
    response = ask(client, focal_point, offering)
    assert response.status_code == 200
    body = response.content.decode()
    assert "We will e-mail you 48 hours before enrollment closes." in body
    assert 'aria-pressed="true"' in body
    closes = offering.enrollment_closes_at
    sweep(
        closes - TrainingReminder.WINDOW_CLOSING_BEFORE - MINUTE, django_capture_on_commit_callbacks
    )
    assert not sent("window_closing").exists()
    sweep(
        closes - TrainingReminder.WINDOW_CLOSING_BEFORE + MINUTE, django_capture_on_commit_callbacks
    )
    sweep(
        closes - TrainingReminder.WINDOW_CLOSING_BEFORE + 2 * MINUTE,
        django_capture_on_commit_callbacks,
    )
    (email,) = sent("window_closing")
    assert email.to_email == focal_point.email
    (message,) = delivered_to(focal_point)
    assert (
        "closes on" in message.body
        and reverse("trainings:offering", args=[offering.pk]) in message.body
    )


def test_the_reminder_is_skipped_when_the_person_enrolled(
    client, focal_point, make_offering, django_capture_on_commit_callbacks
):
    offering = make_offering()
    ask(client, focal_point, offering)
    services.enrollment_create(user=focal_point, offering=offering)
    sweep(offering.enrollment_closes_at - HOUR, django_capture_on_commit_callbacks)
    assert not sent("window_closing").exists()
    assert TrainingReminder.objects.get().sent_at is not None


def test_the_reminder_can_be_undone(
    client, focal_point, make_offering, django_capture_on_commit_callbacks
):
    offering = make_offering()
    ask(client, focal_point, offering)
    response = ask(client, focal_point, offering, remind="off")
    assert response.status_code == 200
    assert "You will not be reminded." in response.content.decode()
    assert not TrainingReminder.objects.exists()
    sweep(offering.enrollment_closes_at - HOUR, django_capture_on_commit_callbacks)
    assert not sent("window_closing").exists()


def test_asking_twice_or_when_enrolled_is_refused(client, focal_point, make_offering):
    offering = make_offering()
    ask(client, focal_point, offering)
    again = ask(client, focal_point, offering)
    assert again.status_code == 422
    assert "You have already asked to be reminded." in again.content.decode()
    assert TrainingReminder.objects.count() == 1
    ask(client, focal_point, offering, remind="off")
    services.enrollment_create(user=focal_point, offering=offering)
    enrolled = ask(client, focal_point, offering)
    assert enrolled.status_code == 422
    assert "already enrolled" in enrolled.content.decode()
    assert not TrainingReminder.objects.exists()


def test_without_javascript_the_reminder_button_redirects_with_a_message(
    client, focal_point, make_offering
):
    offering = make_offering()
    client.force_login(focal_point)
    response = client.post(
        reverse("trainings:window_reminder", args=[offering.pk]), {"remind": "on"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("trainings:offering", args=[offering.pk])
    assert "We will e-mail you 48 hours before enrollment closes." in response.content.decode()
    assert TrainingReminder.objects.filter(user=focal_point).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_send_each_reminder_once(make_offering, make_meeting, enroll_officials):
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED is a PostgreSQL matter; CI runs this on PostgreSQL")
    offering = make_offering(capacity=30)
    meeting = make_meeting(offering)
    enroll_officials(offering, 30)
    with time_machine.travel(meeting.starts_at - HOUR + MINUTE):
        all_at_once(*[reminders.reminders_dispatch] * 3)
    assert sent("meeting_1h").count() == 30
    assert sent("meeting_1h").values("to_email").distinct().count() == 30

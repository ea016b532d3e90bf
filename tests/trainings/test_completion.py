"""Completion: enrolled learners complete when their attendance reaches the offering's
threshold (issue 8, completion rules)."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from trainings import attendance, completion
from trainings.models import Enrollment, MeetingAttendance

pytestmark = pytest.mark.django_db


def mark(staff, meetings, enrollment, attended: int):
    """Record ``enrollment`` present at the first ``attended`` meetings, absent at the rest."""
    for index, meeting in enumerate(meetings):
        with time_machine.travel(meeting.starts_at):
            attendance.attendance_record(
                actor=staff,
                meeting=meeting,
                shown=[enrollment.pk],
                attended=[enrollment.pk] if index < attended else [],
            )
    enrollment.refresh_from_db()
    return enrollment


def enrollment_of(offering, person):
    return Enrollment.objects.get(offering=offering, user=person)


@pytest.mark.parametrize(
    ("threshold", "meetings", "attended", "completes"),
    [
        (80, 5, 4, True),  # exactly at the threshold
        (80, 5, 3, False),  # below it
        (50, 4, 2, True),
        (50, 4, 1, False),
        (100, 3, 3, True),
        (100, 3, 2, False),
    ],
)
def test_completion_follows_the_threshold(
    staff, make_offering, make_meeting, enroll_officials, threshold, meetings, attended, completes
):
    offering = make_offering(capacity=5)
    offering.completion_threshold = threshold
    offering.save(update_fields=["completion_threshold"])
    scheduled = [make_meeting(offering, day=day) for day in range(meetings)]
    (learner,) = enroll_officials(offering, 1)
    enrollment = mark(staff, scheduled, enrollment_of(offering, learner), attended)
    assert (enrollment.completed_at is not None) is completes


def test_an_offering_without_meetings_completes_nobody(staff, make_offering, enroll_officials):
    offering = make_offering(capacity=5)
    learners = enroll_officials(offering, 2)
    assert completion.completion_update(offering=offering) == 0
    assert not Enrollment.objects.filter(user__in=learners, completed_at__isnull=False).exists()
    assert not completion.is_complete(attended=0, meetings=0, threshold=1)


def test_completion_is_cleared_when_no_longer_met(
    staff, make_offering, make_meeting, enroll_officials
):
    offering = make_offering(capacity=5)
    scheduled = [make_meeting(offering, day=day) for day in range(4)]
    (learner,) = enroll_officials(offering, 1)
    enrollment = mark(staff, scheduled, enrollment_of(offering, learner), 4)
    assert enrollment.completed_at is not None
    # A fifth meeting: 4 of 5 is still 80%.
    make_meeting(offering, day=4)
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None
    # Staff untick one: 3 of 5 is below 80%.
    with time_machine.travel(scheduled[0].starts_at):
        attendance.attendance_record(
            actor=staff, meeting=scheduled[0], shown=[enrollment.pk], attended=[]
        )
    enrollment.refresh_from_db()
    assert enrollment.completed_at is None


def test_deleting_a_meeting_recomputes_completion(
    staff, make_offering, make_meeting, enroll_officials
):
    from trainings.meetings import meeting_delete

    offering = make_offering(capacity=5)
    scheduled = [make_meeting(offering, day=day) for day in range(5)]
    (learner,) = enroll_officials(offering, 1)
    enrollment = mark(staff, scheduled[:4], enrollment_of(offering, learner), 3)
    assert enrollment.completed_at is None  # 3 of 5
    meeting_delete(actor=staff, meeting=scheduled[4])
    enrollment.refresh_from_db()
    assert enrollment.completed_at is None  # 3 of 4 is 75%
    meeting_delete(actor=staff, meeting=scheduled[3])
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None  # 3 of 3


def test_a_learner_who_withdrew_does_not_complete(
    staff, make_offering, make_meeting, enroll_officials
):
    from trainings import services

    offering = make_offering(capacity=5)
    meeting = make_meeting(offering)
    (learner,) = enroll_officials(offering, 1)
    enrollment = enrollment_of(offering, learner)
    MeetingAttendance.objects.create(
        meeting=meeting, enrollment=enrollment, method=MeetingAttendance.Method.STAFF
    )
    services.enrollment_withdraw(user=learner, enrollment=enrollment)
    completion.completion_update(offering=offering)
    enrollment.refresh_from_db()
    assert enrollment.completed_at is None


def test_the_learner_sees_their_attendance_and_completion(
    client, staff, make_offering, make_meeting, enroll_officials
):
    offering = make_offering(capacity=5)
    scheduled = [make_meeting(offering, day=day, title=f"Module {day}") for day in range(2)]
    (learner,) = enroll_officials(offering, 1)
    client.force_login(learner)
    url = reverse("trainings:offering", args=[offering.pk])
    page = client.get(url).content.decode()
    assert "You attended 0 of 2 meetings." in page
    assert "Completing the training takes 80% of them." in page
    assert "You completed this training" not in page
    mark(staff, scheduled, enrollment_of(offering, learner), 2)
    page = client.get(url).content.decode()
    assert "You attended 2 of 2 meetings." in page
    assert "You completed this training on" in page
    meetings = page[page.index('id="meetings"') : page.index('id="window-reminder"')]
    assert meetings.count("badge--verified") == 3  # completed, and attended twice


def test_completion_changes_are_audited(staff, make_offering, make_meeting, enroll_officials):
    from gdpa.audit.models import AuditEntry

    offering = make_offering(capacity=5)
    meeting = make_meeting(offering)
    (learner,) = enroll_officials(offering, 1)
    mark(staff, [meeting], enrollment_of(offering, learner), 1)
    entry = AuditEntry.objects.get(action="enrollment.completion")
    assert entry.before == {"completed_at": None}
    assert datetime.datetime.fromisoformat(entry.after["completed_at"])

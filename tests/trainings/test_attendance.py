"""Attendance at training meetings: staff tick learners in bulk, learners check in with
the code shown in the room (issue 8, attendance)."""

import contextlib
import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gdpa.audit.models import AuditEntry
from tests import factories
from trainings import attendance
from trainings.models import Enrollment, MeetingAttendance

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@contextlib.contextmanager
def signed_in_at(client, person, when):
    """Travel to ``when`` (meetings are weeks ahead) and sign in there, so the sign-in
    has not expired."""
    with time_machine.travel(when):
        client.force_login(person)
        yield client


def enrollments(offering, people):
    return [Enrollment.objects.get(offering=offering, user=p) for p in people]


@pytest.fixture
def meeting(make_offering, make_meeting):
    return make_meeting(make_offering(capacity=3), day=1)


@pytest.fixture
def learners(meeting, enroll_officials):
    return enroll_officials(meeting.offering, 3)


def test_staff_save_attendance_in_bulk_with_htmx(client, staff, meeting, learners):
    first, second, third = enrollments(meeting.offering, learners)
    url = reverse("trainings:attendance", args=[meeting.pk])
    with signed_in_at(client, staff, meeting.starts_at + datetime.timedelta(minutes=10)):
        response = client.post(
            url,
            {"shown": [first.pk, second.pk, third.pk], "attended": [first.pk, third.pk]},
            **HTMX,
        )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Attendance saved: 2 learners present on this page." in body
    assert body.lstrip().startswith('<form id="attendance"')  # the region only
    assert set(MeetingAttendance.objects.values_list("enrollment_id", flat=True)) == {
        first.pk,
        third.pk,
    }
    assert set(MeetingAttendance.objects.values_list("method", flat=True)) == {"staff"}
    # Unticking removes; a learner not shown on the page is left alone.
    with signed_in_at(client, staff, meeting.starts_at + datetime.timedelta(minutes=20)):
        client.post(url, {"shown": [first.pk, second.pk], "attended": [second.pk]}, **HTMX)
    assert set(MeetingAttendance.objects.values_list("enrollment_id", flat=True)) == {
        second.pk,
        third.pk,
    }
    assert AuditEntry.objects.filter(action="meeting.attendance").count() == 2


def test_without_javascript_saving_redirects_with_the_message(client, staff, meeting, learners):
    (first, *_rest) = enrollments(meeting.offering, learners)
    url = reverse("trainings:attendance", args=[meeting.pk])
    with signed_in_at(client, staff, meeting.starts_at):
        response = client.post(url, {"shown": [first.pk], "attended": [first.pk]}, follow=True)
    assert response.redirect_chain[-1][0].startswith(url)
    assert "Attendance saved: 1 learner present on this page." in response.content.decode()


def test_attendance_before_the_meeting_is_refused_and_nothing_changes(
    client, staff, meeting, learners
):
    (first, *_rest) = enrollments(meeting.offering, learners)
    with signed_in_at(client, staff, meeting.starts_at - datetime.timedelta(hours=2)):
        response = client.post(
            reverse("trainings:attendance", args=[meeting.pk]),
            {"shown": [first.pk], "attended": [first.pk]},
            **HTMX,
        )
    assert response.status_code == 422
    assert "once the meeting has started" in response.content.decode()
    assert not MeetingAttendance.objects.exists()


def test_only_enrolled_learners_get_attendance(
    client, staff, make_offering, make_meeting, enroll_officials
):
    offering = make_offering(capacity=1)
    meeting = make_meeting(offering)
    enrolled, waiting = enrollments(offering, enroll_officials(offering, 2))
    assert waiting.status == Enrollment.Status.WAITLISTED
    with time_machine.travel(meeting.starts_at):
        attendance.attendance_record(
            actor=staff,
            meeting=meeting,
            shown=[enrolled.pk, waiting.pk],
            attended=[enrolled.pk, waiting.pk],
        )
    assert list(MeetingAttendance.objects.values_list("enrollment_id", flat=True)) == [enrolled.pk]
    client.force_login(staff)
    page = client.get(reverse("trainings:attendance", args=[meeting.pk])).content.decode()
    assert f'value="{enrolled.pk}"' in page and f'value="{waiting.pk}"' not in page


def test_the_staff_page_shows_each_learner_count_and_completion(
    client, staff, make_offering, make_meeting, enroll_officials
):
    offering = make_offering(capacity=2)
    first_meeting = make_meeting(offering, day=0)
    make_meeting(offering, day=1)
    done, not_yet = enrollments(offering, enroll_officials(offering, 2))
    offering.completion_threshold = 50
    offering.save(update_fields=["completion_threshold"])
    with time_machine.travel(first_meeting.starts_at):
        attendance.attendance_record(
            actor=staff, meeting=first_meeting, shown=[done.pk, not_yet.pk], attended=[done.pk]
        )
    client.force_login(staff)
    page = client.get(reverse("trainings:attendance", args=[first_meeting.pk])).content.decode()
    assert page.count("1 of 2") == 1 and page.count("0 of 2") == 1
    assert page.count(">Completed<") == 1 and page.count(">Not yet<") == 1
    assert "By staff" in page


def test_the_attendance_page_runs_a_fixed_number_of_queries(
    client, staff, make_offering, make_meeting, enroll_officials, django_assert_max_num_queries
):
    offering = make_offering(capacity=100)
    meeting = make_meeting(offering)
    make_meeting(offering, day=1)
    client.force_login(staff)
    url = reverse("trainings:attendance", args=[meeting.pk])
    enroll_officials(offering, 2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    people = enroll_officials(offering, 25)
    with time_machine.travel(meeting.starts_at):
        attendance.attendance_record(
            actor=staff,
            meeting=meeting,
            shown=[e.pk for e in enrollments(offering, people)],
            attended=[e.pk for e in enrollments(offering, people[:10])],
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


# Check-in with the code ----------------------------------------------------------------


def open_checkin(client, staff, meeting) -> str:
    client.force_login(staff)
    client.post(reverse("trainings:checkin_open", args=[meeting.pk]))
    meeting.refresh_from_db()
    return meeting.check_in_code


def check_in(client, person, meeting, code, when):
    with signed_in_at(client, person, when):
        return client.post(
            reverse("trainings:checkin", args=[meeting.offering_id]), {"code": code}, **HTMX
        )


def test_staff_open_check_in_and_the_code_shows_large(client, staff, meeting):
    code = open_checkin(client, staff, meeting)
    assert len(code) == 6
    page = client.get(reverse("trainings:attendance", args=[meeting.pk])).content.decode()
    assert f'<span class="stat__value kbd" lang="en">{code}</span>' in page
    client.post(reverse("trainings:checkin_close", args=[meeting.pk]))
    meeting.refresh_from_db()
    assert meeting.check_in_code == ""
    assert AuditEntry.objects.filter(action__startswith="meeting.checkin_").count() == 2


def test_a_learner_checks_in_with_the_right_code(client, staff, meeting, learners):
    code = open_checkin(client, staff, meeting)
    learner = learners[0]
    with signed_in_at(client, learner, meeting.starts_at - datetime.timedelta(minutes=5)):
        page = client.get(reverse("trainings:offering", args=[meeting.offering_id]))
    assert "Check in with the code the trainers show." in page.content.decode()
    response = check_in(client, learner, meeting, code.lower(), meeting.starts_at)
    assert response.status_code == 200
    body = response.content.decode()
    assert "You are checked in. Welcome!" in body
    assert "You attended 1 of 1 meeting." in body
    row = MeetingAttendance.objects.get()
    assert (row.enrollment.user, row.meeting, row.method) == (learner, meeting, "code")
    # Once more: still one row.
    assert check_in(client, learner, meeting, code, meeting.starts_at).status_code == 200
    assert MeetingAttendance.objects.count() == 1


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("wrong", "This is not the code shown in the room."),
        ("closed", "Check-in is closed. Ask the trainers to record your attendance."),
        ("early", "Check-in is open from 30 minutes before a meeting starts until it ends."),
        ("late", "Check-in is open from 30 minutes before a meeting starts until it ends."),
        ("not_enrolled", "Only learners enrolled in this offering can check in."),
    ],
)
def test_check_in_refusals_say_why_and_change_nothing(
    client, staff, meeting, learners, case, message
):
    code = open_checkin(client, staff, meeting)
    person, when, typed = learners[0], meeting.starts_at, code
    if case == "wrong":
        typed = "ZZZZZZ"
    elif case == "closed":
        client.post(reverse("trainings:checkin_close", args=[meeting.pk]))
    elif case == "early":
        when = meeting.starts_at - datetime.timedelta(minutes=31)
    elif case == "late":
        when = meeting.ends_at + datetime.timedelta(minutes=1)
    else:
        person = factories.make_user()
    response = check_in(client, person, meeting, typed, when)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not MeetingAttendance.objects.exists()


def test_a_waitlisted_person_cannot_check_in(
    client, staff, make_offering, make_meeting, enroll_officials
):
    offering = make_offering(capacity=1)
    meeting = make_meeting(offering)
    _enrolled, waiting = enroll_officials(offering, 2)
    code = open_checkin(client, staff, meeting)
    response = check_in(client, waiting, meeting, code, meeting.starts_at)
    assert response.status_code == 422
    assert "Only learners enrolled" in response.content.decode()
    assert not MeetingAttendance.objects.exists()


def test_wrong_codes_are_limited(client, staff, meeting, learners):
    code = open_checkin(client, staff, meeting)
    for _ in range(attendance.CHECKIN_ATTEMPTS):
        check_in(client, learners[0], meeting, "WRONG1", meeting.starts_at)
    response = check_in(client, learners[0], meeting, code, meeting.starts_at)
    assert response.status_code == 422
    assert "Too many wrong codes" in response.content.decode()
    assert not MeetingAttendance.objects.exists()


def test_a_failed_check_in_without_javascript_shows_the_error_next_to_the_field(
    client, staff, meeting, learners
):
    open_checkin(client, staff, meeting)
    with signed_in_at(client, learners[0], meeting.starts_at):
        response = client.post(
            reverse("trainings:checkin", args=[meeting.offering_id]), {"code": "ZZZZZZ"}
        )
    assert response.status_code == 422
    body = response.content.decode()
    assert 'href="#checkin-code"' in body  # the error summary links to the field
    assert "<title>Error: " in body
    assert 'id="checkin-code_error"' in body


def test_check_in_empty_code_is_explained(client, staff, meeting, learners):
    open_checkin(client, staff, meeting)
    response = check_in(client, learners[0], meeting, "", meeting.starts_at)
    assert response.status_code == 422
    assert "Enter the code shown in the room" in response.content.decode()

"""The trainings export dataset: enrollments with attendance, completion and certificates."""

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gdpa.exports import services as export_services
from gdpa.exports.registry import dataset
from trainings.certificates import certificates_issue
from trainings.models import MeetingAttendance

pytestmark = pytest.mark.django_db


def rows_of(query: str = "", *, personal: bool) -> list[dict]:
    ds = dataset("training-enrollments")
    keys = [c.key for c in export_services.columns_for(ds, personal=personal)]
    return [
        dict(zip(keys, row, strict=True))
        for row in export_services.table_rows(ds, QueryDict(query), personal=personal)
    ]


@pytest.fixture
def finished(staff, completed_offering):
    first = completed_offering.learners[0]
    enrollment = first.training_enrollments.get()
    for meeting in completed_offering.meetings.all():
        MeetingAttendance.objects.create(meeting=meeting, enrollment=enrollment, method="staff")
    certificates_issue(actor=staff, offering=completed_offering)
    return completed_offering


def test_enrollment_rows_count_attendance_completion_and_certificates(finished):
    first, second, unfinished = finished.learners
    rows = rows_of(personal=True)
    by_email = {row["email"]: row for row in rows}
    assert by_email[first.email]["attended_meetings"] == 2
    assert by_email[first.email]["completed"] is True
    assert by_email[first.email]["certificate"] is True
    assert by_email[first.email]["name"] == "Amelia Ñuñez-Rokotuivuna"
    assert by_email[unfinished.email]["completed"] is False
    assert by_email[unfinished.email]["certificate"] is False
    assert by_email[unfinished.email]["status"] == "Enrolled"
    assert by_email[second.email]["programme"] == finished.programme.title


def test_without_personal_fields_no_learner_is_named(finished):
    rows = rows_of(personal=False)
    assert len(rows) == 3
    assert all("email" not in row and "name" not in row for row in rows)


def test_enrollment_filters(finished, make_offering):
    assert len(rows_of("completed=yes", personal=False)) == 2
    assert len(rows_of(f"offering={finished.pk}", personal=False)) == 3
    assert rows_of(f"offering={make_offering().pk}", personal=False) == []
    assert dataset("training-enrollments").count(QueryDict("completed=no")) == 1


def test_enrollment_queries_do_not_grow_with_rows(finished, enroll_officials):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            rows_of(personal=True)
        return len(captured)

    few = queries()
    enroll_officials(finished, 2)
    assert queries() == few


def test_staff_download_enrollments_without_names_unless_permitted(client, staff, finished):
    client.force_login(staff)
    url = reverse("exports:start") + f"?dataset=training-enrollments&offering={finished.pk}"
    page = client.get(url).content.decode()
    assert "3 rows" in page
    body = b"".join(client.post(url, {"format": "csv"}).streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0].startswith("Programme,Offering,First day,Enrollment status")
    assert all(person.email not in body for person in finished.learners)
    assert "Ñuñez" not in body

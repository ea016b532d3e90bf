"""Training meetings: staff schedule them in the offering's zone; learners see them in
their own (issue 8, meetings)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from gdpa.audit.models import AuditEntry
from tests import factories
from tests.trainings.conftest import meeting_time
from trainings import meetings
from trainings.models import Offering, TrainingMeeting

pytestmark = pytest.mark.django_db


def wall(offering, day=0, hour=9) -> str:
    return meeting_time(offering, day, hour).strftime("%Y-%m-%dT%H:%M")


def test_staff_add_a_meeting_in_the_offering_zone_and_it_is_stored_in_utc(
    client, staff, make_offering
):
    offering = make_offering(time_zone="Pacific/Fiji")
    client.force_login(staff)
    response = client.post(
        reverse("trainings:meeting_create", args=[offering.pk]),
        {"title": "Opening", "start": wall(offering, 1, 9), "end": wall(offering, 1, 11)},
    )
    assert response.status_code == 302
    meeting = TrainingMeeting.objects.get()
    assert meeting.starts_at == meeting_time(offering, 1, 9)
    assert meeting.starts_at.astimezone(datetime.UTC).hour == 21  # Fiji is UTC+12
    assert meeting.hours == 2
    assert AuditEntry.objects.filter(action="meeting.create").count() == 1
    page = client.get(reverse("trainings:meetings", args=[offering.pk])).content.decode()
    assert "Opening" in page and "(Pacific/Fiji)" in page


def test_the_form_names_the_offering_zone_in_its_hint(client, staff, make_offering):
    offering = make_offering(time_zone="Pacific/Fiji")
    client.force_login(staff)
    page = client.get(reverse("trainings:meeting_create", args=[offering.pk])).content.decode()
    assert "For example 2027-12-25 14:30, in" in page
    assert "(Pacific/Fiji)" in page


def test_a_time_the_clocks_skip_is_refused_and_nothing_is_saved(client, staff, make_offering):
    # In Paris the clocks go from 02:00 to 03:00 on 31 March 2030: 02:30 never happens.
    offering = make_offering(
        time_zone="Europe/Paris",
        starts_on=datetime.date(2030, 3, 30),
        ends_on=datetime.date(2030, 4, 1),
    )
    client.force_login(staff)
    response = client.post(
        reverse("trainings:meeting_create", args=[offering.pk]),
        {"title": "Night shift", "start": "2030-03-31T02:30", "end": "2030-03-31T04:00"},
    )
    assert response.status_code == 422
    assert "This time does not exist in Europe/Paris" in response.content.decode()
    assert not TrainingMeeting.objects.exists()


def test_a_meeting_outside_the_offering_days_is_refused(client, staff, make_offering):
    offering = make_offering()
    client.force_login(staff)
    response = client.post(
        reverse("trainings:meeting_create", args=[offering.pk]),
        {"title": "Too late", "start": wall(offering, 10, 9), "end": wall(offering, 10, 10)},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "must take place between" in body and 'href="#id_start"' in body
    assert not TrainingMeeting.objects.exists()


def test_the_end_before_the_start_is_said_next_to_the_end(client, staff, make_offering):
    offering = make_offering()
    client.force_login(staff)
    response = client.post(
        reverse("trainings:meeting_create", args=[offering.pk]),
        {"title": "Backwards", "start": wall(offering, 1, 11), "end": wall(offering, 1, 9)},
    )
    assert response.status_code == 422
    assert "The end must be after the start." in response.content.decode()
    assert not TrainingMeeting.objects.exists()


def test_an_empty_form_lists_its_problems(client, staff, make_offering):
    offering = make_offering()
    client.force_login(staff)
    response = client.post(reverse("trainings:meeting_create", args=[offering.pk]), {})
    body = response.content.decode()
    assert response.status_code == 422
    assert "Enter the meeting&#x27;s title" in body
    assert "Enter the meeting&#x27;s start time" in body
    assert "This field is required" not in body


def test_changing_the_time_raises_the_sequence_a_new_title_does_not(
    client, staff, make_offering, make_meeting
):
    offering = make_offering()
    meeting = make_meeting(offering, day=1)
    client.force_login(staff)
    url = reverse("trainings:meeting_edit", args=[meeting.pk])
    form = client.get(url).content.decode()
    assert f'value="{wall(offering, 1, 9)}"' in form
    client.post(
        url, {"title": "Renamed", "start": wall(offering, 1, 9), "end": wall(offering, 1, 11)}
    )
    meeting.refresh_from_db()
    assert (meeting.title, meeting.sequence) == ("Renamed", 0)
    client.post(
        url, {"title": "Renamed", "start": wall(offering, 1, 10), "end": wall(offering, 1, 12)}
    )
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    assert meeting.starts_at == meeting_time(offering, 1, 10)
    assert AuditEntry.objects.filter(action="meeting.update").count() == 2


def test_delete_asks_first_then_deletes(client, staff, make_offering, make_meeting):
    offering = make_offering()
    meeting = make_meeting(offering)
    client.force_login(staff)
    url = reverse("trainings:meeting_delete", args=[meeting.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Yes, delete the meeting" in confirm.content.decode()
    assert TrainingMeeting.objects.filter(pk=meeting.pk).exists()
    response = client.post(url)
    assert response.status_code == 302
    assert not TrainingMeeting.objects.filter(pk=meeting.pk).exists()
    assert AuditEntry.objects.filter(action="meeting.delete").count() == 1


def test_a_cancelled_offering_keeps_its_meetings(staff, make_offering, make_meeting):
    from django.core.exceptions import ValidationError

    from trainings import services

    offering = make_offering()
    meeting = make_meeting(offering)
    services.offering_transition(actor=staff, offering=offering, status=Offering.Status.CANCELLED)
    with pytest.raises(ValidationError, match="cancelled offering"):
        meetings.meeting_delete(actor=staff, meeting=meeting)
    assert TrainingMeeting.objects.filter(pk=meeting.pk).exists()


def test_the_offering_page_shows_meetings_in_the_viewer_zone(client, make_offering, make_meeting):
    offering = make_offering(time_zone="Pacific/Fiji")
    meeting = make_meeting(offering, day=1, title="Mapping the diaspora")
    reader = factories.make_user(time_zone="Europe/Paris")
    client.force_login(reader)
    page = client.get(reverse("trainings:offering", args=[offering.pk])).content.decode()
    in_paris = meeting.starts_at.astimezone(ZoneInfo("Europe/Paris"))
    assert "Mapping the diaspora" in page
    assert in_paris.strftime("%H:%M") in page
    assert "Times are in your time zone" in page and "(Europe/Paris)" in page
    assert "(Pacific/Fiji) (the training's time)" in page
    assert "Manage meetings" not in page


def test_staff_find_the_meeting_pages_from_the_offering_and_the_programme(
    client, staff, make_offering, make_meeting
):
    offering = make_offering()
    meeting = make_meeting(offering)
    client.force_login(staff)
    page = client.get(reverse("trainings:offering", args=[offering.pk])).content.decode()
    assert reverse("trainings:meetings", args=[offering.pk]) in page
    assert reverse("trainings:attendance", args=[meeting.pk]) in page
    programme = client.get(
        reverse("trainings:programme_edit", args=[offering.programme_id])
    ).content.decode()
    assert reverse("trainings:meetings", args=[offering.pk]) in programme


def test_the_meeting_list_has_a_fixed_number_of_queries(
    client, staff, make_offering, make_meeting, django_assert_max_num_queries
):
    offering = make_offering(ends_on=timezone.now().date() + datetime.timedelta(days=60))
    client.force_login(staff)
    url = reverse("trainings:meetings", args=[offering.pk])
    for day in range(3):
        make_meeting(offering, day=day)
    with django_assert_max_num_queries(14) as small:
        client.get(url)
    for day in range(3, 20):
        make_meeting(offering, day=day)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_every_action_the_meeting_services_record_has_words():
    import pathlib
    import re

    from gdpa.audit import registry

    root = pathlib.Path(__file__).resolve().parents[2] / "trainings"
    codes = set()
    for name in ("meetings", "attendance", "completion", "reminders"):
        codes |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', (root / f"{name}.py").read_text()))
    assert len(codes) == 10
    assert not {c for c in codes if registry.action(c) is None}


def test_the_offering_page_runs_a_fixed_number_of_queries_as_meetings_grow(
    client, make_offering, make_meeting, enroll_officials, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    offering = make_offering(ends_on=timezone.now().date() + datetime.timedelta(days=60))
    (learner,) = enroll_officials(offering, 1)
    make_meeting(offering, day=0)
    client.force_login(learner)
    url = reverse("trainings:offering", args=[offering.pk])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for day in range(1, 15):
        make_meeting(offering, day=day)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert "You attended 0 of 15 meetings." in page


@pytest.mark.parametrize("who", ["focal_point", "leader", "staff"])
def test_the_offering_page_stays_under_twelve_queries_for_those_who_may_enroll_or_nominate(
    client,
    make_offering,
    make_meeting,
    enroll_officials,
    who,
    request,
    django_assert_max_num_queries,
):
    """The page asks once whether the viewer is eligible (for the enroll button and the
    reminder offer), and reads no certificate for someone not enrolled."""
    offering = make_offering(ends_on=timezone.now().date() + datetime.timedelta(days=60))
    enroll_officials(offering, 2)
    make_meeting(offering, day=0)
    client.force_login(request.getfixturevalue(who))
    with django_assert_max_num_queries(11):
        assert client.get(reverse("trainings:offering", args=[offering.pk])).status_code == 200

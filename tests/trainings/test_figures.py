"""Staff figures per offering: enrolled, waiting, awaiting approval, attended and
completed, overall and by gender, country of residence and organization kind."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from alliance.models import Organization
from tests import factories
from trainings import services
from trainings.figures import offering_figures
from trainings.models import Enrollment, MeetingAttendance, TrainingMeeting

pytestmark = pytest.mark.django_db


def row(rows, label):
    (found,) = [r for r in rows if r["label"] == label]
    return {k: found[k] for k in ("enrolled", "waitlisted", "pending", "attended", "completed")}


@pytest.fixture
def offering(make_offering):
    return make_offering(capacity=3)


def attend(offering, *people):
    start = timezone.now() + datetime.timedelta(days=30)
    meeting = TrainingMeeting.objects.create(
        offering=offering,
        title="Day 1",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
    )
    for person in people:
        MeetingAttendance.objects.create(
            meeting=meeting,
            enrollment=Enrollment.objects.get(offering=offering, user=person),
            method=MeetingAttendance.Method.STAFF,
        )


@pytest.fixture
def cohort(staff, offering, make_officials):
    """Three enrolled (two women in Fiji, one who stated nothing), one waiting, one awaiting
    approval without any organization, one withdrawn (left out)."""
    women = make_officials(2, gender="woman", country_of_residence="FJ")
    silent = make_officials(1)[0]
    waiting = make_officials(1, gender="man", country_of_residence="PE")[0]
    for person in [*women, silent, waiting]:
        services.enrollment_create(user=person, offering=offering)
    # A second membership, in a diaspora organization: she counts under both kinds.
    factories.add_member(
        staff=staff,
        organization=factories.make_organization(
            admin=factories.make_user(), name="Fiji Women Abroad", verified_by=staff
        ),
        user=women[0],
    )
    no_org = factories.make_user(full_name="Nominee Without Organization", gender="non_binary")
    # Approval is another step's service; the row is what it would leave.
    Enrollment.objects.create(offering=offering, user=no_org, status=Enrollment.Status.PENDING)
    gone = make_officials(1, gender="woman")[0]
    Enrollment.objects.create(offering=offering, user=gone, status=Enrollment.Status.WITHDRAWN)
    attend(offering, women[0], silent)
    Enrollment.objects.filter(user=women[0]).update(completed_at=timezone.now())
    return {"women": women, "silent": silent, "waiting": waiting, "no_org": no_org}


def test_figures_overall_and_by_gender_country_and_kind(cohort, offering):
    figures = offering_figures(offering)
    assert row(figures["overall"], "Everyone") == {
        "enrolled": 3,
        "waitlisted": 1,
        "pending": 1,
        "attended": 2,
        "completed": 1,
    }
    assert row(figures["by_gender"], "Woman") == {
        "enrolled": 2,
        "waitlisted": 0,
        "pending": 0,
        "attended": 1,
        "completed": 1,
    }
    assert row(figures["by_gender"], "")["enrolled"] == 1, "not stated, never guessed"
    assert row(figures["by_gender"], "Non-binary")["pending"] == 1
    assert row(figures["by_country"], "Fiji")["enrolled"] == 2
    assert row(figures["by_country"], "Peru")["waitlisted"] == 1
    assert row(figures["by_country"], "") == {
        "enrolled": 1,
        "waitlisted": 0,
        "pending": 1,
        "attended": 1,
        "completed": 0,
    }
    government = str(Organization.Kind.GOVERNMENT.label)
    diaspora = str(Organization.Kind.DIASPORA.label)
    assert row(figures["by_kind"], government) == {
        "enrolled": 3,
        "waitlisted": 1,
        "pending": 0,
        "attended": 2,
        "completed": 1,
    }
    assert row(figures["by_kind"], diaspora) == {
        "enrolled": 1,
        "waitlisted": 0,
        "pending": 0,
        "attended": 1,
        "completed": 1,
    }
    assert row(figures["by_kind"], "")["pending"] == 1, "the person in no organization"


def test_the_page_names_the_groups_and_says_not_stated(client, staff, cohort, offering):
    client.force_login(staff)
    response = client.get(reverse("trainings:offering_figures", args=[offering.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("<caption>") == 4 and '<th scope="row"' in body
    for words in ("Not stated", "No organization", "Woman", "Fiji", "Peru", "Government"):
        assert words in body
    assert "Nominee Without Organization" not in body


@pytest.mark.parametrize("count", [3, 30])
def test_figures_run_a_fixed_number_of_queries(
    client, staff, make_offering, make_officials, count, django_assert_max_num_queries
):
    offering = make_offering(capacity=count)
    people = make_officials(count, gender="man", country_of_residence="FJ")
    for person in people:
        services.enrollment_create(user=person, offering=offering)
    attend(offering, *people)
    client.force_login(staff)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("trainings:offering_figures", args=[offering.pk]))
    assert response.context["figures"]["overall"][0]["attended"] == count

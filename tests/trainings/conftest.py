import datetime
import functools

import pytest
from django.utils import timezone

from tests import factories
from trainings import services


@pytest.fixture
def make_programme(staff):
    return functools.partial(factories.make_programme, staff=staff)


@pytest.fixture
def make_offering(staff):
    return functools.partial(factories.make_offering, staff=staff)


@pytest.fixture
def young_person(db):
    """A youth participant (the kernel's youth role) with no organization."""
    from youth.services import youth_profile_create

    person = factories.make_user(full_name="Young Person")
    youth_profile_create(
        user=person,
        date_of_birth=datetime.date(2000, 6, 1),
        heritage_countries=["PE"],
        consent=True,
    )
    return person


@pytest.fixture
def diaspora_offering(make_programme, make_offering):
    """An open offering of a programme for diaspora leaders and organizations."""

    def _make(**overrides):
        return make_offering(
            programme=make_programme(title="Diaspora investment", audience="diaspora"),
            **overrides,
        )

    return _make


def meeting_time(offering, day: int = 0, hour: int = 9):
    """A time on the offering's ``day``-th day, as read on a clock in its zone."""
    from zoneinfo import ZoneInfo

    local = datetime.datetime.combine(
        offering.starts_on + datetime.timedelta(days=day), datetime.time(hour)
    )
    return local.replace(tzinfo=ZoneInfo(offering.time_zone))


@pytest.fixture
def make_meeting(staff):
    """A meeting of the offering on its ``day``-th day at ``hour`` (its zone), through
    the service."""
    from trainings.meetings import meeting_create

    def _make(offering, *, day: int = 0, hour: int = 9, hours: int = 2, title: str = ""):
        start = meeting_time(offering, day, hour)
        return meeting_create(
            actor=staff,
            offering=offering,
            title=title or f"Day {day + 1}",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=hours),
        )

    return _make


@pytest.fixture
def make_officials(staff, government):
    """``n`` new members of the government organization (eligible for government
    programmes), with the given account fields (gender, country of residence...)."""

    def _make(n: int, **user_fields):
        return [
            factories.add_member(
                staff=staff, organization=government, user=factories.make_user(**user_fields)
            )
            for _ in range(n)
        ]

    return _make


@pytest.fixture
def enroll_officials(make_officials):
    """``n`` new officials of the government, each enrolled (or waitlisted) in turn."""

    def _enroll(offering, n: int, **user_fields):
        people = make_officials(n, **user_fields)
        for person in people:
            services.enrollment_create(user=person, offering=offering)
        return people

    return _enroll


@pytest.fixture
def completed_offering(staff, government, make_offering):
    """An offering with two 3-hour meetings, two officials who completed it and one
    who did not."""
    from trainings.models import Enrollment, TrainingMeeting

    offering = make_offering(capacity=5)
    start = timezone.now() + datetime.timedelta(days=30)
    for day in range(2):
        begins = start + datetime.timedelta(days=day)
        TrainingMeeting.objects.create(
            offering=offering,
            title=f"Day {day + 1}",
            starts_at=begins,
            ends_at=begins + datetime.timedelta(hours=3),
        )
    people = [
        factories.add_member(staff=staff, organization=government),
        factories.add_member(staff=staff, organization=government),
        factories.add_member(staff=staff, organization=government),
    ]
    people[0].full_name = "Amelia Ñuñez-Rokotuivuna"
    people[0].save(update_fields=["full_name"])
    for person in people:
        services.enrollment_create(user=person, offering=offering)
    Enrollment.objects.filter(offering=offering, user__in=people[:2]).update(
        completed_at=timezone.now()
    )
    offering.learners = people
    return offering

import datetime

import pytest
from django.utils import timezone

from trainings import services
from trainings.models import Offering, TrainingProgramme


@pytest.fixture
def make_programme(staff):
    def _make(**overrides):
        fields = {
            "title": "Engaging your diaspora",
            "summary": "How governments work with their diasporas.",
            "learning_objectives": "Map the diaspora.\nDesign an engagement policy.",
            "audience": TrainingProgramme.Audience.GOVERNMENT,
            "language": "en",
            "mode": TrainingProgramme.Mode.ONLINE,
            "published": True,
        }
        fields.update(overrides)
        return services.programme_create(actor=staff, **fields)

    return _make


@pytest.fixture
def make_offering(staff, make_programme):
    def _make(programme=None, **overrides):
        now = timezone.now()
        fields = {
            "title": "Spring cohort",
            "starts_on": (now + datetime.timedelta(days=30)).date(),
            "ends_on": (now + datetime.timedelta(days=34)).date(),
            "time_zone": "Pacific/Fiji",
            "join_url": "https://meet.example.org/training",
            "capacity": 2,
            "enrollment_opens_at": now - datetime.timedelta(days=1),
            "enrollment_closes_at": now + datetime.timedelta(days=20),
            "status": Offering.Status.OPEN,
        }
        fields.update(overrides)
        return services.offering_create(
            actor=staff, programme=programme or make_programme(), **fields
        )

    return _make


@pytest.fixture
def completed_offering(staff, government, make_offering):
    """An offering with two 3-hour meetings, two officials who completed it and one
    who did not."""
    from tests import factories
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

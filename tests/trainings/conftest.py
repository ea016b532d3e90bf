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
def make_officials(staff, government):
    """``n`` new members of the government organization (eligible for government
    programmes), with a profile's gender and country of residence if given."""
    from tests import factories

    def _make(n, **profile):
        people = [factories.add_member(staff=staff, organization=government) for _ in range(n)]
        if profile:
            type(people[0]).objects.filter(pk__in=[p.pk for p in people]).update(**profile)
        return people

    return _make

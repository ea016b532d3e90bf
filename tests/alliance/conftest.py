"""Fixtures the alliance tests share."""

import datetime as dt

import pytest
from django.utils import timezone

from alliance.models import Sector
from alliance.services import recommendations as drafting
from tests import factories


@pytest.fixture
def recommendation(staff):
    """A climate recommendation open for input for a week."""
    track = drafting.track_create(
        actor=staff, sector=Sector.objects.get(slug="climate"), title="Climate Action"
    )
    draft = drafting.recommendation_create(
        actor=staff,
        track=track,
        original_language="en",
        title_en="Diaspora climate finance",
        text_en="<p>Match diaspora savings for adaptation.</p>",
    )
    return drafting.recommendation_transition(
        actor=staff,
        recommendation=draft,
        status="open",
        input_closes_at=timezone.now() + dt.timedelta(days=7),
    )


@pytest.fixture
def youth(db):
    return factories.make_youth_participant(full_name="Nadia K.")

"""The youth export dataset: participants by age band, gender and country, with their
inputs and published stories; name, e-mail and date of birth are personal."""

import datetime as dt

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alliance.models import Sector
from alliance.services import recommendation_inputs as inputs
from alliance.services import recommendations as drafting
from gdpa.exports import services as export_services
from gdpa.exports.registry import dataset
from tests import factories
from tests.youth.story_support import give_public_consent, publish, write
from youth.age import latest_birth_date

pytestmark = pytest.mark.django_db


def rows_of(query: str = "", *, personal: bool) -> list[dict]:
    ds = dataset("youth-participation")
    keys = [c.key for c in export_services.columns_for(ds, personal=personal)]
    return [
        dict(zip(keys, row, strict=True))
        for row in export_services.table_rows(ds, QueryDict(query), personal=personal)
    ]


def born(age: int) -> dt.date:
    """A date of birth of someone who turned ``age`` yesterday."""
    return latest_birth_date(age, timezone.localdate()) - dt.timedelta(days=1)


@pytest.fixture
def recommendation(staff):
    track = drafting.track_create(
        actor=staff, sector=Sector.objects.get(slug="climate"), title="Climate Action"
    )
    draft = drafting.recommendation_create(
        actor=staff, track=track, title_en="Climate finance", text_en="<p>Text</p>"
    )
    return drafting.recommendation_transition(
        actor=staff,
        recommendation=draft,
        status="open",
        input_closes_at=timezone.now() + dt.timedelta(days=7),
    )


@pytest.fixture
def participants(staff, recommendation):
    ana = factories.make_youth_participant(
        full_name="Ana Quispe",
        date_of_birth=born(22),
        gender="woman",
        country_of_residence="ES",
        heritage_countries=["PE"],
    )
    give_public_consent(ana)
    publish(staff, write(ana))
    write(ana, title="A draft")
    inputs.input_create(author=ana, recommendation=recommendation, kind="comment", text="Yes")
    sam = factories.make_youth_participant(full_name="Sam Otieno", date_of_birth=born(31))
    return ana, sam


def test_age_band_gender_and_counts_without_personal_fields(participants):
    rows = rows_of(personal=False)
    assert all(set(row) & {"name", "email", "date_of_birth"} == set() for row in rows)
    ana, sam = rows
    assert (ana["age_band"], ana["gender"], ana["country"]) == ("18–24", "Woman", "Spain")
    assert ana["heritage"] == "Peru"
    assert (ana["inputs"], ana["stories_published"]) == (1, 1)
    assert (sam["age_band"], sam["gender"], sam["country"]) == ("30–35", "Not stated", "Not stated")
    assert (sam["inputs"], sam["stories_published"]) == (0, 0)


def test_personal_fields_with_the_permission(participants):
    ana, _ = participants
    row = rows_of(personal=True)[0]
    assert (row["name"], row["email"], row["date_of_birth"]) == (
        "Ana Quispe",
        ana.email,
        ana.youth_profile.date_of_birth,
    )


def test_youth_filters(participants):
    assert [row["gender"] for row in rows_of("gender=woman", personal=False)] == ["Woman"]
    assert len(rows_of("gender=none", personal=False)) == 1
    assert len(rows_of("country=ES", personal=False)) == 1
    assert dataset("youth-participation").count(QueryDict("country=FR")) == 0


def test_youth_queries_do_not_grow_with_rows(participants):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            rows_of(personal=True)
        return len(captured)

    few = queries()
    for _ in range(4):
        factories.make_youth_participant()
    assert queries() == few


def test_staff_export_youth_as_xlsx_without_dates_of_birth(client, staff, participants):
    from io import BytesIO

    from openpyxl import load_workbook

    client.force_login(staff)
    url = reverse("exports:start") + "?dataset=youth-participation"
    response = client.post(url, {"format": "xlsx"})
    content = b"".join(response.streaming_content)
    rows = list(load_workbook(BytesIO(content), read_only=True).active.values)
    assert "Date of birth" not in rows[0] and "E-mail address" not in rows[0]
    assert len(rows) == 3
    assert participants[0].email.encode() not in content

"""Youth participation figures for staff: participants by gender, age band (on the
viewer's own date), country of residence, country of origin and sector; inputs given and
taken up, sessions attended and stories published; a fixed number of queries."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from alliance import services as alliance_services
from alliance.models import Participant, Sector
from alliance.services import recommendation_inputs
from alliance.services import recommendations as drafting
from gdpa.accounts.models import Gender
from tests import factories
from youth import services
from youth.age import age_on, latest_birth_date
from youth.figures import age_bands, youth_figures
from youth.models import Story

pytestmark = pytest.mark.django_db

D = datetime.date


def table(page: str, caption: str) -> dict[str, list[str]]:
    """The rows of the table with ``caption``: the row header's text -> the cells."""
    start = page.index(f"<caption>{caption}</caption>")
    body = page[start : page.index("</table>", start)]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        header = re.search(r'<th scope="row"[^>]*>(.*?)</th>', row, re.S)
        if header:
            rows[header.group(1).strip()] = [
                c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            ]
    return rows


def figures_page(client, staff) -> str:
    client.force_login(staff)
    response = client.get(reverse("youth:figures"))
    assert response.status_code == 200
    return response.content.decode()


# --- age bands ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "bands"),
    [
        (18, 35, ["18–24", "25–29", "30–35"]),
        (16, 40, ["16–24", "25–29", "30–40"]),
        (20, 27, ["20–24", "25–27"]),
        (25, 35, ["25–29", "30–35"]),
        (31, 33, ["31–33"]),
        (20, 30, ["20–24", "25–29", "30"]),
    ],
)
def test_the_bands_follow_the_configured_range(low, high, bands):
    assert [b.label for b in age_bands(low, high)] == bands


@pytest.mark.parametrize(
    "today", [D(2028, 2, 29), D(2026, 2, 28), D(2026, 3, 1), D(2026, 12, 31), D(2027, 1, 1)]
)
def test_the_latest_birth_date_agrees_with_the_age_on_the_day(today):
    for age in (18, 25, 30, 36):
        cutoff = latest_birth_date(age, today)
        assert age_on(cutoff, today) >= age
        assert age_on(cutoff + datetime.timedelta(days=1), today) < age


# --- the page ---------------------------------------------------------------------------------


@pytest.fixture
def people(staff):
    """Four youth participants, joined on 1 June 2026."""
    with time_machine.travel(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)):
        health, climate = Sector.objects.get(slug="health"), Sector.objects.get(slug="climate")
        made = {
            "ana": factories.make_youth_participant(
                user=factories.make_user(full_name="Ana", gender=Gender.WOMAN),
                date_of_birth=D(2006, 6, 15),  # 19, and 20 on 15 June 2026
                heritage_countries=["SV", "MX"],
                country_of_residence="US",
                interests=[health, climate],
            ),
            "sam": factories.make_youth_participant(
                user=factories.make_user(
                    full_name="Sam",
                    gender=Gender.SELF_DESCRIBED,
                    gender_self_description="Genderfluid",
                ),
                date_of_birth=D(1999, 1, 1),  # 27
                heritage_countries=["MU"],
                country_of_residence="GB",
                interests=[climate],
            ),
            "lu": factories.make_youth_participant(
                user=factories.make_user(full_name="Lu", gender=Gender.PREFER_NOT_TO_SAY),
                date_of_birth=D(1990, 6, 15),  # 35, and 36 on 15 June 2026
                heritage_countries=["PE"],
                country_of_residence="ES",
            ),
            "kai": factories.make_youth_participant(
                user=factories.make_user(full_name="Kai"),
                date_of_birth=D(2004, 1, 1),  # 22
                heritage_countries=["SV"],
            ),
        }
    return made


def test_participants_by_gender_with_not_stated(client, staff, people):
    with time_machine.travel(datetime.datetime(2026, 6, 20, 12, tzinfo=datetime.UTC)):
        page = figures_page(client, staff)
    assert "4 youth participants today." in page
    rows = table(page, "Youth participants by gender, as each person stated it")
    assert rows == {
        "Not stated": ["1"],
        "Prefer not to say": ["1"],
        "Self-described": ["1"],
        "Woman": ["1"],
    }
    assert "Genderfluid" not in page


def test_age_bands_are_counted_on_the_viewers_own_date(client, staff, people):
    """Lu turns 36 on 15 June 2026. At 20:00 UTC on 14 June it is already 15 June for
    a viewer in Kiritimati (UTC+14): Lu is outside the range there, and still in 30-35
    for a viewer in UTC."""
    evening = datetime.datetime(2026, 6, 14, 20, tzinfo=datetime.UTC)
    with time_machine.travel(evening):
        in_utc = table(
            figures_page(client, staff), "Youth participants by age band, on today's date"
        )
        staff.time_zone = "Pacific/Kiritimati"
        staff.save(update_fields=["time_zone"])
        ahead = table(
            figures_page(client, staff), "Youth participants by age band, on today's date"
        )
    assert in_utc == {"18–24": ["2"], "25–29": ["1"], "30–35": ["1"]}
    assert ahead == {
        "18–24": ["2"],
        "25–29": ["1"],
        "30–35": ["0"],
        "Outside the current age range": ["1"],
    }


def test_age_bands_follow_a_changed_range(client, staff, people):
    services.youth_settings_update(actor=staff, min_age=20, max_age=30)
    with time_machine.travel(datetime.datetime(2026, 6, 20, 12, tzinfo=datetime.UTC)):
        page = figures_page(client, staff)
    assert table(page, "Youth participants by age band, on today's date") == {
        "20–24": ["2"],
        "25–29": ["1"],
        "30": ["0"],
        "Outside the current age range": ["1"],  # Lu, 36
    }
    assert "The current age range is 20 to 30" in page


def test_participants_by_country_of_residence_and_of_origin(client, staff, people):
    page = figures_page(client, staff)
    assert table(page, "Youth participants by country of residence") == {
        "Not stated": ["1"],
        "Spain": ["1"],
        "United Kingdom": ["1"],
        "United States of America": ["1"],
    }
    # Ana counts under El Salvador and Mexico; Kai under El Salvador too.
    assert table(page, "Youth participants by country of origin") == {
        "El Salvador": ["2"],
        "Mauritius": ["1"],
        "Mexico": ["1"],
        "Peru": ["1"],
    }


@pytest.fixture
def recommendation(staff):
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
        input_closes_at=timezone.now() + datetime.timedelta(days=7),
    )


def test_sectors_inputs_sessions_and_stories(
    client, staff, people, recommendation, make_session, member
):
    ana, sam = people["ana"], people["sam"]
    given = [
        recommendation_inputs.input_create(
            author=author, recommendation=recommendation, kind="comment", text=text
        )
        for author, text in ((ana, "Fund youth."), (sam, "Count us in."), (sam, "And islands."))
    ]
    recommendation_inputs.input_create(  # a member's input is no youth voice
        author=member, recommendation=recommendation, kind="comment", text="Fine."
    )
    recommendation_inputs.input_respond(
        actor=staff, given=given[0], status="taken_up", response="Added."
    )
    recommendation_inputs.input_respond(
        actor=staff, given=given[1], status="merged", response="Merged."
    )
    recommendation_inputs.input_respond(
        actor=staff, given=given[2], status="not_taken_up", response="Out of scope."
    )
    climate = Sector.objects.get(slug="climate")
    for status in (Story.Status.PUBLISHED, Story.Status.PUBLISHED, Story.Status.SUBMITTED):
        Story.objects.create(
            author=sam,
            title="Mangroves",
            summary="S",
            text="T",
            sector=climate,
            country="FJ",
            status=status,
        )
    first, second = make_session(), make_session(title="Youth dialogue")
    for session in (first, second):
        alliance_services.session_invite(
            actor=staff, session=session, emails=[ana.email, sam.email, member.email]
        )
    Participant.objects.filter(user__in=[ana, member]).update(attended=True)
    Participant.objects.filter(user=sam, session=first).update(attended=True)

    page = figures_page(client, staff)
    contributions = table(page, "Contributions of youth participants")
    assert contributions["Inputs given to the recommendations (youth voices)"] == ["3"]
    assert contributions["Of these, taken up or merged into the text"] == ["2"]
    assert contributions["Youth Voices stories published"] == ["2"]
    assert contributions["Alliance sessions attended (one per person and session)"] == ["3"]
    assert contributions["Youth participants who attended at least one session"] == ["2"]
    assert contributions["Sessions with youth participants present"] == ["2"]
    caption = (
        "Youth participation by sector: participants interested, inputs given and taken up, "
        "stories published"
    )
    by_sector = table(page, caption)
    assert by_sector["Climate Action"] == ["2", "3", "2", "2"]
    assert by_sector["Health and Well-being"] == ["1", "0", "0", "0"]
    assert by_sector["Gender and Youth"] == ["0", "0", "0", "0"]
    assert "2 participants chose none." in page


def test_a_withdrawn_participant_leaves_the_figures(client, staff, people):
    services.youth_consent_withdraw(user=people["lu"])
    page = figures_page(client, staff)
    assert "3 youth participants today." in page
    assert "Prefer not to say" not in table(
        page, "Youth participants by gender, as each person stated it"
    )


def test_with_nobody_yet_the_tables_say_so(client, staff):
    page = figures_page(client, staff)
    assert "0 youth participants today." in page
    assert "No youth participants yet." in page


def _youth_batch(n: int, staff, session):
    climate = Sector.objects.get(slug="climate")
    for i in range(n):
        person = factories.make_youth_participant(
            user=factories.make_user(gender=[Gender.WOMAN, Gender.MAN, ""][i % 3]),
            date_of_birth=D(timezone.localdate().year - 19 - i % 14, 1 + i % 12, 1),
            heritage_countries=[["SV"], ["FJ", "MU"], ["PE"]][i % 3],
            country_of_residence=["US", "AU", "ES"][i % 3],
            interests=[climate],
        )
        Story.objects.create(
            author=person,
            title="T",
            summary="S",
            text="T",
            sector=climate,
            country="FJ",
            status=Story.Status.PUBLISHED,
        )
        alliance_services.session_invite(actor=staff, session=session, emails=[person.email])
    Participant.objects.filter(session=session).update(attended=True)


@pytest.mark.parametrize("count", [3, 30])
def test_the_page_runs_a_fixed_number_of_queries(
    client, staff, make_session, django_assert_max_num_queries, count
):
    _youth_batch(count, staff, make_session())
    client.force_login(staff)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("youth:figures"))
    assert f"{count} youth participants today." in response.content.decode()


def test_the_figures_take_eight_queries(staff, make_session, django_assert_num_queries):
    _youth_batch(5, staff, make_session())
    with django_assert_num_queries(8):
        youth_figures(timezone.localdate())

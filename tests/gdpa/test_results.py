"""The results dashboard: figures checked against hand-computed fixtures built through
the real services (then dated into or out of the period), "Not stated" and "Prefer not to
say" kept apart, UTC period boundaries, charts with their tables, and a query ceiling that
holds as the data grows."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from alliance import services as alliance_services
from alliance.models import AllianceSession, Organization, Participant, Recommendation, Sector
from alliance.services import recommendation_inputs as rec_inputs
from alliance.services import recommendations as rec_services
from gdpa.results.registry import Figures, indicator
from tests import factories
from tests.youth.story_support import give_public_consent, publish, write
from trainings import services as training_services
from trainings.models import Enrollment, Offering, TrainingProgramme
from youth.models import Story, YouthProfile

pytestmark = pytest.mark.django_db

START = datetime.date(2025, 1, 1)
END = datetime.date(2025, 6, 30)
UTC = datetime.UTC
#: The last second of the period and the first instant after it.
LAST_SECOND = datetime.datetime(2025, 6, 30, 23, 59, 59, tzinfo=UTC)
AFTER = datetime.datetime(2025, 7, 1, 0, 0, tzinfo=UTC)
INSIDE = datetime.datetime(2025, 3, 15, 12, 0, tzinfo=UTC)


def figures(key: str) -> Figures:
    return indicator(key).compute(START, END)


def rows(fig: Figures, key: str, measure: int = 0) -> dict[str, int]:
    return {r["label"]: r["values"][measure] for r in fig.breakdown(key).rows}


def person(gender: str = "", country: str = ""):
    user = factories.make_user(full_name=f"Person {gender or 'blank'}")
    type(user).objects.filter(pk=user.pk).update(gender=gender, country_of_residence=country)
    return type(user).objects.get(pk=user.pk)


# Outcome 1 -------------------------------------------------------------------------------


def held_session(staff, people, attended, *, starts_at):
    """A session created, invited and held through the services, then dated ``starts_at``."""
    begin = timezone.now() + datetime.timedelta(days=1)
    session = alliance_services.session_create(
        actor=staff,
        title="Working group",
        kind=AllianceSession.Kind.WORKING_GROUP,
        time_zone="UTC",
        starts_at=begin,
        ends_at=begin + datetime.timedelta(hours=1),
        format=AllianceSession.Format.ONLINE,
        join_url="https://meet.example.org/wg",
        status=AllianceSession.Status.SCHEDULED,
    )
    alliance_services.session_invite(actor=staff, session=session, emails=[p.email for p in people])
    with time_machine.travel(begin + datetime.timedelta(minutes=70)):
        ids = list(Participant.objects.filter(session=session).values_list("pk", flat=True))
        came = list(
            Participant.objects.filter(session=session, user__in=attended).values_list(
                "pk", flat=True
            )
        )
        alliance_services.attendance_record(actor=staff, session=session, shown=ids, attended=came)
        alliance_services.session_mark_held(actor=staff, session=session)
    AllianceSession.objects.filter(pk=session.pk).update(
        starts_at=starts_at, ends_at=starts_at + datetime.timedelta(hours=1)
    )
    return session


def test_sessions_held_and_participation_by_gender_with_not_stated(staff):
    woman = person("woman", "FJ")
    private = person("prefer_not_to_say", "PE")
    blank = person("", "")
    # Starts in the last half hour of the period (UTC): counted.
    held_session(staff, [woman, private, blank], [woman, blank], starts_at=LAST_SECOND)
    # Starts the first instant after it: not counted.
    held_session(staff, [woman, private], [woman, private], starts_at=AFTER)

    fig = figures("alliance-sessions")
    assert fig.total("sessions") == 1
    assert fig.total("invited") == 3
    assert fig.total("attended") == 2
    assert fig.total("people") == 2
    assert rows(fig, "by_gender", 0) == {"Woman": 1, "Prefer not to say": 1, "Not stated": 1}
    assert rows(fig, "by_gender", 1) == {"Woman": 1, "Prefer not to say": 0, "Not stated": 1}
    assert rows(fig, "by_country", 1) == {"Fiji": 1, "Peru": 0, "Not stated": 1}
    # Nobody of the three belongs to an organization.
    assert rows(fig, "by_kind", 0) == {"No organization": 3}
    assert rows(fig, "by_session_kind", 0) == {"Sectoral working group": 1}


def test_members_in_the_alliance_counted_by_the_day_they_were_verified(staff):
    def verified(name, country, when):
        admin = factories.make_user()
        org = factories.make_organization(
            admin=admin, name=name, country=country, verified_by=staff
        )
        Organization.objects.filter(pk=org.pk).update(decided_at=when)

    verified("Early", "IE", datetime.datetime(2024, 5, 1, tzinfo=UTC))
    verified("Inside", "ES", INSIDE)
    verified("Last second", "ES", LAST_SECOND)
    verified("Too late", "FR", AFTER)
    factories.make_organization(admin=factories.make_user(), name="Still pending")
    factories.make_member_state(actor=staff, country="FJ")  # joined 2023-06-01

    fig = figures("alliance-members")
    assert fig.total("organizations") == 3
    assert fig.total("organizations_joined") == 2
    assert fig.total("member_states") == 1 and fig.total("member_states_joined") == 0
    assert rows(fig, "by_country") == {"Spain": 2, "Ireland": 1}
    assert rows(fig, "by_country", 1) == {"Spain": 2, "Ireland": 0}
    assert rows(fig, "by_kind") == {"Diaspora organization": 3}


def _published_recommendation(staff, title):
    track = rec_services.track_create(
        actor=staff, sector=Sector.objects.get(slug="climate"), title=f"Track {title}"
    )
    made = rec_services.recommendation_create(
        actor=staff, track=track, title_en=title, text_en="<p>Text</p>"
    )
    for status in ["open", "review", "endorsed", "published"]:
        made = rec_services.recommendation_transition(
            actor=staff,
            recommendation=made,
            status=status,
            input_closes_at=timezone.now() + datetime.timedelta(days=7),
        )
    return made


def test_recommendations_published_in_the_period(staff):
    inside = _published_recommendation(staff, "Green skills")
    late = _published_recommendation(staff, "Climate bonds")
    Recommendation.objects.filter(pk=inside.pk).update(published_at=INSIDE)
    Recommendation.objects.filter(pk=late.pk).update(published_at=AFTER)
    fig = figures("alliance-recommendations")
    assert fig.total("published") == 1
    assert fig.total("endorsed") == 0
    assert rows(fig, "by_sector") == {"Climate Action": 1}


def test_people_trained_and_completing_by_gender(staff):
    programme = training_services.programme_create(
        actor=staff,
        title="Engaging your diaspora",
        summary="How governments work with their diasporas.",
        learning_objectives="Map the diaspora.",
        audience=TrainingProgramme.Audience.GOVERNMENT,
        mode=TrainingProgramme.Mode.ONLINE,
        published=True,
    )

    def cohort(title):
        return training_services.offering_create(
            actor=staff,
            programme=programme,
            title=title,
            starts_on=timezone.localdate() + datetime.timedelta(days=20),
            ends_on=timezone.localdate() + datetime.timedelta(days=24),
            join_url="https://meet.example.org/training",
            capacity=20,
            enrollment_opens_at=timezone.now() - datetime.timedelta(days=1),
            enrollment_closes_at=timezone.now() + datetime.timedelta(days=10),
            status=Offering.Status.OPEN,
        )

    spring, summer = cohort("Spring"), cohort("Summer")
    woman, blank, private = person("woman", "SV"), person(), person("prefer_not_to_say")
    government = factories.make_government(staff=staff, country="SV")
    for who in (woman, blank, private):
        factories.add_member(staff=staff, organization=government, user=who)
    for who in (woman, blank):
        training_services.enrollment_create(user=who, offering=spring)
    training_services.enrollment_create(user=private, offering=summer)
    Enrollment.objects.filter(user=woman).update(completed_at=INSIDE)
    Offering.objects.filter(pk=spring.pk).update(starts_on=END, ends_on=END)
    Offering.objects.filter(pk=summer.pk).update(
        starts_on=datetime.date(2025, 7, 1), ends_on=datetime.date(2025, 7, 2)
    )

    fig = figures("trainings-people")
    assert (fig.total("enrolled"), fig.total("completed"), fig.total("cohorts")) == (2, 1, 1)
    assert rows(fig, "by_gender", 0) == {"Woman": 1, "Not stated": 1}
    assert rows(fig, "by_gender", 1) == {"Woman": 1, "Not stated": 0}
    assert rows(fig, "by_country", 0) == {"El Salvador": 1, "Not stated": 1}
    assert rows(fig, "by_kind", 1) == {"Government": 1}


# Outcome 2 -------------------------------------------------------------------------------


def youth(gender: str, date_of_birth: datetime.date, joined: datetime.datetime):
    user = factories.make_youth_participant(user=person(gender), date_of_birth=date_of_birth)
    YouthProfile.objects.filter(user=user).update(created_at=joined)
    return user


def test_youth_participants_by_gender_and_age_band_on_the_last_day(staff):
    # 25 on the last day of the period (born 2000-06-30): the 25-29 band.
    youth("prefer_not_to_say", datetime.date(2000, 6, 30), INSIDE)
    # 24 on that day (25 only the next day): the 18-24 band.
    youth("", datetime.date(2000, 7, 1), LAST_SECOND)
    youth("woman", datetime.date(2001, 1, 1), AFTER)

    fig = figures("youth-participants")
    assert fig.total("participants") == 2
    assert rows(fig, "by_gender") == {"Prefer not to say": 1, "Not stated": 1}
    assert rows(fig, "by_age") == {"18–24": 1, "25–29": 1}


def test_youth_inputs_taken_up_and_stories_published_by_gender_and_age(staff):
    young_woman = youth("woman", datetime.date(2001, 3, 1), INSIDE)
    young_blank = youth("", datetime.date(1996, 3, 1), INSIDE)
    track = rec_services.track_create(
        actor=staff, sector=Sector.objects.get(slug="health"), title="Health"
    )
    rec = rec_services.recommendation_create(
        actor=staff, track=track, title_en="Portable insurance", text_en="<p>Text</p>"
    )
    rec_services.recommendation_transition(
        actor=staff,
        recommendation=rec,
        status="open",
        input_closes_at=timezone.now() + datetime.timedelta(days=7),
    )
    taken = rec_inputs.input_create(
        author=young_woman, recommendation=rec, kind="comment", text="Add students."
    )
    rec_inputs.input_respond(actor=staff, given=taken, status="taken_up", response="Added.")
    rec_inputs.input_create(author=young_blank, recommendation=rec, kind="comment", text="More.")
    late = rec_inputs.input_create(
        author=young_blank, recommendation=rec, kind="comment", text="Later."
    )
    from alliance.models import RecommendationInput

    RecommendationInput.objects.exclude(pk=late.pk).update(created_at=INSIDE)
    RecommendationInput.objects.filter(pk=late.pk).update(created_at=AFTER)

    fig = figures("youth-inputs")
    assert (fig.total("given"), fig.total("taken_up"), fig.total("people")) == (2, 1, 2)
    assert rows(fig, "by_gender", 1) == {"Woman": 1, "Not stated": 0}
    # 24 and 29 on 2025-06-30.
    assert rows(fig, "by_age", 0) == {"18–24": 1, "25–29": 1}
    assert rows(fig, "by_sector", 1) == {"Health and Well-being": 1}

    # A young person who leaves keeps their input counted as a youth voice; their date of
    # birth is deleted with the profile, so their age is "Not stated", never guessed.
    from youth.services import youth_consent_withdraw

    youth_consent_withdraw(user=young_blank)
    fig = figures("youth-inputs")
    assert fig.total("given") == 2
    assert rows(fig, "by_age", 0) == {"18–24": 1, "Not stated": 1}

    give_public_consent(young_woman)
    story = publish(staff, write(young_woman))
    Story.objects.filter(pk=story.pk).update(published_at=LAST_SECOND)
    fig = figures("youth-stories")
    assert fig.total("stories") == 1
    assert rows(fig, "by_gender") == {"Woman": 1}
    assert rows(fig, "by_age") == {"18–24": 1}


# The page --------------------------------------------------------------------------------


def test_dashboard_shows_each_chart_with_its_data_table(client, staff):
    woman, blank = person("woman", "FJ"), person()
    held_session(staff, [woman, blank], [woman], starts_at=INSIDE)
    client.force_login(staff)
    response = client.get(
        reverse("results:dashboard"), {"period_start": "2025-01-01", "period_end": "2025-06-30"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Outcome 1" in html and "Outcome 2" in html
    charts = re.findall(
        r'<svg class="bar-chart"[^>]*role="img"[^>]*aria-labelledby="([^"]+)"', html
    )
    assert charts, "the charts are drawn on the server"
    # Each breakdown with something to show in the period has its chart (the session's four
    # here); every breakdown has its table, an empty one says so.
    assert len(charts) == 4
    assert html.count('<div class="table-wrap results-breakdown__table">') > len(charts)
    assert "Nothing to count in this period." in html
    assert "style=" not in html.split("<main", 1)[1] and "<style" not in html
    # The sessions chart prints its numbers; the table beside it has them too.
    chart = html[html.index('id="chart-alliance-sessions-by_gender-title"') - 400 :]
    chart = chart[: chart.index("</svg>")]
    assert "<title" in chart and "1 Attended" in chart and "Not stated" in chart
    table = html[html.index("Sessions held and participation: by gender") :]
    table = table[: table.index("</table>")]
    assert '<th scope="row">Not stated</th><td>1</td><td>0</td>' in table
    assert '<th scope="row">Woman</th><td>1</td><td>1</td>' in table


def test_default_period_runs_from_the_first_data_to_today(client, staff):
    woman = person("woman")
    held_session(staff, [woman], [woman], starts_at=INSIDE)
    client.force_login(staff)
    response = client.get(reverse("results:dashboard"))
    form = response.context["form"]
    assert form.initial["period_start"] <= INSIDE.date()
    assert form.initial["period_end"] == timezone.now().astimezone(UTC).date()
    assert 'value="2025-03-15"' in response.content.decode() or form.initial["period_start"] < (
        INSIDE.date()
    )


def test_a_period_that_ends_before_it_starts_is_refused_next_to_the_field(client, staff):
    client.force_login(staff)
    response = client.get(
        reverse("results:dashboard"), {"period_start": "2025-06-30", "period_end": "2025-01-01"}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "The end of the period must be on or after its start" in html
    assert response.context["sections"] == []
    bad = client.get(
        reverse("results:dashboard"), {"period_start": "30/06/2025", "period_end": "2025-07-01"}
    )
    assert bad.status_code == 422 and "Enter the date like 2024-01-01" in bad.content.decode()


def test_htmx_swaps_the_results_region_only(client, staff):
    client.force_login(staff)
    response = client.get(
        reverse("results:dashboard"),
        {"period_start": "2025-01-01", "period_end": "2025-06-30"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"')
    assert "<header" not in html
    assert response["Vary"].count("HX-Request") == 1


#: The dashboard's queries: the session and the sign-in, the first-data dates, each
#: indicator's own fixed few.
DASHBOARD_QUERIES = 45


def _grow(staff, n: int):
    """``n`` more people invited to and attending held sessions, trained and youth."""
    answers = [("woman", "FJ"), ("man", "PE"), ("", ""), ("non_binary", "GE")]
    people = [person(*answers[i % 4]) for i in range(n)]
    held_session(staff, people, people[::2], starts_at=INSIDE)
    for i in range(n):
        youth("woman" if i % 2 else "", datetime.date(2000, 1, 1 + i), INSIDE)


def test_dashboard_query_count_does_not_grow_with_the_data(
    client, staff, django_assert_max_num_queries
):
    client.force_login(staff)
    url = reverse("results:dashboard")
    query = {"period_start": "2025-01-01", "period_end": "2025-06-30"}
    _grow(staff, 2)
    with django_assert_max_num_queries(DASHBOARD_QUERIES) as small:
        assert client.get(url, query).status_code == 200
    _grow(staff, 12)
    with django_assert_max_num_queries(DASHBOARD_QUERIES) as large:
        assert client.get(url, query).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_a_long_breakdown_adds_up_its_smallest_categories_in_the_chart():
    from gdpa.results.charts import MAX_ROWS, bar_chart, chart_rows
    from gdpa.results.registry import breakdown

    counts = [{"country": f"C{i:02d}", "count": 20 - i} for i in range(15)] + [
        {"country": "", "count": 1}
    ]
    long = breakdown("by_country", "By country", [("count", "People")], counts, by="country")
    assert long.rows[-1] == {"label": "Not stated", "values": (1,)}
    rows = chart_rows(long)
    assert len(rows) == MAX_ROWS
    assert rows[-1] == {"label": "5 others", "values": (9 + 8 + 7 + 6 + 1,)}
    chart = bar_chart(long, chart_id="c")
    texts = [bar["text"] for group in chart["groups"] for bar in group["bars"]]
    assert texts[0] == "20" and texts[-1] == "31"
    # The longest bar is the largest value; the others are in proportion.
    widths = [group["bars"][0]["width"] for group in chart["groups"]]
    assert max(widths) == widths[-1] and widths[0] == round(widths[-1] * 20 / 31, 1)

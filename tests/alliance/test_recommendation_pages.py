"""The recommendation pages people read: who sees which recommendations and inputs, the
reader's language or the original marked as such, safe rendering of what people wrote,
the dashboard panel, and query counts that do not grow with the data."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alliance.models import (
    AllianceSession,
    DiasporaCapital,
    Recommendation,
    RecommendationInput,
    Sector,
)
from alliance.services import endorsements, recommendation_inputs, session_create, session_invite
from alliance.services import recommendations as drafting
from tests import factories
from youth.services import youth_profile_create

pytestmark = pytest.mark.django_db

LIFECYCLE = ["open", "review", "endorsed", "published"]


@pytest.fixture
def track(staff):
    return drafting.track_create(
        actor=staff, sector=Sector.objects.get(slug="climate"), title="Climate Action"
    )


def make_recommendation(staff, track, status="draft", **fields):
    fields = {"original_language": "en", "title_en": "A title", "text_en": "<p>Text</p>", **fields}
    recommendation = drafting.recommendation_create(actor=staff, track=track, **fields)
    if status == "draft":
        return recommendation
    for step in LIFECYCLE[: LIFECYCLE.index(status) + 1]:
        recommendation = drafting.recommendation_transition(
            actor=staff,
            recommendation=recommendation,
            status=step,
            input_closes_at=timezone.now() + dt.timedelta(days=7) if step == "open" else None,
        )
    return recommendation


@pytest.fixture
def three(staff, track):
    """A draft, one open for input and a published one, each with its own title."""
    return {
        "draft": make_recommendation(staff, track, title_en="Draft on remittance fees"),
        "open": make_recommendation(staff, track, "open", title_en="Open on climate bonds"),
        "published": make_recommendation(
            staff, track, "published", title_en="Published on green skills"
        ),
    }


def youth_person(name="Nadia K."):
    person = factories.make_user(full_name=name)
    youth_profile_create(
        user=person, date_of_birth=dt.date(2002, 3, 4), heritage_countries=["MU"], consent=True
    )
    return person


# Who sees what -----------------------------------------------------------------------------


def test_visitors_see_only_published_recommendations(client, three):
    body = client.get(reverse("alliance:recommendations")).content.decode()
    assert "Published on green skills" in body
    assert "Open on climate bonds" not in body and "Draft on remittance fees" not in body
    assert (
        client.get(reverse("alliance:recommendation", args=[three["open"].pk])).status_code == 404
    )
    assert (
        client.get(reverse("alliance:recommendation", args=[three["draft"].pk])).status_code == 404
    )


def test_members_also_see_those_open_for_input_and_staff_see_drafts(client, three, member, staff):
    client.force_login(member)
    body = client.get(reverse("alliance:recommendations")).content.decode()
    assert "Open on climate bonds" in body and "Published on green skills" in body
    assert "Draft on remittance fees" not in body
    client.force_login(staff)
    body = client.get(reverse("alliance:recommendations")).content.decode()
    assert "Draft on remittance fees" in body


def test_signed_in_people_outside_the_alliance_see_only_published(client, three):
    client.force_login(factories.make_user(full_name="Just Signed Up"))
    body = client.get(reverse("alliance:recommendations")).content.decode()
    assert "Open on climate bonds" not in body and "Published on green skills" in body


def test_the_list_filters_by_sector_and_status_with_htmx_and_without(client, three, member, staff):
    health = drafting.track_create(
        actor=staff, sector=Sector.objects.get(slug="health"), title="Health"
    )
    make_recommendation(staff, health, "published", title_en="Health workers abroad")
    client.force_login(member)
    url = reverse("alliance:recommendations")
    plain = client.get(url, {"sector": Sector.objects.get(slug="health").pk}).content.decode()
    assert "Health workers abroad" in plain and "Published on green skills" not in plain
    partial = client.get(url, {"status": "open"}, headers={"HX-Request": "true"})
    body = partial.content.decode()
    assert "<html" not in body and 'id="results"' in body
    assert "Open on climate bonds" in body and "Published on green skills" not in body
    assert "HX-Request" in partial["Vary"]


def test_a_list_item_shows_its_tags_and_counts(client, three, staff, member, focal_point):
    recommendation = three["open"]
    drafting.recommendation_update(
        actor=staff,
        recommendation=recommendation,
        sdg_goals=[8, 13],
        gcm_objectives=[19],
        capitals=DiasporaCapital.objects.filter(slug="economic"),
    )
    recommendation_inputs.input_create(
        author=member, recommendation=recommendation, kind="comment", text="More detail"
    )
    recommendation_inputs.input_create(
        author=youth_person(), recommendation=recommendation, kind="comment", text="Include us"
    )
    endorsements.endorse(
        actor=focal_point,
        recommendation=recommendation,
        member_state=focal_point.memberships.get().organization.member_state,
    )
    client.force_login(member)
    body = client.get(reverse("alliance:recommendations"), {"status": "open"}).content.decode()
    assert "SDG</abbr> 8" in body and "SDG</abbr> 13" in body and "GCM</abbr> 19" in body
    assert "Economic capital" in body and "capital capital" not in body
    assert "Endorsed by 1 member state" in body
    assert "2 inputs" in body and "1 youth voice" in body


# Languages --------------------------------------------------------------------------------


def test_the_original_is_shown_and_marked_when_the_readers_language_is_missing(
    client, staff, track, member
):
    recommendation = make_recommendation(
        staff,
        track,
        "open",
        original_language="es",
        title_en="",
        text_en="",
        title_es="Bonos verdes de la diáspora",
        text_es="<p>Emitir bonos.</p>",
    )
    client.force_login(member)
    listing = client.get(reverse("alliance:recommendations")).content.decode()
    assert "Bonos verdes de la diáspora" in listing
    assert "(original language: Spanish)" in listing
    page = client.get(reverse("alliance:recommendation", args=[recommendation.pk])).content.decode()
    assert '<div class="rich-text" lang="es"><p>Emitir bonos.</p></div>' in page
    assert "shown in its original language, Spanish" in page


def test_a_reader_sees_their_own_language_where_it_exists_without_a_marker(
    client, staff, track, member
):
    recommendation = make_recommendation(
        staff,
        track,
        "open",
        original_language="en",
        title_en="Diaspora green bonds",
        text_en="<p>Issue bonds.</p>",
        title_fr="Obligations vertes de la diaspora",
        text_fr="<p>Émettre des obligations.</p>",
    )
    member.preferred_language = "fr"
    member.save()
    client.force_login(member)
    page = client.get(reverse("alliance:recommendation", args=[recommendation.pk])).content.decode()
    assert "Obligations vertes de la diaspora" in page
    assert '<div class="rich-text" lang="fr"><p>Émettre des obligations.</p></div>' in page
    assert "Diaspora green bonds" not in page
    assert "original" not in page.split("<h1>")[1].split("</h1>")[0]


# The page ---------------------------------------------------------------------------------


def test_the_page_shows_track_closing_date_in_the_readers_zone_and_invited_sessions(
    client, staff, track, member, leader
):
    start = timezone.now() + dt.timedelta(days=3)
    session = session_create(
        actor=staff,
        title="Climate working group",
        kind=AllianceSession.Kind.WORKING_GROUP,
        time_zone="UTC",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        format=AllianceSession.Format.ONLINE,
        join_url="https://meet.example.org/climate",
        status=AllianceSession.Status.SCHEDULED,
    )
    session_invite(actor=staff, session=session, emails=[member.email])
    drafting.track_update(actor=staff, track=track, sessions=[session])
    recommendation = make_recommendation(staff, track, "open", rationale="<p>Because.</p>")
    recommendation.input_closes_at = dt.datetime(2031, 5, 10, 12, 0, tzinfo=dt.UTC)
    recommendation.save()
    member.time_zone = "Pacific/Fiji"
    member.save()
    client.force_login(member)
    page = client.get(reverse("alliance:recommendation", args=[recommendation.pk])).content.decode()
    assert "Climate Action" in page and "Because." in page
    assert "May 11, 2031, midnight" in page or "11 May 2031" in page
    assert "Pacific/Fiji" in page
    assert "Climate working group" in page
    client.force_login(leader)
    page = client.get(reverse("alliance:recommendation", args=[recommendation.pk])).content.decode()
    assert "Climate working group" not in page


def test_inputs_are_for_the_alliance_and_visitors_see_only_the_counts(client, staff, track, member):
    recommendation = make_recommendation(staff, track, "open")
    recommendation_inputs.input_create(
        author=member, recommendation=recommendation, kind="comment", text="Private thought"
    )
    for status in ("review", "endorsed", "published"):
        drafting.recommendation_transition(
            actor=staff, recommendation=recommendation, status=status
        )
    page = client.get(reverse("alliance:recommendation", args=[recommendation.pk])).content.decode()
    assert "1 input" in page
    assert "Private thought" not in page and member.full_name not in page
    client.force_login(member)
    page = client.get(reverse("alliance:recommendation", args=[recommendation.pk])).content.decode()
    assert "Private thought" in page


def test_script_in_an_input_never_runs_even_when_it_bypassed_the_service(
    client, staff, track, member
):
    recommendation = make_recommendation(staff, track, "open")
    given = recommendation_inputs.input_create(
        author=member,
        recommendation=recommendation,
        kind="amendment",
        text='<p>Fine <img src=x onerror="alert(1)"><script>alert(2)</script></p>',
        proposed_text='<a href="javascript:alert(3)">link</a><b>Bold</b>',
    )
    client.force_login(member)
    url = reverse("alliance:recommendation", args=[recommendation.pk])
    page = client.get(url).content.decode()
    assert "Fine" in page and "<b>Bold</b>" in page
    for attack in ("alert(1)", "alert(2)", "javascript:", "onerror"):
        assert attack not in page
    RecommendationInput.objects.filter(pk=given.pk).update(
        text="<p>Raw</p><script>alert(4)</script>", response="<script>alert(5)</script>"
    )
    page = client.get(url).content.decode()
    assert "<p>Raw</p>" in page
    assert "<script>alert(4)" not in page and "<script>alert(5)" not in page
    assert "&lt;script&gt;alert(5)" in page


def test_unpublished_content_is_never_in_a_visitors_html(client, three, staff, member):
    recommendation_inputs.input_create(
        author=member, recommendation=three["open"], kind="comment", text="Hidden input"
    )
    pages = [
        client.get(reverse("alliance:recommendations")),
        client.get(reverse("alliance:recommendations"), {"status": "open"}),
        client.get(reverse("alliance:recommendation", args=[three["published"].pk])),
        client.get(reverse("portal:home")),
    ]
    for response in pages:
        body = response.content.decode()
        for secret in ("Open on climate bonds", "Draft on remittance fees", "Hidden input"):
            assert secret not in body


def test_the_public_navigation_links_the_recommendations(client):
    body = client.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("alliance:recommendations")}"' in body


# Dashboard --------------------------------------------------------------------------------


def test_the_dashboard_lists_recommendations_open_for_the_members_input(
    client, three, member, staff
):
    recommendation_inputs.input_create(
        author=member, recommendation=three["open"], kind="comment", text="Mine"
    )
    client.force_login(member)
    body = client.get(reverse("portal:dashboard")).content.decode()
    assert "Recommendations open for your input" in body
    assert "Open on climate bonds" in body and "You gave input" in body
    assert "1 input," in body and "of which 0 youth voices" in body
    assert "Published on green skills" not in body
    # The same list for another member of the organization, without the badge: whether
    # input was given is read for each person.
    other = factories.add_member(staff=staff, organization=member.memberships.get().organization)
    client.force_login(other)
    body = client.get(reverse("portal:dashboard")).content.decode()
    assert "Open on climate bonds" in body and "You gave input" not in body
    client.force_login(staff)
    assert "Recommendations open for your input" not in (
        client.get(reverse("portal:dashboard")).content.decode()
    )
    client.force_login(factories.make_user(full_name="Nobody Yet"))
    assert "Recommendations open for your input" not in (
        client.get(reverse("portal:dashboard")).content.decode()
    )


# Query counts -----------------------------------------------------------------------------


def _queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


def _grow_to(count, staff, track, member, focal_point):
    capitals = list(DiasporaCapital.objects.all()[:2])
    state = focal_point.memberships.get().organization.member_state
    while Recommendation.objects.count() < count:
        recommendation = make_recommendation(
            staff, track, "open", title_en=f"Recommendation {Recommendation.objects.count()}"
        )
        recommendation.capitals.set(capitals)
        recommendation_inputs.input_create(
            author=member, recommendation=recommendation, kind="comment", text="A view"
        )
        endorsements.endorse(actor=focal_point, recommendation=recommendation, member_state=state)


def test_the_list_runs_the_same_queries_for_3_and_30_recommendations(
    client, staff, track, member, focal_point, django_assert_max_num_queries
):
    client.force_login(member)
    url = reverse("alliance:recommendations")
    _grow_to(3, staff, track, member, focal_point)
    small = _queries(client, url)
    _grow_to(30, staff, track, member, focal_point)
    large = _queries(client, url)
    assert small == large
    with django_assert_max_num_queries(small):
        client.get(url, {"status": "open"})


def test_the_page_runs_the_same_queries_for_3_and_30_inputs(
    client, staff, track, member, focal_point, leader, django_assert_max_num_queries
):
    recommendation = make_recommendation(staff, track, "open")
    people = [member]

    def grow(count):
        while recommendation.inputs.count() < count:
            person = youth_person(f"Youth {recommendation.inputs.count()}")
            people.append(person)
            recommendation_inputs.input_create(
                author=person, recommendation=recommendation, kind="comment", text="More"
            )

    url = reverse("alliance:recommendation", args=[recommendation.pk])
    grow(3)
    client.force_login(staff)
    small_staff = _queries(client, url)
    client.force_login(member)
    small = _queries(client, url)
    grow(30)
    assert _queries(client, url) == small
    client.force_login(staff)
    assert _queries(client, url) == small_staff
    with django_assert_max_num_queries(small_staff):
        client.get(url)


def test_the_dashboard_panel_runs_one_query_whatever_the_number_open(
    rf, staff, track, member, focal_point
):
    from alliance.dashboard import recommendations_context

    _grow_to(2, staff, track, member, focal_point)
    request = rf.get("/")
    request.user = member
    recommendations_context(request)  # memberships and roles are loaded once per request
    with CaptureQueriesContext(connection) as small:
        context = recommendations_context(request)
    assert len(context["open_recommendations"]) == 2
    _grow_to(10, staff, track, member, focal_point)
    with CaptureQueriesContext(connection) as large:
        context = recommendations_context(request)
    assert len(context["open_recommendations"]) == 5
    assert len(small) == len(large) == 1


def test_script_in_the_recommendations_text_or_rationale_never_runs(client, three):
    recommendation = three["published"]
    Recommendation.objects.filter(pk=recommendation.pk).update(
        text_en='<p>Kept</p><script>alert("text")</script>',
        rationale='<p onclick="alert(1)">Why</p><iframe src="https://evil.example"></iframe>',
    )
    page = client.get(reverse("alliance:recommendation", args=[recommendation.pk])).content.decode()
    assert "<p>Kept</p>" in page and "<p>Why</p>" in page
    for attack in ('alert("text")', "onclick", "<iframe"):
        assert attack not in page


def test_inputs_are_paginated_newest_first(client, staff, track, member):
    recommendation = make_recommendation(staff, track, "open")
    for number in range(25):
        recommendation_inputs.input_create(
            author=member,
            recommendation=recommendation,
            kind="comment",
            text=f"Input number {number:02d}",
        )
    client.force_login(member)
    url = reverse("alliance:recommendation", args=[recommendation.pk])
    first = client.get(url).content.decode()
    assert "Input number 24" in first and "Input number 00" not in first
    assert "25 inputs," in first and "Page 1 of 2" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert "Input number 00" in second and "Input number 24" not in second

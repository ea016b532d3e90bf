"""Staff authoring of recommendations: tracks, drafting in several languages, safe text,
tags, read-only after endorsement, and lifecycle steps with their confirmation pages."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from alliance import services as alliance_services
from alliance.models import AllianceSession, DiasporaCapital, Recommendation, Sector
from alliance.services import recommendations as services

pytestmark = pytest.mark.django_db


@pytest.fixture
def track(staff):
    return services.track_create(
        actor=staff, sector=Sector.objects.get(slug="health"), title="Health and Well-being"
    )


@pytest.fixture
def draft(staff, track):
    return services.recommendation_create(
        actor=staff,
        track=track,
        original_language="en",
        title_en="Portable health insurance",
        text_en="<p>Let diaspora members keep cover when they move.</p>",
    )


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def _form(**fields) -> dict:
    return {"original_language": "en", "nexus_pillar": "", **fields}


def _field_errors(body: str, field: str) -> str:
    found = re.search(rf'id="id_{field}_error">(.*?)</div>', body, re.S)
    assert found, f"no error next to {field}"
    return found.group(1)


# Tracks -----------------------------------------------------------------------------------


def test_staff_open_a_track_for_a_sector_added_as_data_with_its_sessions(staff, staff_client):
    sector = alliance_services.sector_create(actor=staff, name_en="Remittances")
    start = timezone.now() + dt.timedelta(days=5)
    session = alliance_services.session_create(
        actor=staff,
        title="Remittances round table",
        kind=AllianceSession.Kind.WORKING_GROUP,
        time_zone="UTC",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        format=AllianceSession.Format.ONLINE,
        join_url="https://meet.example.org/r",
        status=AllianceSession.Status.SCHEDULED,
    )
    page = staff_client.get(reverse("alliance:track_create"))
    assert "Remittances" in page.text and "Remittances round table" in page.text

    response = staff_client.post(
        reverse("alliance:track_create"),
        {"sector": sector.pk, "title": "Cheaper remittances", "sessions": [session.pk]},
    )
    track = sector.tracks.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("alliance:staff_track", args=[track.pk])
    assert list(track.sessions.all()) == [session]
    shown = staff_client.get(response["Location"])
    assert "Cheaper remittances" in shown.text and "Remittances round table" in shown.text


def test_a_track_without_title_or_sector_shows_the_errors_and_saves_nothing(staff_client):
    response = staff_client.post(reverse("alliance:track_create"), {"sessions": ["999999"]})
    assert response.status_code == 422
    assert "Choose the sector" in _field_errors(response.text, "sector")
    assert "Enter the title of the track" in _field_errors(response.text, "title")
    assert "Choose one of the options in the list" in _field_errors(response.text, "sessions")
    assert "There is a problem" in response.text


def test_the_tracks_list_counts_recommendations_by_status_in_fixed_queries(
    staff, staff_client, track, draft, django_assert_max_num_queries
):
    services.recommendation_transition(
        actor=staff,
        recommendation=services.recommendation_create(
            actor=staff, track=track, original_language="en", title_en="Two", text_en="Two"
        ),
        status="open",
        input_closes_at=timezone.now() + dt.timedelta(days=3),
    )
    response = staff_client.get(reverse("alliance:staff_tracks"))
    assert "Draft: 1" in response.text and "Open for input: 1" in response.text

    climate = Sector.objects.get(slug="climate")
    with django_assert_max_num_queries(12) as few:
        staff_client.get(reverse("alliance:staff_tracks"))
    for n in range(10):
        services.track_create(actor=staff, sector=climate, title=f"Climate {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        many = staff_client.get(reverse("alliance:staff_tracks"))
    assert "Climate 9" in many.text

    only_climate = staff_client.get(reverse("alliance:staff_tracks"), {"sector": climate.pk})
    assert "Climate 9" in only_climate.text and "Health and Well-being</a>" not in only_climate.text


# Drafting ---------------------------------------------------------------------------------


def test_staff_draft_with_translations_and_tags_and_see_what_is_missing(staff_client, track):
    capital = DiasporaCapital.objects.order_by("position").first()
    response = staff_client.post(
        reverse("alliance:recommendation_create", args=[track.pk]),
        _form(
            title_en="Portable pensions",
            text_en="<p>Let pensions follow people.</p>",
            title_fr="Retraites portables",
            text_fr="<p>Que les retraites suivent les personnes.</p>",
            rationale="Workers move.",
            capitals=[capital.pk],
            sdg_goals=["10", "8"],
            gcm_objectives=["19", "22"],
            nexus_pillar="development",
        ),
    )
    recommendation = track.recommendations.get()
    assert response.status_code == 302
    assert recommendation.title_fr == "Retraites portables"
    assert recommendation.sdg_goals == [8, 10] and recommendation.gcm_objectives == [19, 22]
    assert list(recommendation.capitals.all()) == [capital]
    assert recommendation.nexus_pillar == "development"
    assert recommendation.history.get().history_user.pk == track.created_by.pk

    services.recommendation_create(
        actor=track.created_by, track=track, original_language="en", title_en="Only", text_en="E"
    )
    page = staff_client.get(reverse("alliance:staff_track", args=[track.pk]))
    assert "Spanish missing" in page.text and "French and Spanish missing" in page.text
    edit = staff_client.get(reverse("alliance:recommendation_edit", args=[recommendation.pk]))
    assert 'lang="fr"' in edit.text and "Reduced inequalities" in edit.text
    assert "Create conditions for migrants and diasporas" in edit.text
    assert "&lt;strong&gt;" in edit.text  # the allowed tags are named in the hint


def test_the_original_language_needs_its_title_and_text_next_to_the_fields(staff_client, track):
    response = staff_client.post(
        reverse("alliance:recommendation_create", args=[track.pk]),
        _form(original_language="es", title_en="English only", text_en="Text"),
    )
    assert response.status_code == 422
    assert "Enter the title in the original language" in _field_errors(response.text, "title_es")
    assert "Enter the text in the original language" in _field_errors(response.text, "text_es")
    assert not track.recommendations.exists()


def test_script_in_the_form_is_stored_sanitized_and_shown_escaped(staff, staff_client, track):
    response = staff_client.post(
        reverse("alliance:recommendation_create", args=[track.pk]),
        _form(
            title_en="Remittances <script>alert('t')</script>",
            text_en=(
                '<p onclick="steal()">Lower costs</p><script>alert("x")</script>'
                '<a href="javascript:alert(1)">link</a><img src=x onerror=alert(1)>'
            ),
        ),
    )
    assert response.status_code == 302
    recommendation = track.recommendations.get()
    for bad in ("<script", "onclick", "javascript:", "onerror", "<img"):
        assert bad not in recommendation.text_en
    assert "<p>Lower costs</p>" in recommendation.text_en

    for status in ("open", "review", "endorsed"):  # read-only: the text is rendered as HTML
        services.recommendation_transition(
            actor=staff,
            recommendation=recommendation,
            status=status,
            input_closes_at=timezone.now() + dt.timedelta(days=2),
        )
    for url in (
        reverse("alliance:recommendation_edit", args=[recommendation.pk]),
        reverse("alliance:staff_track", args=[track.pk]),
        reverse("alliance:recommendation_versions", args=[recommendation.pk]),
    ):
        body = staff_client.get(url).text
        assert "<script>alert(" not in body
        assert "&lt;script&gt;alert(" in body  # the title, escaped
    assert (
        "<p>Lower costs</p>"
        in staff_client.get(reverse("alliance:recommendation_edit", args=[recommendation.pk])).text
    )


@pytest.mark.parametrize(("field", "value"), [("sdg_goals", "18"), ("gcm_objectives", "24")])
def test_a_goal_out_of_range_is_a_field_error_and_nothing_changes(
    staff_client, draft, field, value
):
    response = staff_client.post(
        reverse("alliance:recommendation_edit", args=[draft.pk]),
        _form(title_en="Changed", text_en="Changed", **{field: ["3", value]}),
    )
    assert response.status_code == 422
    expected = "Choose goals from 1 to 17" if field == "sdg_goals" else "from 1 to 23"
    assert expected in _field_errors(response.text, field)
    draft.refresh_from_db()
    assert draft.title_en == "Portable health insurance"
    assert draft.history.count() == 1


def test_after_endorsement_the_page_is_read_only_and_a_posted_edit_is_refused(
    staff, staff_client, draft
):
    for status in ("open", "review", "endorsed"):
        services.recommendation_transition(
            actor=staff,
            recommendation=draft,
            status=status,
            input_closes_at=timezone.now() + dt.timedelta(days=2),
        )
    url = reverse("alliance:recommendation_edit", args=[draft.pk])
    page = staff_client.get(url)
    assert "A recommendation that is endorsed can no longer be changed." in page.text
    assert 'name="title_en"' not in page.text
    assert "Portable health insurance" in page.text

    response = staff_client.post(url, _form(title_en="Reworded", text_en="<p>New</p>"))
    assert response.status_code == 422
    assert "can no longer be changed" in response.text
    draft.refresh_from_db()
    assert draft.title_en == "Portable health insurance"


# Lifecycle --------------------------------------------------------------------------------


def test_opening_for_input_asks_for_a_closing_time_in_the_staff_members_zone(
    staff, staff_client, draft
):
    staff.time_zone = "Pacific/Fiji"
    staff.save(update_fields=["time_zone"])
    url = reverse("alliance:recommendation_transition", args=[draft.pk, "open"])
    page = staff_client.get(url)
    assert page.status_code == 200
    assert "Fiji" in page.text and "Pacific/Fiji" in page.text  # the hint names the zone
    draft.refresh_from_db()
    assert draft.status == "draft"  # the confirmation page changes nothing

    empty = staff_client.post(url, {})
    assert empty.status_code == 422
    assert "Enter the date and time input closes" in _field_errors(empty.text, "input_closes")

    past = staff_client.post(url, {"input_closes": "2020-01-10T17:00"})
    assert past.status_code == 422
    assert "closing date for input in the future" in _field_errors(past.text, "input_closes")
    draft.refresh_from_db()
    assert draft.status == "draft"

    done = staff_client.post(url, {"input_closes": "2030-01-10T17:00"})
    assert done.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "open"
    assert draft.input_closes_at == dt.datetime(2030, 1, 10, 17, 0, tzinfo=ZoneInfo("Pacific/Fiji"))
    shown = staff_client.get(done["Location"])
    assert "Input closes 10 January 2030, 17:00, Fiji" in shown.text


def test_each_allowed_step_is_offered_and_a_jump_is_explained_not_taken(staff_client, draft):
    page = staff_client.get(reverse("alliance:recommendation_edit", args=[draft.pk]))
    for step in ("open", "withdrawn"):
        assert reverse("alliance:recommendation_transition", args=[draft.pk, step]) in page.text
    assert reverse("alliance:recommendation_transition", args=[draft.pk, "published"]) not in (
        page.text
    )

    url = reverse("alliance:recommendation_transition", args=[draft.pk, "published"])
    confirm = staff_client.get(url)
    assert "A recommendation that is draft cannot become published." in confirm.text
    assert f'action="{url}"' not in confirm.text
    refused = staff_client.post(url)
    assert refused.status_code == 422
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert (
        staff_client.get(
            reverse("alliance:recommendation_transition", args=[draft.pk, "nonsense"])
        ).status_code
        == 404
    )


def test_withdrawing_asks_first_then_withdraws(staff_client, draft):
    url = reverse("alliance:recommendation_transition", args=[draft.pk, "withdrawn"])
    confirm = staff_client.get(url)
    assert "This cannot be undone." in confirm.text and "input_closes" not in confirm.text
    response = staff_client.post(url)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Recommendation.Status.WITHDRAWN
    assert "Its lifecycle is over" in staff_client.get(response["Location"]).text


# Authority --------------------------------------------------------------------------------


def test_staff_without_two_factor_are_sent_to_set_it_up_and_change_nothing(
    client, staff_without_mfa, track
):
    client.force_login(staff_without_mfa)
    page = client.get(reverse("alliance:staff_tracks"))
    assert page.status_code == 302 and page["Location"] == reverse("mfa_activate_totp")
    response = client.post(
        reverse("alliance:recommendation_create", args=[track.pk]),
        _form(title_en="Sneaky", text_en="Sneaky"),
    )
    assert response.status_code == 302
    assert not track.recommendations.exists()


def test_staff_whose_session_skipped_the_second_factor_change_nothing(
    password_only_login, staff, draft
):
    client = password_only_login(staff)
    url = reverse("alliance:recommendation_transition", args=[draft.pk, "withdrawn"])
    assert client.post(url).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_the_staff_workspace_links_the_tracks(staff_client, member, client):
    menu = staff_client.get(reverse("portal:dashboard")).text
    assert reverse("alliance:staff_tracks") in menu and "Recommendation tracks" in menu
    client.force_login(member)
    assert reverse("alliance:staff_tracks") not in client.get(reverse("portal:dashboard")).text


def test_the_audit_log_names_the_changed_wording_in_words(staff_client, draft):
    staff_client.post(
        reverse("alliance:recommendation_edit", args=[draft.pk]),
        _form(
            title_en="Portable health insurance",
            text_en="<p>Let diaspora members keep cover when they move.</p>",
            title_fr="Assurance santé portable",
            sdg_goals=["3"],
        ),
    )
    log = re.sub(r"\s+", " ", staff_client.get(reverse("audit:log")).text)
    assert "Recommendation reworded" in log
    assert "Title (French)</span>: — " in log and "Sustainable Development Goals</span>" in log
    assert "Track</span>: Health and Well-being" in log
    assert "title_fr" not in log


def test_changing_only_the_capitals_is_audited_without_a_new_version(staff_client, draft):
    capital = DiasporaCapital.objects.order_by("position").first()
    staff_client.post(
        reverse("alliance:recommendation_edit", args=[draft.pk]),
        _form(
            title_en="Portable health insurance",
            text_en="<p>Let diaspora members keep cover when they move.</p>",
            capitals=[capital.pk],
        ),
    )
    assert list(draft.capitals.all()) == [capital]
    assert draft.history.count() == 1
    log = re.sub(r"\s+", " ", staff_client.get(reverse("audit:log")).text)
    assert "Diaspora capitals</span>: — <span" in log and capital.name in log


@pytest.mark.parametrize("count", [2, 12])
def test_a_tracks_recommendations_page_runs_a_fixed_number_of_queries(
    staff, staff_client, track, count, django_assert_max_num_queries
):
    for n in range(count):
        services.recommendation_create(
            actor=staff, track=track, original_language="en", title_en=f"R{n}", text_en="T"
        )
    with django_assert_max_num_queries(9):
        response = staff_client.get(reverse("alliance:staff_track", args=[track.pk]))
    assert response.text.count("French and Spanish missing") == count

"""Recommendations: drafting in several languages, safe text, versions, the lifecycle."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from alliance.models import Recommendation, Sector
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
        sdg_goals=[3, "10"],
        gcm_objectives=[19],
    )


def test_the_reader_sees_their_language_where_it_exists_and_the_original_otherwise(staff, draft):
    services.recommendation_update(
        actor=staff, recommendation=draft, title_fr="Assurance santé portable"
    )
    draft.refresh_from_db()
    assert draft.title_in("fr") == ("Assurance santé portable", False)
    assert draft.title_in("es") == ("Portable health insurance", True)
    with translation.override("fr"):
        assert str(draft) == "Assurance santé portable"
    assert draft.missing_translations == ["fr", "es"]  # French has a title but no text


def test_scripts_and_event_handlers_never_reach_the_stored_text(staff, track):
    recommendation = services.recommendation_create(
        actor=staff,
        track=track,
        original_language="es",
        title_es="Remesas <script>alert(1)</script>",
        text_es=(
            '<p onmouseover="steal()">Reducir costes</p><script>alert(1)</script>'
            '<a href="javascript:alert(1)">enlace</a><img src=x onerror=alert(1)>'
        ),
    )
    stored = Recommendation.objects.get(pk=recommendation.pk)
    assert "<script" not in stored.text_es and "onmouseover" not in stored.text_es
    assert "javascript:" not in stored.text_es and "onerror" not in stored.text_es
    assert "<p>Reducir costes</p>" in stored.text_es


def test_the_original_language_needs_a_title_and_a_text(staff, track):
    with pytest.raises(ValidationError) as caught:
        services.recommendation_create(
            actor=staff, track=track, original_language="fr", title_en="Only English"
        )
    assert set(caught.value.message_dict) >= {"title_fr", "text_fr"}
    assert not Recommendation.objects.exists()


@pytest.mark.parametrize(
    ("field", "values"), [("sdg_goals", [0]), ("sdg_goals", [18]), ("gcm_objectives", [24])]
)
def test_tags_out_of_range_are_refused(staff, draft, field, values):
    with pytest.raises(ValidationError) as caught:
        services.recommendation_update(actor=staff, recommendation=draft, **{field: values})
    assert field in caught.value.message_dict
    draft.refresh_from_db()
    assert draft.sdg_goals == [3, 10] and draft.gcm_objectives == [19]


def test_every_change_of_wording_is_a_version_and_an_unchanged_save_is_not(staff, draft):
    services.recommendation_update(
        actor=staff, recommendation=draft, text_en="<p>Keep cover across borders.</p>"
    )
    services.recommendation_update(
        actor=staff, recommendation=draft, text_en="<p>Keep cover across borders.</p>"
    )
    versions = list(draft.history.order_by("history_date"))
    assert len(versions) == 2
    delta = versions[1].diff_against(versions[0])
    assert [c.field for c in delta.changes] == ["text_en"]
    assert versions[1].history_user == staff


def test_open_for_input_needs_a_closing_date_in_the_future(staff, draft):
    with pytest.raises(ValidationError, match="closing date"):
        services.recommendation_transition(
            actor=staff,
            recommendation=draft,
            status="open",
            input_closes_at=timezone.now() - dt.timedelta(hours=1),
        )
    opened = services.recommendation_transition(
        actor=staff,
        recommendation=draft,
        status="open",
        input_closes_at=timezone.now() + dt.timedelta(days=14),
    )
    assert opened.accepts_input()
    assert not opened.accepts_input(now=timezone.now() + dt.timedelta(days=15))


def test_the_lifecycle_refuses_a_jump_and_says_why(staff, draft):
    with pytest.raises(ValidationError, match="draft cannot become published"):
        services.recommendation_transition(actor=staff, recommendation=draft, status="published")
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_nothing_changes_the_wording_after_endorsement(staff, draft):
    for status in ("open", "review", "endorsed"):
        services.recommendation_transition(
            actor=staff,
            recommendation=draft,
            status=status,
            input_closes_at=timezone.now() + dt.timedelta(days=3),
        )
    with pytest.raises(ValidationError, match="can no longer be changed"):
        services.recommendation_update(actor=staff, recommendation=draft, title_en="New")
    published = services.recommendation_transition(
        actor=staff, recommendation=draft, status="published"
    )
    assert published.published_at is not None
    assert published.next_statuses == []


def test_readers_see_the_words_that_changed_between_versions(staff, draft):
    from alliance.recommendation_history import changes_between, versions_of

    services.recommendation_update(
        actor=staff,
        recommendation=draft,
        text_en="<p>Let diaspora members keep their cover when they <em>return</em>.</p>",
    )
    newer, older = list(versions_of(draft))[:2]
    [change] = changes_between(older, newer)
    assert change.field == "text_en"
    assert change.runs == [
        ("same", "Let diaspora members keep"),
        ("added", "their"),
        ("same", "cover when they"),
        ("removed", "move."),
        ("added", "return."),
    ]

"""Recommendation tracks and recommendations: drafting, translating, the lifecycle.

Every change of a recommendation's wording is a version kept by django-simple-history
(``Recommendation.history``), attributed to the person who made it. Change detection
compares real values (the model's fields), never audit snapshots.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gdpa.audit.services import audit_record, snapshot
from gdpa.portal.richtext import sanitize_html

from ..models import Recommendation, RecommendationTrack
from ..models.recommendations import GCM_RANGE, LANGUAGE_CODES, SDG_RANGE

TRACK_FIELDS = ["sector", "title", "description"]
TEXT_FIELDS = [f"{field}_{code}" for field in ("title", "text") for code in LANGUAGE_CODES]
TAG_FIELDS = ["sdg_goals", "gcm_objectives", "nexus_pillar"]
RECOMMENDATION_FIELDS = ["original_language", *TEXT_FIELDS, "rationale", *TAG_FIELDS]


@transaction.atomic
def track_create(*, actor, sessions=(), **fields) -> RecommendationTrack:
    track = RecommendationTrack(created_by=actor, **fields)
    track.full_clean()
    track.save()
    track.sessions.set(sessions)
    audit_record(
        actor=actor, action="recommendation_track.create", target=track, after=_track(track)
    )
    return track


@transaction.atomic
def track_update(*, actor, track: RecommendationTrack, sessions=None, **fields):
    track = RecommendationTrack.objects.select_for_update().get(pk=track.pk)
    before = _track(track)
    for name, value in fields.items():
        setattr(track, name, value)
    track.full_clean()
    track.save()
    if sessions is not None:
        track.sessions.set(sessions)
    audit_record(
        actor=actor,
        action="recommendation_track.update",
        target=track,
        before=before,
        after=_track(track),
    )
    return track


def _track(track: RecommendationTrack) -> dict:
    return {
        **snapshot(track, TRACK_FIELDS),
        "sessions": sorted(track.sessions.values_list("pk", flat=True)),
    }


def _numbers(values, bounds: tuple[int, int], field: str, message) -> list[int]:
    try:
        numbers = sorted({int(v) for v in values or []})
    except (TypeError, ValueError):
        raise ValidationError({field: message}) from None
    if any(not bounds[0] <= n <= bounds[1] for n in numbers):
        raise ValidationError({field: message})
    return numbers


def _clean(recommendation: Recommendation) -> None:
    """Sanitize the texts, normalise the tags, and check that the original language
    has both a title and a text."""
    for code in LANGUAGE_CODES:
        setattr(
            recommendation, f"text_{code}", sanitize_html(getattr(recommendation, f"text_{code}"))
        )
        setattr(recommendation, f"title_{code}", getattr(recommendation, f"title_{code}").strip())
    recommendation.rationale = sanitize_html(recommendation.rationale)
    recommendation.sdg_goals = _numbers(
        recommendation.sdg_goals, SDG_RANGE, "sdg_goals", _("Choose goals from 1 to 17")
    )
    recommendation.gcm_objectives = _numbers(
        recommendation.gcm_objectives,
        GCM_RANGE,
        "gcm_objectives",
        _("Choose objectives from 1 to 23"),
    )
    original = recommendation.original_language
    errors = {}
    if not getattr(recommendation, f"title_{original}", ""):
        errors[f"title_{original}"] = _("Enter the title in the original language")
    if not getattr(recommendation, f"text_{original}", ""):
        errors[f"text_{original}"] = _("Enter the text in the original language")
    try:
        recommendation.full_clean()
    except ValidationError as exc:
        errors = {**exc.message_dict, **errors}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def recommendation_create(
    *, actor, track: RecommendationTrack, capitals=(), **fields
) -> Recommendation:
    recommendation = Recommendation(track=track, created_by=actor, **fields)
    _clean(recommendation)
    recommendation.position = track.recommendations.count() + 1
    recommendation._history_user = actor
    recommendation.save()
    recommendation.capitals.set(capitals)
    audit_record(
        actor=actor,
        action="recommendation.create",
        target=recommendation,
        after=snapshot(recommendation, ["track", "original_language", "status"]),
    )
    return recommendation


@transaction.atomic
def recommendation_update(
    *, actor, recommendation: Recommendation, capitals=None, **fields
) -> Recommendation:
    """Change the wording or tags. Refused once the recommendation is endorsed,
    published or withdrawn. A save that changes nothing keeps no new version."""
    recommendation = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    if not recommendation.is_editable:
        raise ValidationError(
            _("A recommendation that is %(status)s can no longer be changed.")
            % {"status": recommendation.get_status_display().lower()}
        )
    before = {name: getattr(recommendation, name) for name in RECOMMENDATION_FIELDS}
    for name, value in fields.items():
        if name not in RECOMMENDATION_FIELDS:
            raise ValueError(f"{name} is not a field staff edit")
        setattr(recommendation, name, value)
    _clean(recommendation)
    after = {name: getattr(recommendation, name) for name in RECOMMENDATION_FIELDS}
    # The capitals are not part of the versioned wording, but changing them is a write
    # that the audit log records like any other.
    before["capitals"] = sorted(recommendation.capitals.values_list("pk", flat=True))
    if capitals is not None:
        recommendation.capitals.set(capitals)
    after["capitals"] = sorted(recommendation.capitals.values_list("pk", flat=True))
    changed = sorted(name for name in before if before[name] != after[name])
    if set(changed) - {"capitals"}:
        recommendation._history_user = actor
        recommendation.save()
    if changed:
        audit_record(
            actor=actor,
            action="recommendation.update",
            target=recommendation,
            before={name: before[name] for name in changed},
            after={name: after[name] for name in changed},
        )
    return recommendation


def transition_refusal(recommendation: Recommendation, status: str, *, input_closes_at=None):
    """Why ``recommendation`` cannot move to ``status`` now, in words; ``None`` if it can."""
    if status not in Recommendation.Status.values:
        return _("Choose one of the options in the list")
    if not recommendation.can_become(status):
        return _("A recommendation that is %(current)s cannot become %(target)s.") % {
            "current": recommendation.get_status_display().lower(),
            "target": Recommendation.Status(status).label.lower(),
        }
    if status == Recommendation.Status.OPEN and (
        input_closes_at is None or input_closes_at <= timezone.now()
    ):
        return _("Give a closing date for input in the future.")
    return None


@transaction.atomic
def recommendation_transition(
    *, actor, recommendation: Recommendation, status: str, input_closes_at=None
) -> Recommendation:
    recommendation = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    refusal = transition_refusal(recommendation, status, input_closes_at=input_closes_at)
    if refusal:
        raise ValidationError({"status": refusal})
    before = snapshot(recommendation, ["status", "input_closes_at"])
    recommendation.status = status
    if status == Recommendation.Status.OPEN:
        recommendation.input_closes_at = input_closes_at
    if status == Recommendation.Status.PUBLISHED:
        recommendation.published_at = timezone.now()
    recommendation._history_user = actor
    recommendation.save()
    audit_record(
        actor=actor,
        action="recommendation.transition",
        target=recommendation,
        before=before,
        after=snapshot(recommendation, ["status", "input_closes_at"]),
    )
    return recommendation

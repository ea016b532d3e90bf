"""IOM staff authoring of recommendations: tracks per sector, drafting and translating
recommendations, and moving them through their lifecycle (a confirmation page per step)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from gdpa.accounts.permissions import staff_required
from gdpa.portal.forms import apply_validation_error

from .. import authoring_selectors, permissions
from ..forms import RecommendationForm, RecommendationTransitionForm, TrackFilterForm, TrackForm
from ..frameworks import GCM_OBJECTIVES, SDG_GOALS
from ..models import Recommendation
from ..models.recommendations import LANGUAGE_CODES
from ..services import recommendations as services
from .common import filters_of

__all__ = [
    "recommendation_create",
    "recommendation_edit",
    "recommendation_transition",
    "staff_track",
    "staff_tracks",
    "track_create",
    "track_edit",
]

TRACKS_PER_PAGE = 20
RECOMMENDATIONS_PER_PAGE = 25

#: What each step is called on its button and confirmation page.
STEP_LABELS = {
    Recommendation.Status.OPEN: gettext_lazy("Open for input"),
    Recommendation.Status.REVIEW: gettext_lazy("Move to review"),
    Recommendation.Status.ENDORSED: gettext_lazy("Record as endorsed"),
    Recommendation.Status.PUBLISHED: gettext_lazy("Publish"),
    Recommendation.Status.WITHDRAWN: gettext_lazy("Withdraw"),
}


def _posted(request):
    """The posted data, even when empty (an empty form must show its errors)."""
    return request.POST if request.method == "POST" else None


def _status(request) -> int:
    return 422 if request.method == "POST" else 200


def missing_translations_text(recommendation: Recommendation) -> str:
    """ "French and Spanish missing", or "" when every translation is there."""
    names = dict(settings.LANGUAGES)
    missing = [str(names[code]) for code in recommendation.missing_translations]
    if not missing:
        return ""
    return _("%(languages)s missing") % {"languages": get_text_list(missing, _("and"))}


def locked_message(recommendation: Recommendation) -> str:
    return _("A recommendation that is %(status)s can no longer be changed.") % {
        "status": recommendation.get_status_display().lower()
    }


# Tracks -----------------------------------------------------------------------------------


@staff_required
def staff_tracks(request):
    search = TrackFilterForm(request.GET or None, auto_id="filter-%s")
    sector = filters_of(search).get("sector")
    page = Paginator(authoring_selectors.tracks_for_staff(sector=sector), TRACKS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    for track in page.object_list:
        track.counts = authoring_selectors.status_counts(track)
    return render(
        request,
        "alliance/recommendations/staff/tracks.html",
        {"page": page, "search": search, "searched": sector is not None},
    )


def _save_track(request, track=None):
    initial = TrackForm.initial_for(track) if track else {}
    form = TrackForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "sessions"}
        try:
            if track is None:
                track = services.track_create(
                    actor=request.user, sessions=form.cleaned_data["sessions"], **fields
                )
                messages.success(request, _("The track was opened."))
            else:
                track = services.track_update(
                    actor=request.user,
                    track=track,
                    sessions=form.cleaned_data["sessions"],
                    **fields,
                )
                messages.success(request, _("The track was saved."))
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return redirect("alliance:staff_track", track.pk)
    return render(
        request,
        "alliance/recommendations/staff/track_form.html",
        {"form": form, "track": track},
        status=_status(request),
    )


@staff_required
def track_create(request):
    return _save_track(request)


@staff_required
def track_edit(request, pk: int):
    return _save_track(request, permissions.access_track_to_manage(request.user, pk))


@staff_required
@require_http_methods(["GET", "HEAD"])
def staff_track(request, pk: int):
    """A track's recommendations with their status and missing translations."""
    track = permissions.access_track_to_manage(request.user, pk)
    page = Paginator(
        authoring_selectors.track_recommendations(track), RECOMMENDATIONS_PER_PAGE
    ).get_page(request.GET.get("page"))
    for recommendation in page.object_list:
        recommendation.missing_text = missing_translations_text(recommendation)
    return render(
        request,
        "alliance/recommendations/staff/track.html",
        {"track": track, "page": page, "sessions": track.sessions.order_by("starts_at")},
    )


# Recommendations --------------------------------------------------------------------------


def _read_only(recommendation: Recommendation) -> dict:
    """What the page shows instead of the form once the wording can no longer change."""
    names = dict(settings.LANGUAGES)
    return {
        "languages": [
            {
                "code": code,
                "name": names[code],
                "title": getattr(recommendation, f"title_{code}"),
                "text": getattr(recommendation, f"text_{code}"),
            }
            for code in LANGUAGE_CODES
        ],
        "sdg": [(n, SDG_GOALS[n]) for n in recommendation.sdg_goals],
        "gcm": [(n, GCM_OBJECTIVES[n]) for n in recommendation.gcm_objectives],
        "capitals": [capital.name for capital in recommendation.capitals.all()],
    }


def _recommendation_page(request, track, recommendation, form, *, status=200, locked=""):
    context = {
        "track": track,
        "recommendation": recommendation,
        "form": form,
        "locked": locked,
        "read_only": _read_only(recommendation) if locked else None,
        "missing": missing_translations_text(recommendation) if recommendation else "",
        "steps": [(s, STEP_LABELS[s]) for s in recommendation.next_statuses]
        if recommendation
        else [],
    }
    return render(
        request, "alliance/recommendations/staff/recommendation_form.html", context, status=status
    )


@staff_required
def recommendation_create(request, pk: int):
    track = permissions.access_track_to_manage(request.user, pk)
    form = RecommendationForm(_posted(request), initial={"original_language": "en"})
    if request.method == "POST" and form.is_valid():
        try:
            recommendation = services.recommendation_create(
                actor=request.user,
                track=track,
                capitals=form.cleaned_data["capitals"],
                **form.service_fields(),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The recommendation was drafted."))
            return redirect("alliance:recommendation_edit", recommendation.pk)
    return _recommendation_page(request, track, None, form, status=_status(request))


@staff_required
def recommendation_edit(request, pk: int):
    """Edit the wording and tags while the recommendation is editable; afterwards the
    page shows it read-only with the reason, and a posted change is refused (422)."""
    recommendation = permissions.access_recommendation_to_manage(request.user, pk)
    track = recommendation.track
    form = RecommendationForm(
        _posted(request), initial=RecommendationForm.initial_for(recommendation)
    )
    locked = "" if recommendation.is_editable else locked_message(recommendation)
    if request.method == "POST" and form.is_valid():
        try:
            services.recommendation_update(
                actor=request.user,
                recommendation=recommendation,
                capitals=form.cleaned_data["capitals"],
                **form.service_fields(),
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                locked = " ".join(error.messages)
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The recommendation was saved."))
            return redirect("alliance:recommendation_edit", recommendation.pk)
    return _recommendation_page(
        request, track, recommendation, form, status=_status(request), locked=locked
    )


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def recommendation_transition(request, pk: int, status: str):
    """GET asks for confirmation (and, to open for input, the closing date); POST moves
    the recommendation. A step the lifecycle does not allow is explained, never taken."""
    recommendation = permissions.access_recommendation_to_manage(request.user, pk)
    if status not in STEP_LABELS:
        raise Http404
    opening = status == Recommendation.Status.OPEN
    allowed = recommendation.can_become(status)
    zone = timezone.get_current_timezone_name()
    initial = {}
    if opening and recommendation.input_closes_at:
        initial["input_closes"] = timezone.localtime(recommendation.input_closes_at).replace(
            tzinfo=None
        )
    form = RecommendationTransitionForm(
        _posted(request), initial=initial, zone=zone, asks_closing_date=opening
    )
    refusal = (
        "" if allowed else services.transition_refusal(recommendation, status, input_closes_at=None)
    )
    if request.method == "POST" and allowed and form.is_valid():
        try:
            services.recommendation_transition(
                actor=request.user,
                recommendation=recommendation,
                status=status,
                input_closes_at=form.cleaned_data.get("input_closes_at"),
            )
        except ValidationError as error:
            # The one refusal left once the step is allowed is about the closing date.
            apply_validation_error(form, error, {"status": "input_closes"} if opening else {})
        else:
            recommendation.status = status
            messages.success(
                request,
                _("The recommendation is now %(status)s.")
                % {"status": recommendation.get_status_display().lower()},
            )
            return redirect("alliance:recommendation_edit", recommendation.pk)
    return render(
        request,
        "alliance/recommendations/staff/transition_confirm.html",
        {
            "recommendation": recommendation,
            "track": recommendation.track,
            "form": form,
            "step": status,
            "step_label": STEP_LABELS[status],
            "refusal": refusal,
            "zone": zone,
        },
        status=422 if request.method == "POST" else 200,
    )

"""The reads of the recommendation pages people read and take part in: the list, one
recommendation with its endorsements, support and inputs, and the dashboard panel.

Every function takes the reader and returns only what they may see, shaped so that a
page runs a fixed number of queries whatever the number of recommendations or inputs.
"""

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language

from gdpa.portal.richtext import sanitize_html
from gdpa.prepared import FAR_PAST, PreparedRead

from .models import (
    AllianceSession,
    DiasporaCapital,
    Endorsement,
    OrganizationSupport,
    Recommendation,
    RecommendationInput,
    Sector,
)
from .permissions import SHARED_STATUSES, can_manage_recommendations, takes_part_in_alliance
from .selectors import participations_of

#: How many recommendations open for input the dashboard panel lists.
DASHBOARD_OPEN = 5


def readable_statuses(user) -> list[str]:
    """The statuses of the recommendations ``user`` may read, in lifecycle order."""
    if can_manage_recommendations(user):
        allowed = set(Recommendation.Status.values)
    elif takes_part_in_alliance(user):
        allowed = {Recommendation.Status.PUBLISHED, *SHARED_STATUSES}
    else:
        allowed = {Recommendation.Status.PUBLISHED}
    return [status for status in Recommendation.Status.values if status in allowed]


def _count(model, **filters):
    """A correlated count of ``model`` rows of the outer recommendation (no join fan-out)."""
    counted = (
        model.objects.filter(recommendation=OuterRef("pk"), **filters)
        .order_by()
        .values("recommendation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_counts(queryset: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
    """Endorsing member states, inputs and youth voices of each recommendation."""
    return queryset.annotate(
        endorsing_count=_count(Endorsement, withdrawn_at__isnull=True),
        input_count=_count(RecommendationInput),
        youth_count=_count(RecommendationInput, is_youth=True),
    )


def recommendations_for(
    user, *, sector: Sector | None = None, status: str = ""
) -> QuerySet[Recommendation]:
    """The recommendations ``user`` may read, by sector then track, with their tags and
    counts: a page of them is two queries (rows and capitals)."""
    queryset = Recommendation.objects.filter(status__in=readable_statuses(user))
    if sector is not None:
        queryset = queryset.filter(track__sector=sector)
    if status:
        queryset = queryset.filter(status=status)
    return (
        with_counts(queryset)
        .select_related("track", "track__sector")
        .prefetch_related(
            Prefetch("capitals", queryset=DiasporaCapital.objects.order_by("position"))
        )
        .order_by("track__sector__position", "track__sector__name_en", "track", "position", "pk")
    )


def shown_in_reader_language(recommendations, language: str | None = None):
    """Set on each recommendation the title the reader sees (``shown_title``), its
    language (``shown_language``) and, when it is the original rather than the reader's
    language, the original language's name to say so (``original_note``)."""
    language = (language or get_language() or "en")[:2]
    names = dict(Recommendation._meta.get_field("original_language").choices)
    for recommendation in recommendations:
        title, original = recommendation.title_in(language)
        recommendation.shown_title = title
        recommendation.shown_language = recommendation.original_language if original else language
        recommendation.original_note = (
            names[recommendation.original_language]
            if original and recommendation.original_language != language
            else ""
        )
    return recommendations


def recommendation_text(recommendation: Recommendation, language: str | None = None) -> dict:
    """The text the reader sees, its language and whether it is the original instead of
    theirs. The stored text was sanitized when written; it is sanitized again here so
    nothing that reached the database another way can run in a reader's browser."""
    language = (language or get_language() or "en")[:2]
    text, original = recommendation.text_in(language)
    return {
        "text_html": sanitize_html(text),
        "text_language": recommendation.original_language if original else language,
        "text_is_original_instead": original and recommendation.original_language != language,
        "rationale_html": sanitize_html(recommendation.rationale),
    }


def recommendation_tags(recommendation: Recommendation) -> list[DiasporaCapital]:
    return list(recommendation.capitals.order_by("position"))


def sessions_shown(user, recommendation: Recommendation) -> list[AllianceSession]:
    """The sessions of the recommendation's track the reader may open: staff see each,
    others those they were invited to that are not drafts (one query)."""
    sessions = recommendation.track.sessions.order_by("starts_at", "pk")
    if not can_manage_recommendations(user):
        if not getattr(user, "is_authenticated", False):
            return []
        sessions = sessions.exclude(status=AllianceSession.Status.DRAFT).filter(
            pk__in=participations_of(user).values("session")
        )
    return list(sessions)


def endorsements_of(recommendation: Recommendation) -> list[Endorsement]:
    """The standing endorsements, first given first, with their member states (one query)."""
    return list(
        recommendation.endorsements.filter(withdrawn_at__isnull=True)
        .select_related("member_state")
        .order_by("endorsed_at", "pk")
    )


def supports_of(recommendation: Recommendation) -> list[OrganizationSupport]:
    """The organizations that support it, by name (one query)."""
    return list(
        recommendation.supports.select_related("organization").order_by("organization__name", "pk")
    )


def input_counts(recommendation: Recommendation) -> dict:
    """``{"inputs": n, "youth": m}`` in one query."""
    return recommendation.inputs.aggregate(
        inputs=Count("pk"), youth=Count("pk", filter=Q(is_youth=True))
    )


def inputs_of(recommendation: Recommendation) -> QuerySet[RecommendationInput]:
    """The inputs, newest first, with the organization spoken for (a page is one query)."""
    return recommendation.inputs.select_related("organization").order_by("-created_at", "-pk")


def with_safe_html(inputs) -> list[RecommendationInput]:
    """Each input's comment and proposed wording, sanitized again for display."""
    inputs = list(inputs)
    for given in inputs:
        given.text_html = sanitize_html(given.text)
        given.proposed_html = sanitize_html(given.proposed_text)
    return inputs


def _open_for_input(user, now) -> QuerySet[Recommendation]:
    given = RecommendationInput.objects.filter(recommendation=OuterRef("pk"), author=user)
    return (
        with_counts(
            Recommendation.objects.filter(status=Recommendation.Status.OPEN).filter(
                Q(input_closes_at__isnull=True) | Q(input_closes_at__gt=now)
            )
        )
        .annotate(already_given=Exists(given))
        .select_related("track", "track__sector")
        .order_by(F("input_closes_at").asc(nulls_last=True), "pk")[:DASHBOARD_OPEN]
    )


#: The dashboard's recommendations panel: its SQL is compiled once.
_OPEN_FOR_INPUT = PreparedRead("alliance.open_for_input", _open_for_input, -1, FAR_PAST)


def open_for_input(user) -> list[Recommendation]:
    """The first ``DASHBOARD_OPEN`` recommendations open for input now, closing soonest
    first, with whether the person already gave input and the counts (one query)."""
    return shown_in_reader_language(_OPEN_FOR_INPUT.rows(user.pk, timezone.now()))


def support_of(recommendation: Recommendation, organization) -> OrganizationSupport | None:
    return recommendation.supports.filter(organization=organization).first()

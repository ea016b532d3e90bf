"""Reads for the staff pages that author recommendations (tracks, their recommendations,
the sessions a track can link to) and for the version history pages. Each returns a
queryset shaped so its page runs a fixed number of queries."""

from django.db.models import Count, Q, QuerySet

from .models import AllianceSession, Recommendation, RecommendationTrack


def tracks_for_staff(*, sector=None) -> QuerySet[RecommendationTrack]:
    """Tracks by sector, each with ``counts``-ready annotations: ``n_<status>`` for every
    status and ``n_total``."""
    per_status = {
        f"n_{status}": Count("recommendations", filter=Q(recommendations__status=status))
        for status in Recommendation.Status.values
    }
    tracks = RecommendationTrack.objects.select_related("sector").annotate(
        n_total=Count("recommendations"), **per_status
    )
    if sector is not None:
        tracks = tracks.filter(sector=sector)
    return tracks.order_by("sector__position", "sector__name_en", "title", "pk")


def status_counts(track: RecommendationTrack) -> list[tuple[str, str, int]]:
    """``(status, label, count)`` of an annotated track, statuses with none left out."""
    return [
        (status, label, getattr(track, f"n_{status}"))
        for status, label in Recommendation.Status.choices
        if getattr(track, f"n_{status}")
    ]


def track_recommendations(track: RecommendationTrack) -> QuerySet[Recommendation]:
    return track.recommendations.order_by("position", "pk")


def sessions_to_link() -> QuerySet[AllianceSession]:
    """Every alliance session, newest first (a track may link past ones)."""
    return AllianceSession.objects.order_by("-starts_at", "-pk")


def version_of(recommendation: Recommendation, version_pk: int):
    """One version of the recommendation with who made it, or ``None``."""
    return (
        recommendation.history.select_related("history_user").filter(history_id=version_pk).first()
    )


def version_before(recommendation: Recommendation, version):
    """The version just before ``version`` (``None`` for the first)."""
    return (
        recommendation.history.filter(
            Q(history_date__lt=version.history_date)
            | Q(history_date=version.history_date, history_id__lt=version.history_id)
        )
        .order_by("-history_date", "-history_id")
        .first()
    )

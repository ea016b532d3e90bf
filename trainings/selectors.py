"""Every read of the trainings app, already shaped for its pages."""

from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q, QuerySet

from .feedback import feedback_refusal
from .models import Enrollment, Offering, TrainingFeedback, TrainingProgramme


def programmes_for_staff() -> QuerySet[TrainingProgramme]:
    return TrainingProgramme.objects.prefetch_related("offerings").order_by("-created_at", "pk")


def offerings_of(programme: TrainingProgramme) -> QuerySet[Offering]:
    return programme.offerings.order_by("starts_on", "pk")


def _open_offerings(*, country: str = "", starts_from=None, starts_until=None) -> QuerySet:
    """Open offerings, optionally for a country (those for it and those open to every
    country) and starting in a date range (both days included)."""
    offerings = Offering.objects.filter(status=Offering.Status.OPEN)
    if country:
        # Countries are stored as two-letter codes joined by commas, so a two-letter
        # substring can only be a whole code.
        offerings = offerings.filter(Q(countries="") | Q(countries__contains=country))
    if starts_from:
        offerings = offerings.filter(starts_on__gte=starts_from)
    if starts_until:
        offerings = offerings.filter(starts_on__lte=starts_until)
    return offerings


def catalogue(
    *,
    audience: str = "",
    sector=None,
    language: str = "",
    country: str = "",
    starts_from=None,
    starts_until=None,
) -> QuerySet:
    """Published programmes, filtered, each with its sectors and the open offerings that
    match the country and date filters prefetched (a fixed number of queries whatever the
    number of programmes). With a country or date filter, a programme without a matching
    open offering is left out."""
    programmes = TrainingProgramme.objects.filter(published=True)
    if audience:
        programmes = programmes.filter(audience=audience)
    if sector is not None:
        programmes = programmes.filter(sectors=sector)
    if language:
        programmes = programmes.filter(language=language)
    offerings = _open_offerings(country=country, starts_from=starts_from, starts_until=starts_until)
    if country or starts_from or starts_until:
        programmes = programmes.filter(Exists(offerings.filter(programme=OuterRef("pk"))))
    return programmes.prefetch_related(
        "sectors",
        Prefetch(
            "offerings", queryset=offerings.order_by("starts_on", "pk"), to_attr="open_offerings"
        ),
    ).order_by("title", "pk")


def offerings_shown(programme: TrainingProgramme, *, staff: bool) -> QuerySet[Offering]:
    """The offerings a programme page lists: staff see drafts too."""
    offerings = with_enrolled_counts(programme.offerings.order_by("starts_on", "pk"))
    return offerings if staff else offerings.exclude(status=Offering.Status.DRAFT)


def with_enrolled_counts(offerings: QuerySet[Offering]) -> QuerySet[Offering]:
    return offerings.annotate(
        enrolled_count=Count(
            "enrollments", filter=Q(enrollments__status=Enrollment.Status.ENROLLED)
        )
    )


def active_enrollment(user, offering: Offering) -> Enrollment | None:
    """The person's enrollment in the offering that is not withdrawn (one query)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Enrollment.objects.filter(user=user, offering=offering).active().first()


def waitlist_position(enrollment: Enrollment) -> int | None:
    if enrollment is None or enrollment.status != Enrollment.Status.WAITLISTED:
        return None
    return (
        Enrollment.objects.filter(
            offering_id=enrollment.offering_id,
            status=Enrollment.Status.WAITLISTED,
            created_at__lte=enrollment.created_at,
        )
        .exclude(created_at=enrollment.created_at, pk__gt=enrollment.pk)
        .count()
    )


def enrollments_of(user, limit: int = 10) -> list[Enrollment]:
    """The person's current enrollments, newest first, with their offering and
    programme (one query)."""
    return list(
        Enrollment.objects.filter(user=user)
        .active()
        .select_related("offering", "offering__programme")
        .order_by("offering__starts_on", "pk")[:limit]
    )


# Feedback ---------------------------------------------------------------------------------


def feedback_offer(user, offering: Offering, enrollment: Enrollment | None) -> dict | None:
    """What the offering page offers the person about feedback: ``None`` when they
    cannot give any now, else whether they already have (at most two queries)."""
    if enrollment is None or enrollment.status != Enrollment.Status.ENROLLED:
        return None
    if feedback_refusal(user=user, offering=offering, enrollment=enrollment):
        return None
    return {"given": TrainingFeedback.objects.filter(enrollment=enrollment).exists()}


def feedback_of(enrollment: Enrollment | None) -> TrainingFeedback | None:
    if enrollment is None:
        return None
    return TrainingFeedback.objects.filter(enrollment=enrollment).first()


def _feedback_counted(offering: Offering) -> QuerySet[TrainingFeedback]:
    """The feedback that counts: from people enrolled in the offering now."""
    return TrainingFeedback.objects.filter(
        enrollment__offering=offering, enrollment__status=Enrollment.Status.ENROLLED
    )


def feedback_summary(offering: Offering) -> dict:
    """Responses, response rate, and per question the average and how many gave each
    rating (two queries whatever the number of responses)."""
    ratings = TrainingFeedback.Rating
    measures = {"responses": Count("pk")}
    for field, _label in TrainingFeedback.QUESTIONS:
        measures[f"{field}__avg"] = Avg(field)
        for value in ratings.values:
            measures[f"{field}__{value}"] = Count("pk", filter=Q(**{field: value}))
    totals = _feedback_counted(offering).aggregate(**measures)
    enrolled = offering.enrollments.filter(status=Enrollment.Status.ENROLLED).count()
    responses = totals["responses"]
    questions = []
    for field, label in TrainingFeedback.QUESTIONS:
        distribution = [
            {
                "value": value,
                "label": rating_label,
                "count": totals[f"{field}__{value}"],
                "percent": round(100 * totals[f"{field}__{value}"] / responses) if responses else 0,
            }
            for value, rating_label in ratings.choices
        ]
        average = totals[f"{field}__avg"]
        questions.append(
            {
                "field": field,
                "label": label,
                "average": round(average, 1) if average is not None else None,
                "distribution": distribution,
            }
        )
    return {
        "responses": responses,
        "enrolled": enrolled,
        "rate": round(100 * responses / enrolled) if enrolled else None,
        "questions": questions,
    }


def feedback_comments(offering: Offering) -> QuerySet:
    """The comments alone, newest first: no names, no dates, nothing that leads to the
    person (a query of plain strings)."""
    return (
        _feedback_counted(offering)
        .exclude(comment="")
        .order_by("-created_at", "-pk")
        .values_list("comment", flat=True)
    )

"""Every read of the trainings app, already shaped for its pages."""

from django.db.models import Count, Prefetch, Q, QuerySet

from .models import Enrollment, Offering, TrainingProgramme


def programmes_for_staff() -> QuerySet[TrainingProgramme]:
    return TrainingProgramme.objects.prefetch_related("offerings").order_by("-created_at", "pk")


def offerings_of(programme: TrainingProgramme) -> QuerySet[Offering]:
    return programme.offerings.order_by("starts_on", "pk")


def _open_offerings() -> Prefetch:
    return Prefetch(
        "offerings",
        queryset=Offering.objects.filter(status=Offering.Status.OPEN).order_by("starts_on", "pk"),
        to_attr="open_offerings",
    )


def catalogue(*, audience: str = "", sector=None, language: str = "") -> QuerySet:
    """Published programmes, filtered, each with its sectors and open offerings
    prefetched (a fixed number of queries whatever the number of programmes)."""
    programmes = TrainingProgramme.objects.filter(published=True)
    if audience:
        programmes = programmes.filter(audience=audience)
    if sector is not None:
        programmes = programmes.filter(sectors=sector)
    if language:
        programmes = programmes.filter(language=language)
    return programmes.prefetch_related("sectors", _open_offerings()).order_by("title", "pk")


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


# Certificates ------------------------------------------------------------------------------


def certificate_of(user, offering: Offering):
    """The person's certificate for the offering, valid or revoked, with its badge
    ``assertion_url`` (one query)."""
    from .certificates import assertion_url
    from .models import Certificate

    if not getattr(user, "is_authenticated", False):
        return None
    certificate = Certificate.objects.filter(
        enrollment__user=user, enrollment__offering=offering
    ).first()
    if certificate is not None:
        certificate.assertion_url = assertion_url(certificate)
    return certificate


def completed_enrollments(offering: Offering) -> QuerySet[Enrollment]:
    """The offering's learners who completed it, each with their person and certificate
    (one query per page)."""
    return (
        Enrollment.objects.filter(
            offering=offering, status=Enrollment.Status.ENROLLED, completed_at__isnull=False
        )
        .select_related("user", "certificate")
        .order_by("user__full_name", "pk")
    )


def certificate_figures(offering: Offering) -> dict[str, int]:
    """How many completed, how many hold a certificate, how many PDFs are built or pending,
    how many are revoked (one query)."""
    completed = Q(status=Enrollment.Status.ENROLLED, completed_at__isnull=False)
    figures = Enrollment.objects.filter(offering=offering).aggregate(
        completed=Count("pk", filter=completed),
        to_issue=Count("pk", filter=completed & Q(certificate__isnull=True)),
        issued=Count("certificate"),
        revoked=Count("certificate", filter=Q(certificate__revoked_at__isnull=False)),
        built=Count(
            "certificate",
            filter=Q(certificate__pdf_built_at__isnull=False, certificate__revoked_at__isnull=True),
        ),
    )
    figures["pending"] = figures["issued"] - figures["revoked"] - figures["built"]
    return figures

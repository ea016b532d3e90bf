"""Every read of the trainings app, already shaped for its pages."""

from django.db.models import Prefetch, QuerySet

from .models import Offering, TrainingProgramme


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
    offerings = programme.offerings.order_by("starts_on", "pk")
    return offerings if staff else offerings.exclude(status=Offering.Status.DRAFT)

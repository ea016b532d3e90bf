"""Who may see and do what in trainings.

Staff power is ``acting_as_staff`` (the kernel's one predicate: the IOM staff role and
two-factor authentication passed in this session). Missing and forbidden look the same:
``access_<thing>()`` returns the object or raises Http404.
"""

from django.http import Http404

from gdpa.accounts.permissions import acting_as_staff

from .models import Enrollment, Offering, TrainingProgramme


def can_manage_trainings(user) -> bool:
    return acting_as_staff(user)


def access_programme_to_manage(user, pk) -> TrainingProgramme:
    if not can_manage_trainings(user):
        raise Http404
    programme = TrainingProgramme.objects.filter(pk=pk).first()
    if programme is None:
        raise Http404
    return programme


def access_offering_to_manage(user, pk) -> Offering:
    if not can_manage_trainings(user):
        raise Http404
    offering = Offering.objects.select_related("programme").filter(pk=pk).first()
    if offering is None:
        raise Http404
    return offering


def access_programme(user, pk) -> TrainingProgramme:
    """A published programme, for anyone; unpublished ones for acting staff only."""
    programme = TrainingProgramme.objects.prefetch_related("sectors").filter(pk=pk).first()
    if programme is None or not (programme.published or can_manage_trainings(user)):
        raise Http404
    return programme


def access_offering(user, pk) -> Offering:
    """An offering of a published programme that is past its draft, for anyone;
    anything else for acting staff only. Annotated with its enrolled count."""
    from .selectors import with_enrolled_counts

    offering = (
        with_enrolled_counts(Offering.objects.select_related("programme")).filter(pk=pk).first()
    )
    if offering is None:
        raise Http404
    if can_manage_trainings(user):
        return offering
    if not offering.programme.published or offering.status == Offering.Status.DRAFT:
        raise Http404
    return offering


def access_own_enrollment(user, offering: Offering) -> Enrollment:
    """The person's current enrollment in the offering; 404 when they have none."""
    from .selectors import active_enrollment

    enrollment = active_enrollment(user, offering)
    if enrollment is None:
        raise Http404
    return enrollment


def access_meeting_to_manage(user, pk):
    """A training meeting, with its offering and programme, for acting staff only."""
    from .models import TrainingMeeting

    if not can_manage_trainings(user):
        raise Http404
    meeting = (
        TrainingMeeting.objects.select_related("offering", "offering__programme")
        .filter(pk=pk)
        .first()
    )
    if meeting is None:
        raise Http404
    return meeting

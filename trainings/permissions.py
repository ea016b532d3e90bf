"""Who may see and do what in trainings.

Staff power is ``acting_as_staff`` (the kernel's one predicate: the IOM staff role and
two-factor authentication passed in this session). Missing and forbidden look the same:
``access_<thing>()`` returns the object or raises AccessRefused (a 404, logged).
"""

from django.contrib.auth import get_user_model

from alliance.models import Membership, Organization
from alliance.permissions import can_invite, memberships_of
from gdpa.accounts.permissions import acting_as_staff
from gdpa.http.errors import AccessRefused

from .eligibility import DIASPORA_KINDS
from .models import Enrollment, Offering, TrainingProgramme


def can_manage_trainings(user) -> bool:
    return acting_as_staff(user)


def access_people_to_nominate(user, pks) -> list:
    """The people IOM staff chose in the member directory (active accounts, by name);
    404 unless acting as staff."""
    if not can_manage_trainings(user):
        raise AccessRefused
    return list(
        get_user_model()
        .objects.filter(pk__in=list(pks), is_active=True)
        .order_by("full_name", "pk")
    )


def access_programme_to_manage(user, pk) -> TrainingProgramme:
    if not can_manage_trainings(user):
        raise AccessRefused
    programme = TrainingProgramme.objects.filter(pk=pk).first()
    if programme is None:
        raise AccessRefused
    return programme


def access_offering_to_manage(user, pk) -> Offering:
    if not can_manage_trainings(user):
        raise AccessRefused
    offering = Offering.objects.select_related("programme").filter(pk=pk).first()
    if offering is None:
        raise AccessRefused
    return offering


def access_programme(user, pk) -> TrainingProgramme:
    """A published programme, for anyone; unpublished ones for acting staff only."""
    programme = TrainingProgramme.objects.prefetch_related("sectors").filter(pk=pk).first()
    if programme is None or not (programme.published or can_manage_trainings(user)):
        raise AccessRefused
    return programme


def access_offering(user, pk) -> Offering:
    """An offering of a published programme that is past its draft, for anyone;
    anything else for acting staff only. Annotated with its enrolled count."""
    from .selectors import with_enrolled_counts

    offering = (
        with_enrolled_counts(Offering.objects.select_related("programme")).filter(pk=pk).first()
    )
    if offering is None:
        raise AccessRefused
    if can_manage_trainings(user):
        return offering
    if not offering.programme.published or offering.status == Offering.Status.DRAFT:
        raise AccessRefused
    return offering


def access_own_enrollment(user, offering: Offering) -> Enrollment:
    """The person's current enrollment in the offering; 404 when they have none."""
    from .selectors import active_enrollment

    enrollment = active_enrollment(user, offering)
    if enrollment is None:
        raise AccessRefused
    return enrollment


# Nominations and approval ------------------------------------------------------------------


def nominating_organizations(user, offering: Offering) -> list:
    """The organizations whose members ``user`` may nominate for ``offering``.

    Diaspora offerings: the verified diaspora and partner organizations whose members the
    person manages (administrators and holders of the delegated right, as for
    invitations). Government offerings: the verified government organizations of the
    member states the person is a focal point of. Youth offerings take no nominations.
    """
    if not getattr(user, "is_authenticated", False):
        return []
    audience = offering.programme.audience
    memberships = memberships_of(user)
    if audience == TrainingProgramme.Audience.DIASPORA:
        return [
            m.organization
            for m in memberships
            if m.organization.kind in DIASPORA_KINDS
            and m.organization.is_verified
            and can_invite(user, m.organization)
        ]
    if audience == TrainingProgramme.Audience.GOVERNMENT:
        states = {
            m.organization.member_state_id
            for m in memberships
            if m.organization.kind == Organization.Kind.GOVERNMENT
            and m.organization.is_verified
            and m.role != Membership.Role.MEMBER
        }
        if not states:
            return []
        return list(
            Organization.objects.filter(
                kind=Organization.Kind.GOVERNMENT,
                status=Organization.Status.VERIFIED,
                member_state_id__in=states,
            ).order_by("name", "pk")
        )
    return []


def access_offering_to_nominate(user, pk) -> tuple[Offering, list]:
    """The offering and the organizations whose members the person may nominate for it;
    404 when they may nominate nobody (or may not see the offering)."""
    offering = access_offering(user, pk)
    organizations = nominating_organizations(user, offering)
    if not organizations or offering.status == Offering.Status.CANCELLED:
        raise AccessRefused
    return offering, organizations


def access_nomination(user, offering: Offering, pk) -> Enrollment:
    """An active enrollment the person asked for on someone else's behalf; else 404."""
    enrollment = (
        Enrollment.objects.active()
        .select_related("user")
        .filter(pk=pk, offering=offering, nominated_by=user)
        .exclude(user=user)
        .first()
    )
    if enrollment is None:
        raise AccessRefused
    return enrollment


def access_enrollment_to_decide(user, pk) -> Enrollment:
    """Any enrollment, for acting staff (the service refuses one already decided)."""
    if not can_manage_trainings(user):
        raise AccessRefused
    enrollment = (
        Enrollment.objects.select_related("user", "offering", "offering__programme")
        .filter(pk=pk)
        .first()
    )
    if enrollment is None:
        raise AccessRefused
    return enrollment


def access_meeting_to_manage(user, pk):
    """A training meeting, with its offering and programme, for acting staff only."""
    from .models import TrainingMeeting

    if not can_manage_trainings(user):
        raise AccessRefused
    meeting = (
        TrainingMeeting.objects.select_related("offering", "offering__programme")
        .filter(pk=pk)
        .first()
    )
    if meeting is None:
        raise AccessRefused
    return meeting


# Certificates ------------------------------------------------------------------------------


def access_certificate_pdf(user, pk):
    """A certificate whose PDF is built and which is not revoked, for its learner and
    acting staff; 404 for everyone else and for a revoked one."""
    from .models import Certificate

    certificate = (
        Certificate.objects.select_related("enrollment")
        .filter(pk=pk, revoked_at__isnull=True, pdf_built_at__isnull=False)
        .first()
    )
    if certificate is None or not (
        certificate.enrollment.user_id == getattr(user, "pk", None) or can_manage_trainings(user)
    ):
        raise AccessRefused
    return certificate


def access_certificate_to_manage(user, pk):
    from .models import Certificate

    if not can_manage_trainings(user):
        raise AccessRefused
    certificate = (
        Certificate.objects.select_related("enrollment__offering__programme", "enrollment__user")
        .filter(pk=pk)
        .first()
    )
    if certificate is None:
        raise AccessRefused
    return certificate


def access_certificate_by_code(code: str):
    """The certificate with this verification code (valid or revoked), for anyone; 404
    for a code no certificate has."""
    from .models import Certificate, normalize_code

    certificate = (
        Certificate.objects.select_related("enrollment__user", "enrollment__offering")
        .filter(code=normalize_code(code))
        .first()
    )
    if certificate is None:
        raise AccessRefused
    return certificate


def access_badge_class(pk) -> TrainingProgramme:
    """A programme's badge class: public while the programme is published or has issued a
    certificate (a badge already in someone's backpack keeps verifying)."""
    programme = TrainingProgramme.objects.filter(pk=pk).first()
    if programme is None or not (
        programme.published
        or programme.offerings.filter(enrollments__certificate__isnull=False).exists()
    ):
        raise AccessRefused
    return programme

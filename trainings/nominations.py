"""Nominations: a diaspora or partner organization's leader puts forward members of their
organization, a government focal point officials of their member state. The nominee's
place follows the same rules as enrolling oneself (window, eligibility, once per
offering, IOM approval where needed, seats then the waiting list); the nominee is
e-mailed who nominated them, where they stand and how to withdraw."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliance.models import Organization
from gdpa.accounts.permissions import acting_as_staff
from gdpa.notify.services import email_render_and_queue

from .enrollment import enrollment_create, enrollment_refusal, offering_url
from .models import Enrollment, Offering
from .permissions import nominating_organizations

NOT_A_MEMBER = gettext_lazy("The person you chose is not a member of your organization")


@transaction.atomic
def nomination_create(*, nominator, offering: Offering, organization, person_pk: int) -> Enrollment:
    """Ask for a place in ``offering`` for the member ``person_pk`` of ``organization``.

    Refusals are reported on the ``person`` field; nothing changes."""
    if organization.pk not in {o.pk for o in nominating_organizations(nominator, offering)}:
        raise ValidationError(_("You cannot nominate members of this organization."))
    nominee = (
        get_user_model()
        .objects.filter(pk=person_pk, is_active=True, memberships__organization=organization)
        .first()
    )
    if nominee is None:
        raise ValidationError({"person": str(NOT_A_MEMBER)})
    if nominee.pk == nominator.pk:
        raise ValidationError(
            {"person": _("To enroll yourself, use the Enroll button on the offering's page")}
        )
    try:
        enrollment = enrollment_create(user=nominee, offering=offering, nominated_by=nominator)
    except ValidationError as error:
        raise ValidationError({"person": error.messages}) from None
    email_render_and_queue(
        to=nominee.email,
        kind="training_nominated",
        template="trainings/email/nominated",
        context={
            "offering": enrollment.offering,
            "programme": enrollment.offering.programme,
            "nominator": nominator,
            "organization": organization,
            "enrollment": enrollment,
            "url": offering_url(offering),
        },
        language=nominee.preferred_language,
        user=nominee,
    )
    return enrollment


def _tell_nominee(*, enrollment: Enrollment, nominator, organization) -> None:
    nominee = enrollment.user
    email_render_and_queue(
        to=nominee.email,
        kind="training_nominated",
        template="trainings/email/nominated",
        context={
            "offering": enrollment.offering,
            "programme": enrollment.offering.programme,
            "nominator": nominator,
            "organization": organization,
            "enrollment": enrollment,
            "url": offering_url(enrollment.offering),
        },
        language=nominee.preferred_language,
        user=nominee,
    )


def staff_nomination_refusals(*, offering: Offering, people) -> dict[int, str]:
    """Why each of ``people`` may not be nominated for ``offering`` now, by person id
    (the people who may are left out)."""
    refusals = {}
    for person in people:
        refusal = enrollment_refusal(user=person, offering=offering, nominee=True)
        if refusal:
            refusals[person.pk] = refusal
    return refusals


@transaction.atomic
def staff_nominations_create(*, actor, offering: Offering, people) -> list[Enrollment]:
    """IOM staff nominate ``people`` (the member directory's selection) for ``offering``
    with the same rules as any nomination (window, eligibility, once per offering,
    approval, seats then waiting list). All or nothing: if anyone is refused, nobody is
    nominated and the refusals are reported on ``person``, one per person."""
    if not acting_as_staff(actor):
        raise ValidationError(_("Only IOM staff can nominate people from the directory."))
    people = list(people)
    if not people:
        raise ValidationError({"person": _("Select at least one person.")})
    enrollments, refusals = [], []
    for person in people:
        try:
            enrollments.append(
                enrollment_create(user=person, offering=offering, nominated_by=actor)
            )
        except ValidationError as error:
            refusals.append(" ".join(error.messages))
    if refusals:
        raise ValidationError({"person": refusals})
    organization = (
        Organization.objects.filter(kind=Organization.Kind.IOM, memberships__user=actor)
        .order_by("pk")
        .first()
    )
    for enrollment in enrollments:
        _tell_nominee(enrollment=enrollment, nominator=actor, organization=organization)
    return enrollments

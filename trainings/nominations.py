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

from gdpa.notify.services import email_render_and_queue

from .enrollment import enrollment_create, offering_url
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

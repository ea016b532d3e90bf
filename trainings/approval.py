"""IOM staff decide the enrollments of offerings that need approval: approve (a free
seat, else the waiting list, with the offering row locked as enrolling locks it) or
decline with a reason the person is shown. Each decision is e-mailed to the person in
their language."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gdpa.audit.services import audit_record, snapshot
from gdpa.notify.services import email_render_and_queue

from .enrollment import offering_url, seat_or_waitlist
from .models import Enrollment, Offering

DECIDED = ["status", "decision_reason"]


def _lock(enrollment: Enrollment) -> tuple[Offering, Enrollment]:
    offering = (
        Offering.objects.select_for_update()
        .select_related("programme")
        .get(pk=enrollment.offering_id)
    )
    enrollment = Enrollment.objects.select_for_update().select_related("user").get(pk=enrollment.pk)
    if enrollment.status != Enrollment.Status.PENDING:
        raise ValidationError(
            _("%(name)s's enrollment was already decided: %(status)s.")
            % {"name": enrollment.user.full_name, "status": enrollment.get_status_display()}
        )
    return offering, enrollment


def _decide(*, actor, offering, enrollment, status: str, reason: str, action: str, template: str):
    if not enrollment.can_become(status):
        raise ValidationError(_("This enrollment cannot change that way."))
    before = snapshot(enrollment, DECIDED)
    enrollment.status = status
    enrollment.decision_reason = reason
    enrollment.decided_by = actor
    enrollment.decided_at = timezone.now()
    enrollment.full_clean()
    enrollment.save(
        update_fields=["status", "decision_reason", "decided_by", "decided_at", "updated_at"]
    )
    audit_record(
        actor=actor,
        action=action,
        target=enrollment,
        before=before,
        after=snapshot(enrollment, DECIDED),
    )
    person = enrollment.user
    email_render_and_queue(
        to=person.email,
        kind=f"training_{template}",
        template=f"trainings/email/{template}",
        context={
            "offering": offering,
            "programme": offering.programme,
            "enrollment": enrollment,
            "url": offering_url(offering),
        },
        language=person.preferred_language,
        user=person,
    )
    return enrollment


@transaction.atomic
def enrollment_approve(*, actor, enrollment: Enrollment) -> Enrollment:
    """Approve a pending enrollment: a free seat, else the waiting list."""
    offering, enrollment = _lock(enrollment)
    return _decide(
        actor=actor,
        offering=offering,
        enrollment=enrollment,
        status=seat_or_waitlist(offering),
        reason="",
        action="enrollment.approve",
        template="approved",
    )


@transaction.atomic
def enrollment_decline(*, actor, enrollment: Enrollment, reason: str) -> Enrollment:
    """Decline a pending enrollment; the reason is e-mailed and shown to the person."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason; it is sent to the person.")})
    offering, enrollment = _lock(enrollment)
    return _decide(
        actor=actor,
        offering=offering,
        enrollment=enrollment,
        status=Enrollment.Status.DECLINED,
        reason=reason,
        action="enrollment.decline",
        template="declined",
    )

"""Enrollment writes: enroll (or join the waiting list) and withdraw, promoting the next
person in line. Capacity holds under concurrent requests: the offering row is locked."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from gdpa.audit.services import audit_record, snapshot
from gdpa.notify.services import email_render_and_queue

from .eligibility import is_eligible
from .models import Enrollment, Offering


def _when(value) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def enrollment_refusal(*, user, offering: Offering, now=None) -> str | None:
    """Why ``user`` may not enroll in ``offering`` now, in words; ``None`` if they may."""
    now = now or timezone.now()
    if offering.status != Offering.Status.OPEN:
        return _("This offering is not open for enrollment.")
    if now < offering.enrollment_opens_at:
        return _("Enrollment for this offering opens on %(when)s.") % {
            "when": _when(offering.enrollment_opens_at)
        }
    if now >= offering.enrollment_closes_at:
        return _("Enrollment for this offering closed on %(when)s.") % {
            "when": _when(offering.enrollment_closes_at)
        }
    if not is_eligible(user, offering.programme):
        return _("This training is for %(audience)s; your account is not among them.") % {
            "audience": offering.programme.get_audience_display().lower()
        }
    if Enrollment.objects.filter(offering=offering, user=user).active().exists():
        return _("You are already enrolled or on the waiting list for this offering.")
    return None


def enrolled_count(offering: Offering) -> int:
    return offering.enrollments.filter(status=Enrollment.Status.ENROLLED).count()


@transaction.atomic
def enrollment_create(*, user, offering: Offering) -> Enrollment:
    """Enroll ``user`` while seats remain, else put them on the waiting list."""
    # Lock the offering row: concurrent enrollments in the same offering queue up here.
    offering = Offering.objects.select_for_update().get(pk=offering.pk)
    refusal = enrollment_refusal(user=user, offering=offering)
    if refusal:
        raise ValidationError(refusal)
    status = (
        Enrollment.Status.ENROLLED
        if enrolled_count(offering) < offering.capacity
        else Enrollment.Status.WAITLISTED
    )
    enrollment = Enrollment(offering=offering, user=user, status=status)
    enrollment.full_clean()
    enrollment.save()
    audit_record(
        actor=user,
        action="enrollment.create",
        target=enrollment,
        after=snapshot(enrollment, ["offering", "status"]),
    )
    return enrollment


def _promote_next(offering: Offering) -> Enrollment | None:
    if enrolled_count(offering) >= offering.capacity:
        return None
    waiting = (
        offering.enrollments.select_for_update()
        .filter(status=Enrollment.Status.WAITLISTED)
        .select_related("user")
        .order_by("created_at", "pk")
        .first()
    )
    if waiting is None:
        return None
    waiting.status = Enrollment.Status.ENROLLED
    waiting.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=None,
        action="enrollment.promote",
        target=waiting,
        after=snapshot(waiting, ["offering", "status"]),
    )
    person = waiting.user
    email_render_and_queue(
        to=person.email,
        kind="training_promoted",
        template="trainings/email/promoted",
        context={
            "offering": offering,
            "programme": offering.programme,
            "url": reverse("trainings:offering", args=[offering.pk]),
        },
        language=person.preferred_language,
        user=person,
    )
    return waiting


@transaction.atomic
def enrollment_withdraw(*, user, enrollment: Enrollment) -> Enrollment:
    """Withdraw; a seat freed goes to the first person on the waiting list, by e-mail."""
    offering = (
        Offering.objects.select_for_update()
        .select_related("programme")
        .get(pk=enrollment.offering_id)
    )
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.user_id != user.pk:
        raise ValidationError(_("Only the person enrolled can withdraw."))
    if not enrollment.can_become(Enrollment.Status.WITHDRAWN):
        raise ValidationError(_("You have already withdrawn from this offering."))
    before = snapshot(enrollment, ["status"])
    enrollment.status = Enrollment.Status.WITHDRAWN
    enrollment.withdrawn_at = timezone.now()
    enrollment.save(update_fields=["status", "withdrawn_at", "updated_at"])
    audit_record(
        actor=user,
        action="enrollment.withdraw",
        target=enrollment,
        before=before,
        after=snapshot(enrollment, ["status"]),
    )
    _promote_next(offering)
    return enrollment

"""Every write of the trainings app: programmes and offerings (staff authoring) here;
enrollment, nominations and approval in their own modules, re-exported below."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from gdpa.audit.services import audit_record, snapshot

from .catalogue import forget_catalogue
from .eligibility import LEARNER_ORG_KINDS, LEARNER_ROLES
from .models import Offering, TrainingProgramme

PROGRAMME_FIELDS = [
    "title",
    "summary",
    "learning_objectives",
    "audience",
    "language",
    "mode",
    "published",
]
OFFERING_FIELDS = [
    "title",
    "starts_on",
    "ends_on",
    "time_zone",
    "venue",
    "join_url",
    "capacity",
    "enrollment_opens_at",
    "enrollment_closes_at",
    "needs_approval",
    "status",
    "eligible_roles",
    "eligible_org_kinds",
    "completion_threshold",
    "countries",
]


def _programme_snapshot(programme: TrainingProgramme) -> dict:
    return {
        **snapshot(programme, PROGRAMME_FIELDS),
        "sectors": sorted(programme.sectors.values_list("pk", flat=True)),
    }


@transaction.atomic
def programme_create(*, actor, sectors=(), **fields) -> TrainingProgramme:
    programme = TrainingProgramme(**fields)
    programme.full_clean()
    programme.save()
    programme.sectors.set(sectors)
    audit_record(
        actor=actor,
        action="training_programme.create",
        target=programme,
        after=_programme_snapshot(programme),
    )
    forget_catalogue()
    return programme


@transaction.atomic
def programme_update(*, actor, programme: TrainingProgramme, sectors=None, **fields):
    programme = TrainingProgramme.objects.select_for_update().get(pk=programme.pk)
    before = _programme_snapshot(programme)
    for name, value in fields.items():
        setattr(programme, name, value)
    programme.full_clean()
    programme.save()
    if sectors is not None:
        programme.sectors.set(sectors)
    audit_record(
        actor=actor,
        action="training_programme.update",
        target=programme,
        before=before,
        after=_programme_snapshot(programme),
    )
    forget_catalogue()
    return programme


def _validate_offering(offering: Offering) -> None:
    """The offering's own rules and the model's, reported together."""
    errors: dict[str, list] = {}
    try:
        offering.full_clean()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if offering.starts_on and offering.ends_on and offering.ends_on < offering.starts_on:
        errors.setdefault("ends_on", _("The last day cannot be before the first day."))
    if (
        offering.enrollment_opens_at
        and offering.enrollment_closes_at
        and offering.enrollment_closes_at <= offering.enrollment_opens_at
    ):
        errors.setdefault("enrollment_closes_at", _("Enrollment must close after it opens."))
    if set(offering.eligible_roles or []) - set(LEARNER_ROLES):
        errors.setdefault("eligible_roles", _("Choose roles from the list"))
    if set(offering.eligible_org_kinds or []) - set(LEARNER_ORG_KINDS):
        errors.setdefault("eligible_org_kinds", _("Choose organization kinds from the list"))
    mode = offering.programme.mode
    if mode != TrainingProgramme.Mode.IN_PERSON and not offering.join_url:
        errors.setdefault("join_url", _("An online or blended training needs a join link."))
    if mode != TrainingProgramme.Mode.ONLINE and not offering.venue.strip():
        errors.setdefault("venue", _("An in-person or blended training needs a venue."))
    if errors:
        raise ValidationError(errors)


def offering_transition_check(offering: Offering, status: str) -> None:
    """Refuse a status change ``Offering.TRANSITIONS`` does not allow, with a message."""
    if status == offering.status or offering.can_become(status):
        return
    raise ValidationError(
        {
            "status": _("A %(current)s offering cannot become %(target)s.")
            % {
                "current": Offering.Status(offering.status).label.lower(),
                "target": Offering.Status(status).label.lower(),
            }
        }
    )


@transaction.atomic
def offering_create(*, actor, programme: TrainingProgramme, **fields) -> Offering:
    offering = Offering(programme=programme, **fields)
    if offering.status not in (Offering.Status.DRAFT, Offering.Status.OPEN):
        raise ValidationError({"status": _("A new offering is a draft or open.")})
    _validate_offering(offering)
    offering.save()
    audit_record(
        actor=actor,
        action="offering.create",
        target=offering,
        after=snapshot(offering, OFFERING_FIELDS),
    )
    forget_catalogue()
    return offering


@transaction.atomic
def offering_update(*, actor, offering: Offering, **fields) -> Offering:
    offering = Offering.objects.select_for_update().select_related("programme").get(pk=offering.pk)
    before = snapshot(offering, OFFERING_FIELDS)
    if "status" in fields:
        offering_transition_check(offering, fields["status"])
    for name, value in fields.items():
        setattr(offering, name, value)
    _validate_offering(offering)
    offering.save()
    audit_record(
        actor=actor,
        action="offering.update",
        target=offering,
        before=before,
        after=snapshot(offering, OFFERING_FIELDS),
    )
    forget_catalogue()
    return offering


@transaction.atomic
def offering_transition(*, actor, offering: Offering, status: str) -> Offering:
    offering = Offering.objects.select_for_update().get(pk=offering.pk)
    if status not in Offering.Status.values:
        raise ValidationError({"status": _("Choose one of the options in the list")})
    if status == offering.status or not offering.can_become(status):
        offering_transition_check(offering, status)
        raise ValidationError({"status": _("The offering already has this status.")})
    before = snapshot(offering, ["status"])
    offering.status = status
    offering.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="offering.transition",
        target=offering,
        before=before,
        after=snapshot(offering, ["status"]),
    )
    forget_catalogue()
    return offering


# Enrollment lives in its own module (one concern per module); re-exported here so every
# write of the app is reachable as ``trainings.services.<name>``.
from .approval import enrollment_approve, enrollment_decline  # noqa: E402
from .enrollment import (  # noqa: E402
    enrollment_create,
    enrollment_notice,
    enrollment_refusal,
    enrollment_withdraw,
    offering_started,
    window_refusal,
    withdrawal_refusal,
)
from .nominations import (  # noqa: E402
    nomination_create,
    staff_nomination_refusals,
    staff_nominations_create,
)

__all__ = [
    "enrollment_approve",
    "enrollment_create",
    "enrollment_decline",
    "enrollment_notice",
    "enrollment_refusal",
    "enrollment_withdraw",
    "nomination_create",
    "offering_create",
    "offering_started",
    "offering_transition",
    "offering_update",
    "programme_create",
    "programme_update",
    "staff_nomination_refusals",
    "staff_nominations_create",
    "window_refusal",
    "withdrawal_refusal",
]

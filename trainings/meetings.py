"""Training meetings: staff add, change and delete the meetings of an offering.

Times come in as UTC (the form reads them in the offering's zone and refuses times the
clocks skip); a meeting lies within the offering's days as read in that zone. A new
start or end raises the meeting's ``sequence``, so reminders written for the old time
are recognised and not sent. The meetings are the denominator of completion: adding or
deleting one recomputes who has completed.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from gdpa.audit.services import audit_record, snapshot

from .completion import completion_update
from .models import Offering, TrainingMeeting

MEETING_FIELDS = ["title", "starts_at", "ends_at", "sequence"]
#: Changes of these raise the meeting's sequence.
TIME_FIELDS = ("starts_at", "ends_at")


def _validate_meeting(meeting: TrainingMeeting, offering: Offering) -> None:
    """The model's rules and the offering's days, reported next to the fields."""
    errors: dict[str, list] = {}
    try:
        # The end-after-start constraint is said next to the end field below.
        meeting.full_clean(exclude=["offering"], validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if meeting.starts_at and meeting.ends_at:
        if meeting.ends_at <= meeting.starts_at:
            errors.setdefault("ends_at", [_("The end must be after the start.")])
        zone = ZoneInfo(offering.time_zone)
        first = meeting.starts_at.astimezone(zone).date()
        last = meeting.ends_at.astimezone(zone).date()
        if first < offering.starts_on or first > offering.ends_on:
            errors.setdefault("starts_at", []).append(_outside(offering))
        elif last > offering.ends_on:
            errors.setdefault("ends_at", []).append(_outside(offering))
    if errors:
        raise ValidationError(errors)


def _outside(offering: Offering) -> str:
    return _("A meeting must take place between %(first)s and %(last)s (the offering's days).") % {
        "first": formats.date_format(offering.starts_on, "DATE_FORMAT"),
        "last": formats.date_format(offering.ends_on, "DATE_FORMAT"),
    }


def _refuse_if_cancelled(offering: Offering) -> None:
    if offering.status == Offering.Status.CANCELLED:
        raise ValidationError(_("A cancelled offering's meetings can no longer be changed."))


@transaction.atomic
def meeting_create(
    *, actor, offering: Offering, title: str, starts_at: datetime, ends_at: datetime
) -> TrainingMeeting:
    offering = Offering.objects.select_for_update().get(pk=offering.pk)
    _refuse_if_cancelled(offering)
    meeting = TrainingMeeting(offering=offering, title=title, starts_at=starts_at, ends_at=ends_at)
    _validate_meeting(meeting, offering)
    meeting.save()
    audit_record(
        actor=actor,
        action="meeting.create",
        target=meeting,
        after=snapshot(meeting, MEETING_FIELDS),
    )
    completion_update(offering=offering)
    return meeting


@transaction.atomic
def meeting_update(*, actor, meeting: TrainingMeeting, **fields) -> TrainingMeeting:
    """Change a meeting; a new start or end raises its sequence (old reminders lapse)."""
    offering = Offering.objects.select_for_update().get(pk=meeting.offering_id)
    _refuse_if_cancelled(offering)
    meeting = TrainingMeeting.objects.select_for_update().get(pk=meeting.pk)
    before = snapshot(meeting, MEETING_FIELDS)
    old = {name: getattr(meeting, name) for name in TIME_FIELDS}
    for name, value in fields.items():
        setattr(meeting, name, value)
    _validate_meeting(meeting, offering)
    if any(getattr(meeting, name) != old[name] for name in TIME_FIELDS):
        meeting.sequence += 1
    meeting.save()
    audit_record(
        actor=actor,
        action="meeting.update",
        target=meeting,
        before=before,
        after=snapshot(meeting, MEETING_FIELDS),
    )
    return meeting


@transaction.atomic
def meeting_delete(*, actor, meeting: TrainingMeeting) -> Offering:
    """Delete a meeting with its attendance and reminders; completion is recomputed."""
    offering = Offering.objects.select_for_update().get(pk=meeting.offering_id)
    _refuse_if_cancelled(offering)
    meeting = TrainingMeeting.objects.select_for_update().get(pk=meeting.pk)
    audit_record(
        actor=actor,
        action="meeting.delete",
        target=offering,
        before={**snapshot(meeting, MEETING_FIELDS), "attendance": meeting.attendance.count()},
    )
    meeting.delete()
    completion_update(offering=offering)
    return offering

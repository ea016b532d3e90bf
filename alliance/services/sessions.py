"""Alliance sessions themselves: create, change, cancel, mark held; tell participants
when the time or the status changes."""

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gdpa.audit.services import audit_record, snapshot

from ..models import (
    AgendaItem,
    AllianceSession,
    Participant,
    Reminder,
)
from .reminders import reminders_reschedule
from .rsvp import accepted_count
from .session_mail import (
    enqueue_session_task,
    render_batches,
    session_email,
)

SESSION_FIELDS = [
    "title",
    "kind",
    "description",
    "time_zone",
    "starts_at",
    "ends_at",
    "format",
    "join_url",
    "venue",
    "capacity",
    "status",
]


def local_to_utc(value: datetime, zone_name: str, field: str) -> datetime:
    """A wall-clock time in ``zone_name`` as an aware UTC datetime.

    Times skipped by a daylight-saving change do not exist and are refused.
    """
    zone = ZoneInfo(zone_name)
    aware = value.replace(tzinfo=zone)
    if aware.astimezone(ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None) != value:
        raise ValidationError(
            {
                field: _("This time does not exist in %(zone)s (the clocks change).")
                % {"zone": zone_name}
            }
        )
    return aware.astimezone(ZoneInfo("UTC"))


def _validate_times(session: AllianceSession, *, times_changed: bool) -> None:
    errors = {}
    if session.ends_at <= session.starts_at:
        errors["ends_at"] = _("The end must be after the start.")
    if times_changed and session.starts_at <= timezone.now():
        errors["starts_at"] = _("The start must be in the future.")
    if session.format != AllianceSession.Format.IN_PERSON and not session.join_url:
        errors["join_url"] = _("An online or hybrid session needs a join link.")
    if session.format != AllianceSession.Format.ONLINE and not session.venue.strip():
        errors["venue"] = _("An in-person or hybrid session needs a venue.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def session_create(*, actor, sectors=(), agenda: list[dict] = (), **fields) -> AllianceSession:
    session = AllianceSession(created_by=actor, **fields)
    _validate_times(session, times_changed=True)
    session.full_clean()
    session.save()
    session.sectors.set(sectors)
    agenda_replace(session=session, items=agenda)
    audit_record(
        actor=actor,
        action="session.create",
        target=session,
        after=snapshot(session, SESSION_FIELDS),
    )
    return session


def agenda_replace(*, session: AllianceSession, items: Iterable[dict]) -> None:
    session.agenda_items.all().delete()
    AgendaItem.objects.bulk_create(
        AgendaItem(session=session, position=i, **item) for i, item in enumerate(items, start=1)
    )


@transaction.atomic
def session_update(
    *, actor, session: AllianceSession, sectors=None, agenda=None, **fields
) -> AllianceSession:
    session = AllianceSession.objects.select_for_update().get(pk=session.pk)
    if session.status in (AllianceSession.Status.CANCELLED, AllianceSession.Status.HELD):
        raise ValidationError(_("A cancelled or held session can no longer be changed."))
    before = snapshot(session, SESSION_FIELDS)
    for name, value in fields.items():
        setattr(session, name, value)
    times_changed = before["starts_at"] != session.starts_at or before["ends_at"] != session.ends_at
    _validate_times(session, times_changed=times_changed)
    if session.capacity is not None and session.capacity < accepted_count(session):
        raise ValidationError(
            {
                "capacity": ngettext(
                    "%(count)d person has already accepted; the capacity cannot be lower.",
                    "%(count)d people have already accepted; the capacity cannot be lower.",
                    accepted_count(session),
                )
                % {"count": accepted_count(session)}
            }
        )
    published = (
        before["status"] == AllianceSession.Status.DRAFT
        and session.status == AllianceSession.Status.SCHEDULED
    )
    if times_changed or published:
        session.sequence += 1
    session.full_clean()
    session.save()
    if sectors is not None:
        session.sectors.set(sectors)
    if agenda is not None:
        agenda_replace(session=session, items=agenda)
    audit_record(
        actor=actor,
        action="session.update",
        target=session,
        before=before,
        after=snapshot(session, SESSION_FIELDS),
    )
    if times_changed:
        reminders_reschedule(session)
        if session.status == AllianceSession.Status.SCHEDULED:
            enqueue_session_task(
                "notify_session_change", session.pk, rows=session.participants.count()
            )
    return session


@transaction.atomic
def session_cancel(*, actor, session: AllianceSession) -> AllianceSession:
    session = AllianceSession.objects.select_for_update().get(pk=session.pk)
    if session.status in (AllianceSession.Status.CANCELLED, AllianceSession.Status.HELD):
        raise ValidationError(_("This session can no longer be cancelled."))
    was_scheduled = session.status == AllianceSession.Status.SCHEDULED
    session.status = AllianceSession.Status.CANCELLED
    session.sequence += 1
    session.save(update_fields=["status", "sequence", "updated_at"])
    Reminder.objects.filter(participant__session=session, sent_at__isnull=True).delete()
    audit_record(actor=actor, action="session.cancel", target=session)
    if was_scheduled:
        enqueue_session_task("notify_session_change", session.pk, rows=session.participants.count())
    return session


@transaction.atomic
def session_mark_held(*, actor, session: AllianceSession) -> AllianceSession:
    if session.status != AllianceSession.Status.SCHEDULED or session.starts_at > timezone.now():
        raise ValidationError(_("Only a scheduled session that has started can be marked as held."))
    session.status = AllianceSession.Status.HELD
    session.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="session.held", target=session)
    return session


def participants_notify_change(*, session_id: int) -> int:
    """Tell everyone not declined, once per change, that the time moved or it was cancelled."""
    session = AllianceSession.objects.get(pk=session_id)
    pending = (
        Participant.objects.filter(
            session=session,
            notified_sequence__lt=session.sequence,
            invitation_sent_at__isnull=False,
        )
        .exclude(rsvp=Participant.Rsvp.DECLINED)
        .order_by("pk")
    )
    template = (
        "alliance/email/session_cancelled"
        if session.status == AllianceSession.Status.CANCELLED
        else "alliance/email/session_changed"
    )
    return render_batches(
        pending,
        {"notified_sequence": session.sequence},
        lambda p: session_email(p, kind=template.rsplit("/", 1)[-1], template=template, ics=True),
    )

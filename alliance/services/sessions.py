"""Alliance sessions themselves: create, change, cancel, mark held; tell participants
when the time or the status changes."""

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
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


#: How far ahead a session may be planned.
MAX_YEARS_AHEAD = 10

#: Changes participants are told about (and that raise the calendar SEQUENCE), in the
#: order the notice lists them. A corrected title or description is not among them.
NOTIFY_FIELDS = ("starts_at", "ends_at", "time_zone", "format", "venue", "join_url")
NOTIFY_LABELS = {
    "starts_at": _("Start"),
    "ends_at": _("End"),
    "time_zone": _("Session time zone"),
    "format": _("Format"),
    "venue": _("Venue"),
    "join_url": _("Join link"),
}
#: How many recent changes a session remembers for its notices.
CHANGE_LOG_LENGTH = 20


def local_to_utc(value: datetime, zone_name: str, field: str) -> datetime:
    """A wall-clock time in ``zone_name`` as an aware UTC datetime.

    Times skipped by a daylight-saving change do not exist and are refused, and so are
    times too far ahead to plan (the year 9999 does not even fit in UTC everywhere).
    """
    latest = timezone.now().year + MAX_YEARS_AHEAD
    if value.year > latest:
        raise ValidationError(
            {field: _("Enter a date before the year %(year)s.") % {"year": latest + 1}}
        )
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


def _validate_times(session: AllianceSession, *, start_changed: bool) -> None:
    errors = {}
    if session.ends_at <= session.starts_at:
        errors["ends_at"] = _("The end must be after the start.")
    if start_changed and session.starts_at <= timezone.now():
        errors["starts_at"] = _("The start must be in the future.")
    elif start_changed and session.starts_at.year > timezone.now().year + MAX_YEARS_AHEAD:
        errors["starts_at"] = _("Enter a date before the year %(year)s.") % {
            "year": timezone.now().year + MAX_YEARS_AHEAD + 1
        }
    if session.format != AllianceSession.Format.IN_PERSON and not session.join_url:
        errors["join_url"] = _("An online or hybrid session needs a join link.")
    if session.format != AllianceSession.Format.ONLINE and not session.venue.strip():
        errors["venue"] = _("An in-person or hybrid session needs a venue.")
    if errors:
        raise ValidationError(errors)


def session_transition_check(session: AllianceSession, status: str) -> None:
    """Refuse a status change the lifecycle table (``AllianceSession.TRANSITIONS``)
    does not allow, with a message for the status field."""
    if status == session.status or session.can_become(status):
        return
    raise ValidationError(
        {
            "status": _("A %(current)s session cannot become %(target)s.")
            % {
                "current": AllianceSession.Status(session.status).label.lower(),
                "target": AllianceSession.Status(status).label.lower(),
            }
        }
    )


@transaction.atomic
def session_create(*, actor, sectors=(), agenda: list[dict] = (), **fields) -> AllianceSession:
    session = AllianceSession(created_by=actor, **fields)
    if session.status not in (AllianceSession.Status.DRAFT, AllianceSession.Status.SCHEDULED):
        raise ValidationError({"status": _("A new session is a draft or scheduled.")})
    _validate_times(session, start_changed=True)
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


def _as_json(value):
    return value.isoformat() if isinstance(value, datetime) else value


def _log_change(session: AllianceSession, changed: dict) -> None:
    """Remember what this sequence changed (old and new values) for the notices."""
    entry = {
        "sequence": session.sequence,
        "at": timezone.now().isoformat(),
        "changes": {f: [_as_json(old), _as_json(new)] for f, (old, new) in changed.items()},
    }
    session.change_log = [*session.change_log, entry][-CHANGE_LOG_LENGTH:]


@transaction.atomic
def session_update(
    *, actor, session: AllianceSession, sectors=None, agenda=None, **fields
) -> AllianceSession:
    """Change a session. Only a change of time, time zone, format, venue or join link
    raises the calendar SEQUENCE and tells participants (saying what changed); only a
    new start moves reminders. A typo fixed in the title or description tells nobody."""
    session = AllianceSession.objects.select_for_update().get(pk=session.pk)
    if session.status == AllianceSession.Status.CANCELLED:
        raise ValidationError(_("A cancelled session can no longer be changed."))
    status = fields.pop("status", session.status)
    session_transition_check(session, status)
    if status != session.status and status in (
        AllianceSession.Status.CANCELLED,
        AllianceSession.Status.HELD,
    ):
        raise ValidationError(
            {
                "status": _(
                    "Use the session page's own buttons to cancel a session or mark it "
                    "as held: participants are told."
                )
            }
        )
    before = snapshot(session, SESSION_FIELDS)
    old = {name: getattr(session, name) for name in NOTIFY_FIELDS}
    for name, value in fields.items():
        setattr(session, name, value)
    changed = {
        name: (old[name], getattr(session, name))
        for name in NOTIFY_FIELDS
        if getattr(session, name) != old[name]
    }
    if changed and session.status == AllianceSession.Status.HELD:
        raise ValidationError(_("A session that was held keeps its time, format and place."))
    start_changed = "starts_at" in changed
    _validate_times(session, start_changed=start_changed)
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
        session.status == AllianceSession.Status.DRAFT
        and status == AllianceSession.Status.SCHEDULED
    )
    session.status = status
    if changed or published:
        session.sequence += 1
    if changed:
        _log_change(session, changed)
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
    if start_changed:
        reminders_reschedule(session)
    elif changed or published:
        # Reminders still fit the start; they follow the new calendar sequence.
        Reminder.objects.filter(participant__session=session, sent_at__isnull=True).update(
            schedule_sequence=session.sequence
        )
    if changed and session.status == AllianceSession.Status.SCHEDULED:
        enqueue_session_task("notify_session_change", session.pk, rows=session.participants.count())
    return session


@transaction.atomic
def session_cancel(*, actor, session: AllianceSession) -> AllianceSession:
    session = AllianceSession.objects.select_for_update().get(pk=session.pk)
    if not session.can_become(AllianceSession.Status.CANCELLED):
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
    session = AllianceSession.objects.select_for_update().get(pk=session.pk)
    if not session.can_become(AllianceSession.Status.HELD) or session.starts_at > timezone.now():
        raise ValidationError(_("Only a scheduled session that has started can be marked as held."))
    session.status = AllianceSession.Status.HELD
    session.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="session.held", target=session)
    return session


def _field_value(field: str, raw):
    """A logged value as the notice shows it: a time, a format's label, a zone, a text."""
    if raw in (None, ""):
        return ""
    if field in ("starts_at", "ends_at"):
        return datetime.fromisoformat(raw) if isinstance(raw, str) else raw
    if field == "format":
        return AllianceSession.Format(raw).label
    return raw


def changes_for(session: AllianceSession, participant: Participant) -> list[dict]:
    """What changed since this person was last told (or invited), field by field:
    translated label, old and new value (times are datetimes, shown in the reader's zone)."""
    since = participant.invitation_sent_at
    olds: dict = {}
    for entry in session.change_log:
        if entry["sequence"] <= participant.notified_sequence:
            continue
        if since is not None and datetime.fromisoformat(entry["at"]) < since:
            continue  # the invitation already showed this
        for field, (old, _new) in entry["changes"].items():
            olds.setdefault(field, old)
    changes = []
    for field in NOTIFY_FIELDS:
        if field not in olds:
            continue
        old, new = _field_value(field, olds[field]), _field_value(field, getattr(session, field))
        if old != new:
            changes.append(
                {
                    "field": field,
                    "label": NOTIFY_LABELS[field],
                    "old": old,
                    "new": new,
                    "is_time": field in ("starts_at", "ends_at"),
                }
            )
    return changes


def change_notices_pending():
    """Participants owed a change or cancellation notice: invited, not declined, told of
    an older calendar sequence than the session has now (the sender and the sweep share it)."""
    return Participant.objects.filter(
        notified_sequence__lt=F("session__sequence"),
        invitation_sent_at__isnull=False,
        session__status__in=[AllianceSession.Status.SCHEDULED, AllianceSession.Status.CANCELLED],
    ).exclude(rsvp=Participant.Rsvp.DECLINED)


def participants_notify_change(*, session_id: int) -> int:
    """Tell everyone not declined, once per change, what changed or that it was cancelled."""
    session = AllianceSession.objects.get(pk=session_id)
    pending = change_notices_pending().filter(session=session).order_by("pk")
    if session.status == AllianceSession.Status.CANCELLED:
        template = "alliance/email/session_cancelled"
        return render_batches(
            pending,
            {"notified_sequence": session.sequence},
            lambda p, renderer: session_email(
                p, kind="session_cancelled", template=template, renderer=renderer, ics=True
            ),
        )
    template = "alliance/email/session_changed"

    def render(participant: Participant, renderer):
        changes = changes_for(session, participant)
        if not changes:
            return None  # changed and changed back: nothing to tell
        return session_email(
            participant,
            kind="session_changed",
            template=template,
            extra={"changes": changes, "time_only": all(c["is_time"] for c in changes)},
            renderer=renderer,
            ics=True,
        )

    return render_batches(pending, {"notified_sequence": session.sequence}, render)

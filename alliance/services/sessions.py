"""Alliance sessions: create, schedule, invite, RSVP, remind, record attendance."""

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import filetype
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gdpa.accounts.roles import YOUTH, users_with_role
from gdpa.audit.services import audit_record, snapshot
from gdpa.notify.services import email_render_and_queue, enqueue_on_commit

from .. import calendar
from ..models import (
    AgendaItem,
    AllianceSession,
    CalendarFeed,
    Membership,
    Organization,
    Participant,
    Reminder,
    SessionDocument,
)
from ..models.sessions import new_secret

__all__ = [
    "RSVP_LINK_LIFETIME",
    "agenda_replace",
    "attendance_record",
    "audience_users",
    "calendar_feed_get",
    "calendar_feed_reset",
    "checkin",
    "document_add",
    "link_participant",
    "local_to_utc",
    "participants_notify_change",
    "reminders_dispatch",
    "rsvp_from_link",
    "rsvp_link_peek",
    "rsvp_link_token",
    "rsvp_set",
    "session_cancel",
    "session_create",
    "session_invitations_send",
    "session_invite",
    "session_mark_held",
    "session_summary_publish",
    "session_summary_send",
    "session_update",
]

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
RSVP_SALT = "alliance.rsvp"
RSVP_LINK_LIFETIME = timedelta(days=60)
BATCH = 200
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
DOCUMENT_TYPES = {
    "application/pdf": SessionDocument.Kind.PDF,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": SessionDocument.Kind.DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": SessionDocument.Kind.XLSX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": SessionDocument.Kind.PPTX,
}


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


def _accepted_count(session: AllianceSession) -> int:
    return session.participants.filter(rsvp=Participant.Rsvp.ACCEPTED).count()


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
    if session.capacity is not None and session.capacity < _accepted_count(session):
        raise ValidationError(
            {
                "capacity": _(
                    "%(count)s people have already accepted; the capacity cannot be lower."
                )
                % {"count": _accepted_count(session)}
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
        _reschedule_reminders(session)
        if session.status == AllianceSession.Status.SCHEDULED:
            _enqueue("notify_session_change", session.pk, rows=session.participants.count())
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
        _enqueue("notify_session_change", session.pk, rows=session.participants.count())
    return session


@transaction.atomic
def session_mark_held(*, actor, session: AllianceSession) -> AllianceSession:
    if session.status != AllianceSession.Status.SCHEDULED or session.starts_at > timezone.now():
        raise ValidationError(_("Only a scheduled session that has started can be marked as held."))
    session.status = AllianceSession.Status.HELD
    session.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="session.held", target=session)
    return session


#: At most this many tasks render one session's e-mails side by side.
MAX_PARALLEL_TASKS = 4


def _enqueue(task_name: str, session_id: int, rows: int = 1) -> None:
    """Enqueue the task once per batch of work, up to MAX_PARALLEL_TASKS copies.

    The copies claim disjoint batches (SKIP LOCKED) so every worker process can render;
    a copy that finds nothing left simply returns.
    """
    from .. import tasks

    task = getattr(tasks, task_name)
    copies = max(1, min(MAX_PARALLEL_TASKS, -(-rows // BATCH)))
    transaction.on_commit(lambda: [task.delay(session_id) for _ in range(copies)])


# Invitations ------------------------------------------------------------------------------


def _parse_emails(raw: Iterable[str]) -> list[str]:
    emails, bad = [], []
    for address in raw:
        address = address.strip().lower()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            bad.append(address)
        else:
            emails.append(address)
    if bad:
        raise ValidationError(
            {
                "emails": _("These are not valid e-mail addresses: %(list)s")
                % {"list": ", ".join(bad[:10])}
            }
        )
    return emails


def audience_users(
    *, member_states=(), org_kinds=(), sectors=(), countries=(), include_youth=False
):
    """Accounts in the chosen audience (a queryset, resolved in the database)."""
    User = get_user_model()
    audience = Q(pk__in=[])
    if member_states:
        audience |= Q(
            memberships__role__in=[Membership.Role.FOCAL_POINT, Membership.Role.ADMIN],
            memberships__organization__kind=Organization.Kind.GOVERNMENT,
            memberships__organization__status=Organization.Status.VERIFIED,
            memberships__organization__member_state__in=member_states,
        )
    if org_kinds or sectors or countries:
        orgs = Organization.objects.filter(status=Organization.Status.VERIFIED)
        if org_kinds:
            orgs = orgs.filter(kind__in=org_kinds)
        if sectors:
            orgs = orgs.filter(sectors__in=sectors)
        if countries:
            orgs = orgs.filter(country__in=countries)
        audience |= Q(memberships__organization__in=orgs.values("pk"))
    if include_youth:
        audience |= Q(pk__in=users_with_role(YOUTH))
    return User.objects.filter(audience, is_active=True).distinct()


@transaction.atomic
def session_invite(
    *,
    actor,
    session: AllianceSession,
    member_states=(),
    org_kinds=(),
    sectors=(),
    countries=(),
    include_youth: bool = False,
    emails: Iterable[str] = (),
) -> int:
    """Add the audience to the session and e-mail each new invitee once (by a task)."""
    if session.status != AllianceSession.Status.SCHEDULED or session.starts_at <= timezone.now():
        raise ValidationError(_("Invitations go out for scheduled sessions that have not started."))
    addresses = _parse_emails(emails)
    users = audience_users(
        member_states=member_states,
        org_kinds=org_kinds,
        sectors=sectors,
        countries=countries,
        include_youth=include_youth,
    )
    by_email = {u.email.lower(): u.pk for u in users.only("pk", "email")}
    if addresses:
        User = get_user_model()
        # Accounts keep the case their owners typed; match addresses case-insensitively.
        accounts = User.objects.annotate(email_lower=Lower("email")).filter(
            email_lower__in=addresses
        )
        for user in accounts.only("pk", "email"):
            by_email[user.email.lower()] = user.pk
        for address in addresses:
            by_email.setdefault(address, None)
    if not by_email:
        raise ValidationError(
            _("Nobody matches this audience. Choose at least one group or address.")
        )
    existing = set(session.participants.values_list("email", flat=True))
    new = [
        Participant(session=session, email=email, user_id=user_id, invited_by=actor)
        for email, user_id in by_email.items()
        if email not in existing
    ]
    Participant.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    audit_record(
        actor=actor,
        action="session.invite",
        target=session,
        after={"invited": len(new), "already_invited": len(by_email) - len(new)},
    )
    _enqueue("send_session_invitations", session.pk, rows=len(new))
    return len(new)


def _recipient(participant: Participant) -> tuple[str, str, object]:
    user = participant.user
    if user is not None:
        return user.preferred_language, user.time_zone, user
    return "en", participant.session.time_zone, None


def rsvp_link_token(participant: Participant, answer: str) -> str:
    return signing.dumps(
        {"p": participant.pk, "n": participant.link_nonce, "a": answer},
        salt=RSVP_SALT,
        compress=True,
    )


def _session_email(participant: Participant, *, kind: str, template: str, extra=None, ics=False):
    language, zone, user = _recipient(participant)
    session = participant.session
    context = {
        "session": session,
        "participant": participant,
        "session_zone": ZoneInfo(session.time_zone),
        "url": reverse("alliance:session", args=[session.pk]),
        "links": {
            answer: reverse("alliance:rsvp_link", args=[rsvp_link_token(participant, answer)])
            for answer in ("accepted", "tentative", "declined")
        },
        **(extra or {}),
    }
    attachment = (
        ("session.ics", calendar.session_ics(session, participant).decode(), "text/calendar")
        if ics
        else None
    )
    return email_render_and_queue(
        to=participant.email,
        kind=kind,
        template=template,
        context=context,
        language=language,
        user=user,
        time_zone=zone,
        attachment=attachment,
        enqueue=False,
    )


def _batched(queryset, mark: dict, render) -> int:
    """Claim rows in batches (skip-locked), render an e-mail for each, mark them, commit."""
    total = 0
    while True:
        with transaction.atomic():
            rows = list(
                queryset.select_for_update(skip_locked=True, of=("self",)).select_related(
                    "session", "user"
                )[:BATCH]
            )
            if not rows:
                return total
            email_ids = []
            for row in rows:
                email = render(row)
                if email is not None:
                    email_ids.append(email.pk)
                for field, value in mark.items():
                    setattr(row, field, value(row) if callable(value) else value)
            type(rows[0]).objects.bulk_update(rows, list(mark))
            enqueue_on_commit(email_ids)
            total += len(rows)


def session_invitations_send(*, session_id: int) -> int:
    """E-mail every participant not yet invited (safe to run twice or concurrently)."""
    pending = Participant.objects.filter(
        session_id=session_id,
        invitation_sent_at__isnull=True,
        session__status=AllianceSession.Status.SCHEDULED,
    ).order_by("pk")
    return _batched(
        pending,
        {"invitation_sent_at": timezone.now()},
        lambda p: _session_email(
            p, kind="session_invitation", template="alliance/email/session_invitation", ics=True
        ),
    )


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
    return _batched(
        pending,
        {"notified_sequence": session.sequence},
        lambda p: _session_email(p, kind=template.rsplit("/", 1)[-1], template=template, ics=True),
    )


# Answers ---------------------------------------------------------------------------------


def _reminders_for(participant: Participant, session: AllianceSession, now) -> list[Reminder]:
    return [
        Reminder(
            participant=participant,
            kind=kind,
            schedule_sequence=session.sequence,
            due_at=session.starts_at - offset,
        )
        for kind, offset in Reminder.OFFSETS.items()
        if session.starts_at - offset > now
    ]


def _reschedule_reminders(session: AllianceSession) -> None:
    Reminder.objects.filter(participant__session=session, sent_at__isnull=True).delete()
    now = timezone.now()
    going = session.participants.filter(
        rsvp__in=[Participant.Rsvp.ACCEPTED, Participant.Rsvp.TENTATIVE]
    )
    rows = [r for p in going.iterator() for r in _reminders_for(p, session, now)]
    Reminder.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


@transaction.atomic
def rsvp_set(*, participant: Participant, answer: str) -> Participant:
    """Accept, decline or answer tentatively. Capacity holds under concurrent answers."""
    if answer not in (
        Participant.Rsvp.ACCEPTED,
        Participant.Rsvp.TENTATIVE,
        Participant.Rsvp.DECLINED,
    ):
        raise ValidationError(_("Choose accept, tentative or decline."))
    # Lock the session row: concurrent answers to the same session queue up here.
    session = AllianceSession.objects.select_for_update().get(pk=participant.session_id)
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if not session.is_open_for_rsvp:
        raise ValidationError(_("Answers are closed: the session has started or is not scheduled."))
    if (
        answer == Participant.Rsvp.ACCEPTED
        and participant.rsvp != Participant.Rsvp.ACCEPTED
        and session.capacity is not None
        and _accepted_count(session) >= session.capacity
    ):
        raise ValidationError(
            _("The session is full. You may answer “tentative” to stay informed.")
        )
    participant.rsvp = answer
    participant.responded_at = timezone.now()
    participant.save(update_fields=["rsvp", "responded_at"])
    participant.reminders.filter(sent_at__isnull=True).delete()
    if participant.is_going:
        Reminder.objects.bulk_create(
            _reminders_for(participant, session, timezone.now()), ignore_conflicts=True
        )
    participant.session = session
    return participant


def _link_data(token: str, *, lock: bool) -> tuple[Participant, str]:
    try:
        data = signing.loads(token, salt=RSVP_SALT, max_age=RSVP_LINK_LIFETIME.total_seconds())
    except signing.SignatureExpired as exc:
        raise ValidationError(_("This link has expired. Answer from the session page.")) from exc
    except signing.BadSignature as exc:
        raise ValidationError(_("This link is not valid.")) from exc
    qs = Participant.objects.select_related("session")
    participant = (
        (qs.select_for_update(of=("self",)) if lock else qs).filter(pk=data.get("p")).first()
    )
    if participant is None or participant.link_nonce != data.get("n"):
        raise ValidationError(
            _("This link has already been used. You can change your answer on the session page.")
        )
    if data.get("a") not in Participant.Rsvp.values:
        raise ValidationError(_("This link is not valid."))
    return participant, data["a"]


def rsvp_link_peek(*, token: str) -> tuple[Participant, str]:
    """The invitation and answer an e-mailed link stands for, without applying it."""
    return _link_data(token, lock=False)


@transaction.atomic
def rsvp_from_link(*, token: str) -> Participant:
    """Apply an answer from an e-mailed link; each link works once."""
    participant, answer = _link_data(token, lock=True)
    participant = rsvp_set(participant=participant, answer=answer)
    participant.link_nonce = new_secret()
    participant.save(update_fields=["link_nonce"])
    return participant


def link_participant(participant: Participant, user) -> Participant:
    """Attach an invitation sent to an address to the account that now has it."""
    if participant.user_id is None and user.email.lower() == participant.email:
        participant.user = user
        participant.save(update_fields=["user"])
    return participant


# Reminders -------------------------------------------------------------------------------


def reminders_dispatch(*, now=None) -> int:
    """Send reminders that are due. Safe with two beat processes and retried messages:
    rows are claimed with SKIP LOCKED and marked sent in the same transaction as their
    e-mail row, so each goes out once and none is lost."""
    now = now or timezone.now()
    due = (
        Reminder.objects.filter(sent_at__isnull=True, due_at__lte=now)
        .select_related("participant", "participant__session", "participant__user")
        .order_by("due_at", "pk")
    )
    total = 0
    while True:
        with transaction.atomic():
            rows = list(due.select_for_update(skip_locked=True, of=("self",))[:BATCH])
            if not rows:
                return total
            email_ids = []
            for reminder in rows:
                participant = reminder.participant
                session = participant.session
                if (
                    participant.is_going
                    and session.status == AllianceSession.Status.SCHEDULED
                    and reminder.schedule_sequence == session.sequence
                    and session.starts_at > now
                ):
                    email = _session_email(
                        participant,
                        kind=f"session_reminder_{reminder.kind}",
                        template="alliance/email/session_reminder",
                    )
                    email_ids.append(email.pk)
                reminder.sent_at = now
            Reminder.objects.bulk_update(rows, ["sent_at"])
            enqueue_on_commit(email_ids)
            total += len(rows)


# After the session -----------------------------------------------------------------------


@transaction.atomic
def attendance_record(
    *, actor, session: AllianceSession, shown: Iterable[int], attended: Iterable[int]
) -> int:
    """Set attendance for the participants shown on one page of the attendance list."""
    shown, attended = set(shown), set(attended)
    if session.starts_at - AllianceSession.JOIN_OPENS_BEFORE > timezone.now():
        raise ValidationError(_("Attendance can be recorded once the session has started."))
    qs = session.participants.filter(pk__in=shown)
    qs.filter(pk__in=attended).update(attended=True)
    qs.exclude(pk__in=attended).update(attended=False, checked_in_at=None)
    audit_record(
        actor=actor,
        action="session.attendance",
        target=session,
        after={"attended": sorted(attended & shown), "absent": sorted(shown - attended)},
    )
    return len(attended & shown)


@transaction.atomic
def checkin(*, participant: Participant, code: str) -> Participant:
    session = participant.session
    now = timezone.now()
    if not (session.starts_at - AllianceSession.JOIN_OPENS_BEFORE <= now <= session.ends_at):
        raise ValidationError(
            {"code": _("Check-in is open from 30 minutes before the start until the end.")}
        )
    if code.strip().upper() != session.checkin_code:
        raise ValidationError({"code": _("This is not the code shown in the room.")})
    participant.attended = True
    participant.checked_in_at = now
    participant.save(update_fields=["attended", "checked_in_at"])
    return participant


@transaction.atomic
def session_summary_publish(*, actor, session: AllianceSession, summary: str) -> AllianceSession:
    summary = summary.strip()
    if not summary:
        raise ValidationError({"summary": _("Write the summary before publishing it.")})
    if session.starts_at > timezone.now():
        raise ValidationError(
            {"summary": _("A summary can be published once the session has started.")}
        )
    session.summary = summary
    session.summary_published_at = timezone.now()
    session.full_clean()
    session.save(update_fields=["summary", "summary_published_at", "updated_at"])
    audit_record(actor=actor, action="session.summary", target=session)
    _enqueue("send_session_summary", session.pk, rows=session.participants.count())
    return session


def session_summary_send(*, session_id: int) -> int:
    pending = Participant.objects.filter(
        session_id=session_id, summary_sent_at__isnull=True, invitation_sent_at__isnull=False
    ).filter(Q(attended=True) | Q(rsvp__in=[Participant.Rsvp.ACCEPTED, Participant.Rsvp.TENTATIVE]))
    return _batched(
        pending.order_by("pk"),
        {"summary_sent_at": timezone.now()},
        lambda p: _session_email(
            p, kind="session_summary", template="alliance/email/session_summary"
        ),
    )


@transaction.atomic
def document_add(*, actor, session: AllianceSession, title: str, upload) -> SessionDocument:
    """Attach a PDF, DOCX, XLSX or PPTX; the type is read from the content, not the name."""
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError({"file": _("The file is larger than 10 MB.")})
    head = upload.read(8192)
    upload.seek(0)
    guess = filetype.guess(head)
    kind = DOCUMENT_TYPES.get(guess.mime) if guess else None
    if kind is None:
        raise ValidationError(
            {"file": _("Only PDF, Word, Excel and PowerPoint files can be added.")}
        )
    name = upload.name.rsplit(".", 1)[0][:80] or "document"
    upload.name = f"{name}.{kind}"
    document = SessionDocument(
        session=session,
        title=title.strip() or name,
        file=upload,
        kind=kind,
        size=upload.size,
        uploaded_by=actor,
    )
    document.full_clean()
    document.save()
    audit_record(
        actor=actor, action="session.document_add", target=session, after={"title": document.title}
    )
    return document


# Calendar feed ---------------------------------------------------------------------------


def calendar_feed_get(*, user) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def calendar_feed_reset(*, user) -> CalendarFeed:
    """Revoke the old private address and make a new one."""
    feed = calendar_feed_get(user=user)
    feed.token = new_secret()
    feed.save(update_fields=["token", "created_at"])
    return feed

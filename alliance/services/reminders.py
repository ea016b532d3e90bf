"""Session reminders: rows scheduled per participant, sent once by a periodic task."""

from django.db import transaction
from django.utils import timezone

from gdpa.notify.rendering import SharedRender
from gdpa.notify.services import emails_queue_many

from ..models import (
    AllianceSession,
    Participant,
    Reminder,
)
from .session_mail import BATCH, session_email


def reminders_for(participant: Participant, session: AllianceSession, now) -> list[Reminder]:
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


def reminders_reschedule(session: AllianceSession) -> None:
    Reminder.objects.filter(participant__session=session, sent_at__isnull=True).delete()
    now = timezone.now()
    going = session.participants.filter(
        rsvp__in=[Participant.Rsvp.ACCEPTED, Participant.Rsvp.TENTATIVE]
    )
    rows = [r for p in going.iterator() for r in reminders_for(p, session, now)]
    Reminder.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


def reminders_dispatch(*, now=None) -> int:
    """Send reminders that are due. Safe with two beat processes and retried messages:
    rows are claimed with SKIP LOCKED and marked sent in the same transaction as their
    e-mail row, so each goes out once and none is lost. What a session's reminders share
    is rendered once per language and zone; a batch of 200 costs a fixed number of
    queries."""
    now = now or timezone.now()
    due = (
        Reminder.objects.filter(sent_at__isnull=True, due_at__lte=now)
        .select_related("participant", "participant__session", "participant__user")
        .order_by("due_at", "pk")
    )
    renderer = SharedRender()
    total = 0
    while True:
        with transaction.atomic():
            rows = list(due.select_for_update(skip_locked=True, of=("self",))[:BATCH])
            if not rows:
                return total
            emails = []
            for reminder in rows:
                participant = reminder.participant
                session = participant.session
                if (
                    participant.is_going
                    and session.status == AllianceSession.Status.SCHEDULED
                    and reminder.schedule_sequence == session.sequence
                    and session.starts_at > now
                ):
                    emails.append(
                        session_email(
                            participant,
                            kind=f"session_reminder_{reminder.kind}",
                            template="alliance/email/session_reminder",
                            renderer=renderer,
                        )
                    )
                reminder.sent_at = now
            Reminder.objects.filter(pk__in=[r.pk for r in rows]).update(sent_at=now)
            emails_queue_many(emails)
            total += len(rows)

"""After the session starts: attendance, room check-in, the published summary."""

from collections.abc import Iterable
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gdpa.audit.services import audit_record

from ..models import (
    AllianceSession,
    Participant,
)
from .rsvp import link_participant
from .session_mail import (
    enqueue_session_task,
    render_batches,
    session_email,
)


@transaction.atomic
def attendance_record(
    *, actor, session: AllianceSession, shown: Iterable[int], attended: Iterable[int]
) -> int:
    """Set attendance for the participants shown on one page of the attendance list."""
    shown, attended = set(shown), set(attended)
    if not session.takes_place:
        raise ValidationError(_("A cancelled session has no attendance to record."))
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


#: Wrong check-in codes a participant may try within CHECKIN_WINDOW.
CHECKIN_ATTEMPTS = 5
CHECKIN_WINDOW = timedelta(minutes=10)


def _checkin_key(participant: Participant) -> str:
    return f"alliance:checkin-failures:{participant.pk}"


def _count_failure(participant: Participant) -> None:
    key, seconds = _checkin_key(participant), int(CHECKIN_WINDOW.total_seconds())
    if not cache.add(key, 1, seconds):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, seconds)


@transaction.atomic
def checkin(*, participant: Participant, code: str, user=None) -> Participant:
    """Check in with the code shown in the room. Wrong codes are limited per participant
    (CHECKIN_ATTEMPTS per CHECKIN_WINDOW); a cancelled session takes no check-in."""
    if user is not None:
        link_participant(participant, user)
    session = participant.session
    now = timezone.now()
    if not session.takes_place:
        raise ValidationError({"code": _("This session was cancelled; there is no check-in.")})
    if not (session.starts_at - AllianceSession.JOIN_OPENS_BEFORE <= now <= session.ends_at):
        raise ValidationError(
            {"code": _("Check-in is open from 30 minutes before the start until the end.")}
        )
    if (cache.get(_checkin_key(participant)) or 0) >= CHECKIN_ATTEMPTS:
        minutes = int(CHECKIN_WINDOW.total_seconds() // 60)
        raise ValidationError(
            {
                "code": ngettext(
                    "Too many wrong codes. Try again in %(minutes)s minute, or ask the "
                    "organizers to record your attendance.",
                    "Too many wrong codes. Try again in %(minutes)s minutes, or ask the "
                    "organizers to record your attendance.",
                    minutes,
                )
                % {"minutes": minutes}
            }
        )
    if code.strip().upper() != session.checkin_code:
        _count_failure(participant)
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
    if not session.takes_place:
        raise ValidationError({"summary": _("A cancelled session has no summary to publish.")})
    if session.starts_at > timezone.now():
        raise ValidationError(
            {"summary": _("A summary can be published once the session has started.")}
        )
    session.summary = summary
    session.summary_published_at = timezone.now()
    session.full_clean()
    session.save(update_fields=["summary", "summary_published_at", "updated_at"])
    audit_record(actor=actor, action="session.summary", target=session)
    enqueue_session_task("send_session_summary", session.pk, rows=session.participants.count())
    return session


def summaries_pending():
    """Participants owed the published summary: invited, and attended or said they would
    (the sender and the sweep share it)."""
    return Participant.objects.filter(
        summary_sent_at__isnull=True,
        invitation_sent_at__isnull=False,
        session__summary_published_at__isnull=False,
    ).filter(Q(attended=True) | Q(rsvp__in=[Participant.Rsvp.ACCEPTED, Participant.Rsvp.TENTATIVE]))


def session_summary_send(*, session_id: int) -> int:
    pending = summaries_pending().filter(session_id=session_id)
    return render_batches(
        pending.order_by("pk"),
        {"summary_sent_at": timezone.now()},
        lambda p, renderer: session_email(
            p, kind="session_summary", template="alliance/email/session_summary", renderer=renderer
        ),
    )

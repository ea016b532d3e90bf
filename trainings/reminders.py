"""Training reminders: rows owed per person, sent once by a periodic task.

Two kinds, the sessions' scheduled-notification pattern (``alliance/services/reminders.py``):

- before each meeting (24 hours and 1 hour), to every learner enrolled in the offering.
  The sweep writes the rows of meetings whose reminder has fallen due, for the
  meeting's current ``sequence`` and the learners enrolled at that moment (unique rows,
  conflicts ignored, so a second sweep writes nothing new);
- before enrollment closes (``WINDOW_CLOSING_BEFORE``), to people who asked for it on the
  offering page and have not enrolled since.

Rows are claimed with SKIP LOCKED, checked again (still enrolled, the meeting not moved
and still ahead; still no enrollment and the window still open) and marked handled in the
same transaction as their e-mail row: each goes out once, and none is lost. What the
learners of one meeting share is rendered once per language and zone (``SharedRender``).
"""

from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gdpa.audit.services import audit_record
from gdpa.notify.rendering import SharedRender
from gdpa.notify.services import email_build, emails_queue_many

from .eligibility import is_eligible
from .models import Enrollment, Offering, TrainingMeeting, TrainingProgramme, TrainingReminder

BATCH = 200
Kind = TrainingReminder.Kind


# The window-closing reminder a person asks for ------------------------------------------


def window_reminder_refusal(
    *,
    user,
    offering: Offering,
    now=None,
    eligible: bool | None = None,
    enrolled: bool | None = None,
) -> str | None:
    """Why ``user`` cannot ask to be reminded before enrollment closes; None if they can.
    ``eligible``, ``enrolled``: as for ``enrollment_refusal``, what the caller has read."""
    now = now or timezone.now()
    if offering.status != Offering.Status.OPEN or now >= offering.enrollment_closes_at:
        return _("Enrollment for this offering is not open.")
    if enrolled is None:
        enrolled = Enrollment.objects.filter(offering=offering, user=user).active().exists()
    if enrolled:
        return _("You are already enrolled or on the waiting list for this offering.")
    if not (is_eligible(user, offering) if eligible is None else eligible):
        return _("This training is for %(audience)s; your account is not among them.") % {
            "audience": offering.programme.get_audience_display().lower()
        }
    return None


def window_reminder_of(user, offering: Offering) -> TrainingReminder | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return TrainingReminder.objects.filter(
        kind=Kind.WINDOW_CLOSING, user=user, offering=offering
    ).first()


@transaction.atomic
def window_reminder_request(*, user, offering: Offering) -> TrainingReminder:
    refusal = window_reminder_refusal(user=user, offering=offering)
    if refusal:
        raise ValidationError(refusal)
    if window_reminder_of(user, offering) is not None:
        raise ValidationError(_("You have already asked to be reminded."))
    try:
        with transaction.atomic():
            reminder = TrainingReminder.objects.create(
                kind=Kind.WINDOW_CLOSING, user=user, offering=offering
            )
    except IntegrityError as exc:  # the same request twice at once
        raise ValidationError(_("You have already asked to be reminded.")) from exc
    audit_record(actor=user, action="training_reminder.request", target=offering)
    return reminder


@transaction.atomic
def window_reminder_cancel(*, user, offering: Offering) -> None:
    deleted, _rows = TrainingReminder.objects.filter(
        kind=Kind.WINDOW_CLOSING, user=user, offering=offering, sent_at__isnull=True
    ).delete()
    if not deleted:
        raise ValidationError(_("There is no reminder to cancel."))
    audit_record(actor=user, action="training_reminder.cancel", target=offering)


# The sweep ---------------------------------------------------------------------------------


def meeting_reminders_materialise(*, now=None) -> int:
    """Write the meeting reminders that have fallen due for the learners enrolled now.

    A 24-hour reminder is not written once the 1-hour one is due (nobody gets both at
    once). One query per meeting and kind, for the meetings of the next 24 hours."""
    now = now or timezone.now()
    day, hour = Kind.MEETING_24H, Kind.MEETING_1H
    meetings = TrainingMeeting.objects.filter(
        starts_at__gt=now,
        starts_at__lte=now + TrainingReminder.MEETING_OFFSETS[day],
        offering__status__in=[Offering.Status.OPEN, Offering.Status.CLOSED],
    ).only("pk", "offering_id", "sequence", "starts_at")
    rows = []
    for meeting in meetings:
        kind = hour if meeting.starts_at - TrainingReminder.MEETING_OFFSETS[hour] <= now else day
        learners = (
            Enrollment.objects.filter(
                offering_id=meeting.offering_id, status=Enrollment.Status.ENROLLED
            )
            .exclude(
                Exists(
                    TrainingReminder.objects.filter(
                        user=OuterRef("user"), meeting=meeting, kind=kind, sequence=meeting.sequence
                    )
                )
            )
            .values_list("user_id", flat=True)
        )
        rows.extend(
            TrainingReminder(
                kind=kind,
                user_id=user_id,
                offering_id=meeting.offering_id,
                meeting=meeting,
                sequence=meeting.sequence,
            )
            for user_id in learners
        )
    TrainingReminder.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)


def _due(now) -> Q:
    """Unsent rows whose time has come, by the current time of their meeting or window."""
    hour = TrainingReminder.MEETING_OFFSETS
    return Q(sent_at__isnull=True) & (
        Q(kind=Kind.MEETING_24H, meeting__starts_at__lte=now + hour[Kind.MEETING_24H])
        | Q(kind=Kind.MEETING_1H, meeting__starts_at__lte=now + hour[Kind.MEETING_1H])
        | Q(
            kind=Kind.WINDOW_CLOSING,
            offering__enrollment_closes_at__lte=now + TrainingReminder.WINDOW_CLOSING_BEFORE,
        )
    )


def _still_applies(reminder: TrainingReminder, active: set[tuple[int, int]], now) -> bool:
    offering = reminder.offering
    if reminder.kind == Kind.WINDOW_CLOSING:
        return (
            offering.status == Offering.Status.OPEN
            and offering.window_open(now)
            and (reminder.user_id, offering.pk) not in active
        )
    meeting = reminder.meeting
    return (
        offering.status in (Offering.Status.OPEN, Offering.Status.CLOSED)
        and reminder.sequence == meeting.sequence
        and meeting.starts_at > now
        and (reminder.user_id, offering.pk) in active
    )


def _email(reminder: TrainingReminder, renderer: SharedRender):
    person, offering = reminder.user, reminder.offering
    programme = offering.programme
    meeting = reminder.meeting
    context = {
        "offering": offering,
        "programme": programme,
        "meeting": meeting,
        "offering_zone": ZoneInfo(offering.time_zone),
        "show_join_link": bool(offering.join_url)
        and programme.mode != TrainingProgramme.Mode.IN_PERSON,
        "show_venue": bool(offering.venue) and programme.mode != TrainingProgramme.Mode.ONLINE,
        "url": reverse("trainings:offering", args=[offering.pk]),
    }
    template = (
        "trainings/email/window_closing"
        if reminder.kind == Kind.WINDOW_CLOSING
        else "trainings/email/meeting_reminder"
    )
    rendered = renderer.render(
        template=template,
        context=context,
        slots={},
        language=person.preferred_language,
        time_zone=person.time_zone or "UTC",
    )
    return email_build(
        to=person.email,
        kind=f"training_{reminder.kind}",
        language=person.preferred_language,
        subject=rendered.subject,
        body_text=rendered.body_text,
        body_html=rendered.body_html,
        user=person,
    )


def reminders_dispatch(*, now=None) -> int:
    """Write the meeting reminders now due, then send every due reminder once.

    Safe with two beat processes and retried messages: rows are claimed with SKIP
    LOCKED and marked handled in the same transaction as their e-mail row."""
    now = now or timezone.now()
    meeting_reminders_materialise(now=now)
    due = (
        TrainingReminder.objects.filter(_due(now))
        .select_related("user", "offering", "offering__programme", "meeting")
        .order_by("pk")
    )
    renderer = SharedRender()
    total = 0
    while True:
        with transaction.atomic():
            rows = list(due.select_for_update(skip_locked=True, of=("self",))[:BATCH])
            if not rows:
                return total
            active = set(
                Enrollment.objects.filter(
                    user_id__in={r.user_id for r in rows},
                    offering_id__in={r.offering_id for r in rows},
                )
                .exclude(status__in=Enrollment.CLOSED_STATUSES)
                .values_list("user_id", "offering_id")
            )
            enrolled = set(
                Enrollment.objects.filter(
                    user_id__in={r.user_id for r in rows},
                    offering_id__in={r.offering_id for r in rows},
                    status=Enrollment.Status.ENROLLED,
                ).values_list("user_id", "offering_id")
            )
            emails = []
            for reminder in rows:
                holders = active if reminder.kind == Kind.WINDOW_CLOSING else enrolled
                if _still_applies(reminder, holders, now):
                    emails.append(_email(reminder, renderer))
                reminder.sent_at = now
            TrainingReminder.objects.filter(pk__in=[r.pk for r in rows]).update(sent_at=now)
            emails_queue_many(emails)
            total += len(rows)

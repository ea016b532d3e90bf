"""Attendance at training meetings: staff tick who was present (a page of learners at a
time), or open check-in so learners in the room record themselves with the code shown.

Only enrolled learners have attendance; absence has no row. Every change recomputes
completion for the learners it touched.
"""

from collections.abc import Iterable
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from alliance.models.sessions import new_checkin_code
from gdpa.audit.services import audit_record

from .completion import completion_update
from .models import Enrollment, MeetingAttendance, Offering, TrainingMeeting

#: Check-in (and recording attendance) opens this long before a meeting starts.
OPENS_BEFORE = timedelta(minutes=30)
#: Wrong check-in codes a learner may try within CHECKIN_WINDOW.
CHECKIN_ATTEMPTS = 5
CHECKIN_WINDOW = timedelta(minutes=10)


def in_checkin_window(meeting: TrainingMeeting, now) -> bool:
    return meeting.starts_at - OPENS_BEFORE <= now <= meeting.ends_at


def _refuse_if_cancelled(offering: Offering) -> None:
    if offering.status == Offering.Status.CANCELLED:
        raise ValidationError(_("A cancelled offering has no attendance to record."))


@transaction.atomic
def attendance_record(
    *, actor, meeting: TrainingMeeting, shown: Iterable[int], attended: Iterable[int]
) -> int:
    """Set attendance at ``meeting`` for the enrolled learners shown on one page of the
    list (enrollment ids); returns how many of them were present."""
    offering = meeting.offering
    _refuse_if_cancelled(offering)
    if meeting.starts_at - OPENS_BEFORE > timezone.now():
        raise ValidationError(_("Attendance can be recorded once the meeting has started."))
    shown_ids = set(
        offering.enrollments.filter(
            pk__in=set(shown), status=Enrollment.Status.ENROLLED
        ).values_list("pk", flat=True)
    )
    present = shown_ids & set(attended)
    MeetingAttendance.objects.bulk_create(
        [
            MeetingAttendance(
                meeting=meeting,
                enrollment_id=pk,
                method=MeetingAttendance.Method.STAFF,
                recorded_by=actor,
            )
            for pk in sorted(present)
        ],
        ignore_conflicts=True,
    )
    MeetingAttendance.objects.filter(
        meeting=meeting, enrollment_id__in=shown_ids - present
    ).delete()
    audit_record(
        actor=actor,
        action="meeting.attendance",
        target=meeting,
        after={"attended": sorted(present), "absent": sorted(shown_ids - present)},
    )
    completion_update(offering=offering, enrollment_ids=shown_ids)
    return len(present)


@transaction.atomic
def checkin_open(*, actor, meeting: TrainingMeeting) -> TrainingMeeting:
    """Give the meeting a new short code for learners to check in with."""
    meeting = (
        TrainingMeeting.objects.select_for_update().select_related("offering").get(pk=meeting.pk)
    )
    _refuse_if_cancelled(meeting.offering)
    if timezone.now() > meeting.ends_at:
        raise ValidationError(_("This meeting has ended; record attendance in the list."))
    meeting.check_in_code = new_checkin_code()
    meeting.save(update_fields=["check_in_code", "updated_at"])
    audit_record(actor=actor, action="meeting.checkin_open", target=meeting)
    return meeting


@transaction.atomic
def checkin_close(*, actor, meeting: TrainingMeeting) -> TrainingMeeting:
    meeting = TrainingMeeting.objects.select_for_update().get(pk=meeting.pk)
    if not meeting.check_in_code:
        raise ValidationError(_("Check-in for this meeting is already closed."))
    meeting.check_in_code = ""
    meeting.save(update_fields=["check_in_code", "updated_at"])
    audit_record(actor=actor, action="meeting.checkin_close", target=meeting)
    return meeting


def _failures_key(enrollment: Enrollment) -> str:
    return f"trainings:checkin-failures:{enrollment.pk}"


def _count_failure(enrollment: Enrollment) -> None:
    key, seconds = _failures_key(enrollment), int(CHECKIN_WINDOW.total_seconds())
    if not cache.add(key, 1, seconds):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, seconds)


def _too_many_failures(enrollment: Enrollment) -> ValidationError | None:
    if (cache.get(_failures_key(enrollment)) or 0) < CHECKIN_ATTEMPTS:
        return None
    minutes = int(CHECKIN_WINDOW.total_seconds() // 60)
    return ValidationError(
        {
            "code": ngettext(
                "Too many wrong codes. Try again in %(minutes)s minute, or ask the "
                "trainers to record your attendance.",
                "Too many wrong codes. Try again in %(minutes)s minutes, or ask the "
                "trainers to record your attendance.",
                minutes,
            )
            % {"minutes": minutes}
        }
    )


@transaction.atomic
def checkin(*, user, offering: Offering, code: str) -> MeetingAttendance:
    """A learner records their own attendance at the meeting under way with the code
    shown in the room. Refused, with a message and nothing changed, when they are not
    enrolled, no meeting is in its check-in time, check-in is closed or the code is
    wrong (wrong codes are limited per learner: CHECKIN_ATTEMPTS per CHECKIN_WINDOW)."""
    enrollment = (
        Enrollment.objects.select_for_update()
        .filter(offering=offering, user=user, status=Enrollment.Status.ENROLLED)
        .first()
    )
    if enrollment is None:
        raise ValidationError({"code": _("Only learners enrolled in this offering can check in.")})
    _refuse_if_cancelled(offering)
    now = timezone.now()
    under_way = [
        m for m in offering.meetings.order_by("starts_at", "pk") if in_checkin_window(m, now)
    ]
    if not under_way:
        raise ValidationError(
            {"code": _("Check-in is open from 30 minutes before a meeting starts until it ends.")}
        )
    open_meetings = [m for m in under_way if m.check_in_code]
    if not open_meetings:
        raise ValidationError(
            {"code": _("Check-in is closed. Ask the trainers to record your attendance.")}
        )
    refusal = _too_many_failures(enrollment)
    if refusal is not None:
        raise refusal
    typed = code.strip().upper()
    meeting = next((m for m in open_meetings if m.check_in_code == typed), None)
    if meeting is None:
        _count_failure(enrollment)
        raise ValidationError({"code": _("This is not the code shown in the room.")})
    attendance, created = MeetingAttendance.objects.get_or_create(
        meeting=meeting,
        enrollment=enrollment,
        defaults={"method": MeetingAttendance.Method.CODE, "recorded_by": user},
    )
    if created:
        audit_record(
            actor=user,
            action="meeting.checkin",
            target=attendance,
            after={"meeting": meeting.pk, "enrollment": enrollment.pk},
        )
        completion_update(offering=offering, enrollment_ids=[enrollment.pk])
    return attendance

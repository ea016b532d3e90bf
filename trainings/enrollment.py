"""Enrollment writes: enroll (take a seat, join the waiting list, or wait for IOM
approval when the offering needs it) and withdraw, promoting the next person in line.
Capacity holds under concurrent requests: the offering row is locked.

Withdrawal rules: the person or whoever nominated them may withdraw an active
enrollment; once the offering's first day has begun (in its own time zone) the seat is
no longer given to the waiting list; a completed training cannot be withdrawn from.
"""

import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from gdpa.audit.services import audit_record, snapshot
from gdpa.notify.services import email_render_and_queue

from .eligibility import eligible_people, is_eligible, offering_audience
from .models import Enrollment, Offering
from .selectors import seats_taken

AUDITED = ["offering", "status", "nominated_by"]


def _when(value) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def window_refusal(offering: Offering, now=None) -> str | None:
    """Why nobody may enroll in ``offering`` now (not open, window not open), in words."""
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
    return None


def enrollment_refusal(
    *,
    user,
    offering: Offering,
    now=None,
    nominee: bool = False,
    eligible: bool | None = None,
    enrolled: bool | None = None,
) -> str | None:
    """Why ``user`` may not enroll in ``offering`` now, in words; ``None`` if they may.

    ``nominee``: someone else asks on their behalf, so the words name the person.
    ``eligible``, ``enrolled``: what the caller has already read (``is_eligible``, an
    active enrollment), so a page asking several questions reads each once; ``None``:
    read here."""
    closed = window_refusal(offering, now)
    if closed:
        return closed
    if eligible is None:
        eligible = is_eligible(user, offering)
    if not eligible:
        audience = offering_audience(offering)
        if nominee:
            return _("%(name)s cannot take this offering: it is for %(audience)s.") % {
                "name": user.full_name,
                "audience": audience,
            }
        return _("This offering is for %(audience)s; your account is not among them.") % {
            "audience": audience
        }
    if enrolled is None:
        enrolled = Enrollment.objects.filter(offering=offering, user=user).active().exists()
    if enrolled:
        if nominee:
            return _(
                "%(name)s is already enrolled, on the waiting list or awaiting approval "
                "for this offering."
            ) % {"name": user.full_name}
        return _(
            "You are already enrolled, on the waiting list or awaiting approval for this offering."
        )
    return None


def enrolled_count(offering: Offering) -> int:
    return offering.enrollments.filter(status=Enrollment.Status.ENROLLED).count()


def seat_or_waitlist(offering: Offering, seats_taken: int | None = None) -> str:
    """Where an admitted person goes: a free seat, else the waiting list. The caller
    holds the offering row's lock; ``seats_taken``: counted under it (``None``: here)."""
    if seats_taken is None:
        seats_taken = enrolled_count(offering)
    if seats_taken < offering.capacity:
        return Enrollment.Status.ENROLLED
    return Enrollment.Status.WAITLISTED


def _standing(offering: Offering, user, offering_key: str, *wanted: str) -> dict:
    """What an enrollment write decides on, as annotations for one statement, those
    ``wanted`` of: ``seats_taken``, ``someone_waits`` (on the waiting list), ``already_in``
    (``user`` holds an active enrollment) and ``qualifies`` (``user`` may enroll).
    ``offering_key``: the annotated model's path to the offering's id.

    Read in a statement after the offering row's lock is granted, never in the locking
    statement itself: a statement that waited for the lock still sees the rows as they
    were when it began, so counts read with the lock could miss the enrollment that the
    previous holder of the lock committed."""
    of_offering = Enrollment.objects.filter(offering=OuterRef(offering_key))
    people = get_user_model().objects.filter(pk=user.pk)
    every = {
        "seats_taken": seats_taken(offering_key),
        "someone_waits": Exists(of_offering.filter(status=Enrollment.Status.WAITLISTED)),
        "already_in": Exists(of_offering.active().filter(user=user)),
        "qualifies": Exists(people.filter(eligible_people(offering))),
    }
    return {name: every[name] for name in wanted}


def offering_started(offering: Offering, now=None) -> bool:
    """Whether the offering's first day has begun, in the offering's own time zone."""
    now = now or timezone.now()
    start = datetime.datetime.combine(
        offering.starts_on, datetime.time.min, tzinfo=ZoneInfo(offering.time_zone)
    )
    return now >= start


def enrollment_notice(enrollment: Enrollment) -> str:
    """What the person is told once they asked for a place."""
    if enrollment.status == Enrollment.Status.PENDING:
        return _("You asked to enroll; IOM staff will approve or decline it and e-mail you.")
    if enrollment.status == Enrollment.Status.ENROLLED:
        return _("You are enrolled.")
    return _("The offering is full: you are on the waiting list.")


@transaction.atomic
def enrollment_create(*, user, offering: Offering, nominated_by=None) -> Enrollment:
    """Ask for ``user``'s place: awaiting approval when the offering needs it, else a
    seat while seats remain, else the waiting list. ``nominated_by`` is the leader or
    focal point asking on the person's behalf (``trainings.nominations``). The
    enrollment returned carries its offering as the write left it (``enrolled_count``)."""
    # Lock the offering row: concurrent enrollments in the same offering queue up here.
    offering = Offering.objects.select_for_update().select_related("programme").get(pk=offering.pk)
    found = (
        Offering.objects.filter(pk=offering.pk)
        .values(**_standing(offering, user, "pk", "seats_taken", "already_in", "qualifies"))
        .get()
    )
    refusal = enrollment_refusal(
        user=user,
        offering=offering,
        nominee=nominated_by is not None,
        eligible=found["qualifies"],
        enrolled=found["already_in"],
    )
    if refusal:
        raise ValidationError(refusal)
    if offering.needs_approval:
        status = Enrollment.Status.PENDING
    else:
        status = seat_or_waitlist(offering, found["seats_taken"])
    # The offering as it is now, for the answer drawn from the returned enrollment.
    offering.enrolled_count = found["seats_taken"] + (status == Enrollment.Status.ENROLLED)
    enrollment = Enrollment(offering=offering, user=user, status=status, nominated_by=nominated_by)
    # The field rules only: the rows behind the keys are in hand (the offering locked
    # above, the person and the nominator signed in), and "one active enrollment per
    # person" was checked under the lock by ``enrollment_refusal``, with the database
    # constraint behind it. Asking again cost five queries per enrollment.
    enrollment.full_clean(exclude=["offering", "user", "nominated_by"], validate_constraints=False)
    enrollment.save()
    audit_record(
        actor=nominated_by or user,
        action="enrollment.nominate" if nominated_by else "enrollment.create",
        target=enrollment,
        after=snapshot(enrollment, AUDITED),
    )
    return enrollment


def offering_url(offering: Offering) -> str:
    return reverse("trainings:offering", args=[offering.pk])


def _promote_next(offering: Offering, seats_taken: int) -> Enrollment | None:
    """Give a free seat to the first person waiting, if there is a free seat
    (``seats_taken``: counted under the offering's lock); the person moved up."""
    if seats_taken >= offering.capacity:
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
            "url": offering_url(offering),
        },
        language=person.preferred_language,
        user=person,
    )
    return waiting


def withdrawal_refusal(*, user, enrollment: Enrollment) -> str | None:
    """Why ``user`` may not withdraw ``enrollment``, in words; ``None`` if they may."""
    own = enrollment.user_id == user.pk
    if not own and enrollment.nominated_by_id != user.pk:
        return _("Only the person enrolled, or the person who nominated them, can withdraw.")
    if enrollment.completed_at is not None:
        if own:
            return _("You completed this training; your certificate stands.")
        return _("%(name)s completed this training; their certificate stands.") % {
            "name": enrollment.user.full_name
        }
    if not enrollment.can_become(Enrollment.Status.WITHDRAWN):
        if own:
            return _("You have already withdrawn from this offering.")
        return _("%(name)s no longer holds or waits for a place in this offering.") % {
            "name": enrollment.user.full_name
        }
    return None


@transaction.atomic
def enrollment_withdraw(*, user, enrollment: Enrollment) -> Enrollment:
    """Withdraw (the person, or the person who nominated them). Before the offering's
    first day a seat freed goes to the first person on the waiting list, by e-mail;
    from the first day on the seat stays empty. The enrollment returned carries its
    offering as the write left it (``enrolled_count``) and whether ``user`` ``qualifies``
    to enroll again: the person's answer is drawn from them."""
    offering = (
        Offering.objects.select_for_update()
        .select_related("programme")
        .get(pk=enrollment.offering_id)
    )
    # With the offering's lock held (every change of its enrollments' status takes it
    # first), this statement sees them all; it also tells whether the person qualifies
    # for the offering again, which their answer shows.
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("user")
        .annotate(
            **_standing(offering, user, "offering_id", "seats_taken", "someone_waits", "qualifies")
        )
        .get(pk=enrollment.pk)
    )
    enrollment.offering = offering  # the row locked above (the audit label reads it)
    held_seat = enrollment.status == Enrollment.Status.ENROLLED
    refusal = withdrawal_refusal(user=user, enrollment=enrollment)
    if refusal:
        raise ValidationError(refusal)
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
    person = enrollment.user
    if person.pk != user.pk:
        email_render_and_queue(
            to=person.email,
            kind="training_nomination_withdrawn",
            template="trainings/email/nomination_withdrawn",
            context={
                "offering": offering,
                "programme": offering.programme,
                "nominator": user,
                "url": offering_url(offering),
            },
            language=person.preferred_language,
            user=person,
        )
    seats = enrollment.seats_taken - held_seat
    if enrollment.someone_waits and not offering_started(offering):
        seats += _promote_next(offering, seats) is not None
    offering.enrolled_count = seats  # the offering as it is now, for the person's answer
    return enrollment

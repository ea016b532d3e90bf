"""Completion: an enrolled learner completes an offering when the meetings they
attended reach the offering's threshold (a share of all its meetings).

Completion is recomputed after every change that can move it (attendance recorded,
a meeting added or deleted): ``completed_at`` is set when the rule is first met and
cleared when it no longer is. An offering without meetings completes nobody.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from gdpa.audit.services import audit_record

from .models import Enrollment, Offering


def is_complete(*, attended: int, meetings: int, threshold: int) -> bool:
    """``attended`` of ``meetings`` reaches ``threshold`` percent (no meetings: never)."""
    return meetings > 0 and attended * 100 >= threshold * meetings


@transaction.atomic
def completion_update(*, offering: Offering, enrollment_ids: Iterable[int] | None = None) -> int:
    """Recompute completion for the given enrollments of ``offering`` (all of them when
    ``enrollment_ids`` is None); returns how many changed. Five queries whatever the
    number of learners, plus one audit entry per change."""
    offering = Offering.objects.get(pk=offering.pk)  # its threshold as it is now
    enrollments = offering.enrollments.all()
    if enrollment_ids is not None:
        enrollments = enrollments.filter(pk__in=list(enrollment_ids))
    # Lock first, count after: a concurrent change of the same learners waits here and
    # its own count (a later statement) sees what this one wrote.
    locked = list(enrollments.select_for_update().order_by("pk").values_list("pk", flat=True))
    meetings = offering.meetings.count()
    counted = (
        Enrollment.objects.filter(pk__in=locked)
        .select_related("user", "offering")  # the audit entry's label names both
        .annotate(attended=Count("attendance", filter=Q(attendance__meeting__offering=offering)))
        .order_by("pk")
    )
    now = timezone.now()
    changed = []
    for enrollment in counted:
        met = enrollment.status == Enrollment.Status.ENROLLED and is_complete(
            attended=enrollment.attended,
            meetings=meetings,
            threshold=offering.completion_threshold,
        )
        if met == (enrollment.completed_at is not None):
            continue
        before = enrollment.completed_at
        enrollment.completed_at = now if met else None
        changed.append(enrollment)
        audit_record(
            actor=None,
            action="enrollment.completion",
            target=enrollment,
            before={"completed_at": before.isoformat() if before else None},
            after={"completed_at": enrollment.completed_at.isoformat() if met else None},
        )
    Enrollment.objects.bulk_update(changed, ["completed_at"])
    return len(changed)

"""Learner feedback on an offering: when it may be given and saving it.

An enrolled learner gives feedback once the offering's first meeting has started (with
no meetings: from the start of its first day, in the offering's zone) and may change it
until the end of the 30th day after the last day. There is one feedback per enrollment;
giving it again edits that one. Audit entries record that feedback was given or changed,
never the ratings or the comment: staff read those only without names.
"""

import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from gdpa.audit.services import audit_record

from .models import Enrollment, Offering, TrainingFeedback

#: Days after the offering's last day during which feedback can still be given or changed.
EDIT_DAYS = 30


def feedback_window(offering: Offering) -> tuple[datetime.datetime, datetime.datetime]:
    """When feedback opens and closes (one query: the first meeting's start)."""
    zone = ZoneInfo(offering.time_zone)
    first_meeting = offering.meetings.aggregate(first=Min("starts_at"))["first"]
    opens = first_meeting or datetime.datetime.combine(
        offering.starts_on, datetime.time.min, tzinfo=zone
    )
    closes = datetime.datetime.combine(
        offering.ends_on + datetime.timedelta(days=EDIT_DAYS + 1), datetime.time.min, tzinfo=zone
    )
    return opens, closes


def _when(value: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def feedback_refusal(
    *, user, offering: Offering, enrollment: Enrollment | None, now=None
) -> str | None:
    """Why ``user`` may not give feedback on ``offering`` now, in words; ``None`` if
    they may. ``enrollment`` is their active enrollment in it, if any."""
    if (
        enrollment is None
        or enrollment.user_id != getattr(user, "pk", None)
        or enrollment.offering_id != offering.pk
        or enrollment.status != Enrollment.Status.ENROLLED
    ):
        return _("Only people enrolled in this offering can give feedback on it.")
    if offering.status == Offering.Status.CANCELLED:
        return _("This offering was cancelled: there is nothing to give feedback on.")
    now = now or timezone.now()
    opens, closes = feedback_window(offering)
    if now < opens:
        return _("You can give feedback once the training has started, from %(when)s.") % {
            "when": _when(opens)
        }
    if now >= closes:
        return _("Feedback on this offering closed on %(when)s.") % {"when": _when(closes)}
    return None


@transaction.atomic
def feedback_save(
    *,
    user,
    offering: Offering,
    overall: int,
    content: int,
    facilitation: int,
    relevance: int,
    comment: str = "",
) -> TrainingFeedback:
    """Give feedback, or change the feedback already given (one per enrollment)."""
    # Lock the enrollment: two first submissions at once make one feedback, not an error.
    enrollment = (
        Enrollment.objects.select_for_update()
        .filter(user=user, offering=offering, status=Enrollment.Status.ENROLLED)
        .first()
    )
    refusal = feedback_refusal(user=user, offering=offering, enrollment=enrollment)
    if refusal:
        raise ValidationError(refusal)
    feedback = TrainingFeedback.objects.filter(enrollment=enrollment).first()
    created = feedback is None
    if created:
        feedback = TrainingFeedback(enrollment=enrollment)
    values = {
        "overall": overall,
        "content": content,
        "facilitation": facilitation,
        "relevance": relevance,
        "comment": comment.strip(),
    }
    for name, value in values.items():
        setattr(feedback, name, value)
    feedback.full_clean()
    feedback.save()
    audit_record(
        actor=user,
        action="training_feedback.create" if created else "training_feedback.update",
        target=feedback,
        after={"offering": offering.pk},
    )
    return feedback

"""The trainings' indicator for the results dashboard and the donor report (Outcome 1:
policy makers and diaspora leaders trained to engage with diaspora communities)."""

import datetime

from django.db.models import Count, Min, Q
from django.utils.translation import gettext as _

from alliance.indicators import person_breakdowns
from gdpa.results.registry import Figures, Total

from .models import Enrollment, Offering


def trainings_first_date() -> datetime.date | None:
    return Offering.objects.filter(enrollments__status=Enrollment.Status.ENROLLED).aggregate(
        first=Min("starts_on")
    )["first"]


def trainings_figures(period_start: datetime.date, period_end: datetime.date) -> Figures:
    """People enrolled in cohorts that started in the period, and those of them who
    completed, by gender, country of residence and kind of organization. Four queries."""
    base = Enrollment.objects.filter(
        status=Enrollment.Status.ENROLLED,
        offering__starts_on__gte=period_start,
        offering__starts_on__lte=period_end,
    ).exclude(offering__status=Offering.Status.CANCELLED)
    measures = {
        "enrolled": Count("user", distinct=True),
        "completed": Count("user", filter=Q(completed_at__isnull=False), distinct=True),
    }
    labels = (("enrolled", _("Trained (enrolled)")), ("completed", _("Completed")))
    totals = base.aggregate(**measures, cohorts=Count("offering", distinct=True))
    return Figures(
        totals=(
            Total("cohorts", _("Training cohorts"), totals["cohorts"]),
            Total("enrolled", _("People trained (enrolled)"), totals["enrolled"]),
            Total("completed", _("People who completed a training"), totals["completed"]),
        ),
        breakdowns=person_breakdowns(base, measures, labels),
        note=_(
            "People holding a place in a training cohort (not cancelled) that started in "
            "the period, and those of them who met its completion threshold."
        ),
    )

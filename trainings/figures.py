"""Staff figures per offering: how many people are enrolled, on the waiting list,
awaiting approval, attended at least one meeting and completed, overall and by gender,
country of residence and organization kind (the alliance's breakdown, shared)."""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from alliance.selectors import figures_by_person

from .models import Enrollment, Offering


def _measures() -> dict:
    status = Enrollment.Status
    return {
        "enrolled": Count("pk", filter=Q(status=status.ENROLLED), distinct=True),
        "waitlisted": Count("pk", filter=Q(status=status.WAITLISTED), distinct=True),
        "pending": Count("pk", filter=Q(status=status.PENDING), distinct=True),
        "attended": Count("pk", filter=Q(attendance__isnull=False), distinct=True),
        "completed": Count("pk", filter=Q(completed_at__isnull=False), distinct=True),
    }


def offering_figures(offering: Offering) -> dict:
    """The offering's figures over its active enrollments (not withdrawn, not declined):
    four queries whatever the number of learners."""
    base = Enrollment.objects.filter(offering=offering).active()
    return {
        "overall": [{"label": _("Everyone"), **base.aggregate(**_measures())}],
        **figures_by_person(base, _measures()),
    }

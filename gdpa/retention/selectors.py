from django.db.models import Prefetch

from .models import RetentionLogEntry, RetentionRun


def retention_runs():
    """Runs newest first, each with its entries (two queries per page)."""
    return RetentionRun.objects.prefetch_related(
        Prefetch("entries", queryset=RetentionLogEntry.objects.order_by("rule_key"))
    ).order_by("-started_at", "-pk")

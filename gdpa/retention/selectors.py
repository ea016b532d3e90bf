from django.db.models import Exists, OuterRef, Prefetch, Q

from .models import RetentionLogEntry, RetentionRun


def retention_runs(*, rule: str = "", failed: bool = False):
    """Runs newest first, each with its entries (two queries per page). ``rule``: only runs
    where that rule deleted something or failed; ``failed``: only runs where a rule failed."""
    runs = RetentionRun.objects.prefetch_related(
        Prefetch("entries", queryset=RetentionLogEntry.objects.order_by("rule_key"))
    ).order_by("-started_at", "-pk")
    if rule:
        runs = runs.filter(
            Exists(
                RetentionLogEntry.objects.filter(run=OuterRef("pk"), rule_key=rule).filter(
                    Q(deleted__gt=0) | ~Q(error="")
                )
            )
        )
    if failed:
        runs = runs.filter(failed_rules__gt=0)
    return runs

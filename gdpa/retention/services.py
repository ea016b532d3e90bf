"""Running the retention rules (see ``registry.py``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from gdpa.audit.services import audit_record

from .models import RetentionLogEntry, RetentionRun
from .registry import RetentionRule, rules

logger = logging.getLogger(__name__)


@dataclass
class RuleOutcome:
    rule: RetentionRule
    cutoff: object
    deleted: int = 0
    error: str = ""


def _run_rule(rule: RetentionRule, now, *, dry_run: bool) -> RuleOutcome:
    cutoff = rule.cutoff(now)
    outcome = RuleOutcome(rule=rule, cutoff=cutoff)
    if cutoff is None:
        return outcome
    try:
        with transaction.atomic():
            outcome.deleted = int(rule.purge(now, cutoff))
            if dry_run:
                # Everything the rule deleted comes back, and the files it would have
                # deleted on commit are never touched (on_commit callbacks are dropped).
                transaction.set_rollback(True)
    except Exception as exc:  # one failing rule is logged and does not stop the others
        logger.exception("Retention rule %s failed", rule.key)
        outcome.deleted = 0
        outcome.error = type(exc).__name__[:200]
    return outcome


def retention_preview(*, now=None) -> list[RuleOutcome]:
    """What the rules would delete now; deletes nothing (each rule is rolled back)."""
    now = now or timezone.now()
    return [_run_rule(rule, now, dry_run=True) for rule in rules()]


def retention_apply(*, now=None) -> RetentionRun:
    """Run every registered rule, each in its own transaction, and log what went.

    Idempotent: a second run right after the first finds nothing more to delete."""
    now = now or timezone.now()
    run = RetentionRun.objects.create(started_at=now)
    for rule in rules():
        started = timezone.now()
        outcome = _run_rule(rule, now, dry_run=False)
        if outcome.cutoff is None:
            continue  # period 0: the rule is off
        RetentionLogEntry.objects.create(
            run=run,
            rule_key=rule.key,
            period_days=rule.days,
            cutoff=outcome.cutoff,
            deleted=outcome.deleted,
            started_at=started,
            finished_at=timezone.now(),
            error=outcome.error,
        )
        run.deleted_total += outcome.deleted
        run.failed_rules += bool(outcome.error)
    run.finished_at = timezone.now()
    run.save(update_fields=["finished_at", "deleted_total", "failed_rules"])
    audit_record(
        actor=None,
        action="retention.apply",
        target=run,
        after={"deleted": run.deleted_total, "failed_rules": run.failed_rules},
    )
    logger.info("Retention: %d rows deleted, %d rules failed.", run.deleted_total, run.failed_rules)
    return run

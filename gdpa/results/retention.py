"""Retention of donor progress report files (see gdpa/retention/registry.py)."""

from django.utils.translation import gettext_lazy as _

from gdpa.retention.registry import RetentionRule, delete_file_on_commit, register_rule


def purge_donor_reports(now, cutoff) -> int:
    """Reports (ready or failed) asked for before ``cutoff``, with their PDF; one still
    queued or being built is the sweep's."""
    from .models import DonorReport

    stale = DonorReport.objects.select_for_update(skip_locked=True).filter(
        status__in=[DonorReport.Status.READY, DonorReport.Status.FAILED],
        requested_at__lt=cutoff,
    )
    deleted = 0
    for report in stale:
        delete_file_on_commit(report.pdf)
        report.delete()
        deleted += 1
    return deleted


def register_retention_rules() -> None:
    register_rule(
        RetentionRule(
            key="donor_reports",
            label=_("Donor progress report files"),
            period_setting="donor_reports",
            default_days=365,
            purge=purge_donor_reports,
            keeps=_("Reports still being built; a report can be asked for again at any time."),
        )
    )

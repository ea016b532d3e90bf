"""Retention of export jobs (see gdpa/retention/registry.py).

The files go first, when their link expires (``services.export_jobs_expire``, run by the
``sweep_exports`` task every ten minutes); this rule deletes the job rows afterwards,
and any file a failed job left behind."""

from django.utils.translation import gettext_lazy as _

from gdpa.retention.registry import RetentionRule, delete_file_on_commit, register_rule


def purge_exports(now, cutoff) -> int:
    from .models import ExportJob

    stale = ExportJob.objects.select_for_update(skip_locked=True).filter(
        status__in=[ExportJob.Status.EXPIRED, ExportJob.Status.FAILED], created_at__lt=cutoff
    )
    deleted = 0
    for job in stale:
        delete_file_on_commit(job.file)
        job.delete()
        deleted += 1
    return deleted


def register_retention_rules() -> None:
    register_rule(
        RetentionRule(
            key="exports",
            label=_("Large exports (expired or failed)"),
            period_setting="exports",
            default_days=30,
            purge=purge_exports,
            keeps=_(
                "Exports whose link is still valid or that are being built; the file "
                "itself is deleted as soon as its link expires."
            ),
        )
    )

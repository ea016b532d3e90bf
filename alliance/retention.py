"""Retention rules of the alliance (registered in AllianceConfig.ready(); see
gdpa/retention/registry.py).

Not deleted by retention, on purpose: accepted invitations (the record of who let whom
into an organization), session participants including guests (the attendance record of
the session; a guest's erasure is the privacy request's job), and public recommendation
reports (the published record).
"""

from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from gdpa.retention.registry import (
    RetentionRule,
    delete_file_on_commit,
    delete_path_on_commit,
    register_rule,
)


@scopes_disabled()  # system work over every organization's invitations (apply_retention)
def purge_invitations(now, cutoff) -> int:
    """Invitations revoked, or expired unaccepted, before ``cutoff``."""
    from .models import Invitation

    stale = Invitation.objects.filter(
        Q(revoked_at__lt=cutoff) | Q(accepted_at__isnull=True, expires_at__lt=cutoff)
    ).exclude(accepted_at__isnull=False)
    deleted, _per_model = stale.delete()
    return deleted


def purge_recommendation_reports(now, cutoff) -> int:
    """Private reports (ready or failed) asked for before ``cutoff``, with their PDF; a
    public report stays however old, and a report still being built is the sweep's."""
    from .models import RecommendationReport

    stale = RecommendationReport.objects.select_for_update(skip_locked=True).filter(
        is_public=False,
        status__in=[RecommendationReport.Status.READY, RecommendationReport.Status.FAILED],
        requested_at__lt=cutoff,
    )
    deleted = 0
    for report in stale:
        delete_file_on_commit(report.pdf)
        report.delete()
        deleted += 1
    return deleted


def purge_staff_imports(now, cutoff) -> int:
    """Finished staff imports (and their rows' outcomes) older than ``cutoff``, and the
    kept preview files past their own short lifetime (they would otherwise wait for the
    next preview to be swept)."""
    from .models import StaffImport
    from .services.imports import preview_files_expired

    runs = StaffImport.objects.filter(status=StaffImport.Status.DONE, finished_at__lt=cutoff)
    count = runs.count()
    runs.delete()
    paths = preview_files_expired(now=now)
    for path in paths:
        delete_path_on_commit(default_storage, path)
    return count + len(paths)


def register_retention_rules() -> None:
    register_rule(
        RetentionRule(
            key="invitations",
            label=_("Organization invitations, expired or revoked"),
            period_setting="invitations",
            default_days=90,
            purge=purge_invitations,
            keeps=_("Accepted invitations (who let whom in) and open ones."),
        )
    )
    register_rule(
        RetentionRule(
            key="recommendation_reports",
            label=_("Recommendation report files, not public"),
            period_setting="recommendation_reports",
            default_days=90,
            purge=purge_recommendation_reports,
            keeps=_("Public reports, and reports still being built."),
        )
    )
    register_rule(
        RetentionRule(
            key="staff_imports",
            label=_("Staff imports and their uploaded files"),
            period_setting="staff_imports",
            default_days=365,
            purge=purge_staff_imports,
            keeps=_(
                "Imports still running. An uploaded file goes after two hours, its "
                "checked rows after a day, whatever the period."
            ),
        )
    )

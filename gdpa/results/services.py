"""Donor progress reports: ask for one, build it (a task on the heavy queue).

Asking writes a queued row and enqueues the build once the transaction commits. The build
claims the row (queued -> building) with one conditional UPDATE, so a duplicate message
does nothing; it renders the same figures and charts as the dashboard, in the report's
language, with the project's identifiers, through ``gdpa.pdf`` (which reads static files
only). A failed attempt goes back to the queue for a bounded number of retries; the last
one marks the report failed with a short error the page shows. A periodic sweep puts
reports stuck queued or building (a lost message, a killed worker) back on the queue.
"""

import datetime
import logging
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gdpa.audit.services import audit_record, snapshot
from gdpa.notify.dispatch import enqueue_on_commit, publish_each
from gdpa.pdf import PdfMemoryExceeded, build_failure_message, render_pdf

from .models import DonorReport
from .project import PROJECT
from .registry import OUTCOMES
from .selectors import results_for_period

logger = logging.getLogger(__name__)

TEMPLATE = "results/donor_report_pdf.html"
#: The build task's limits (seconds), below the broker's visibility timeout.
BUILD_SOFT_LIMIT = 120
BUILD_HARD_LIMIT = 150
#: Retries after a failed attempt before the report is marked failed.
BUILD_RETRIES = 2
#: A report queued or building for longer than this lost its task: the sweep enqueues it
#: again. Longer than every attempt and its back-off together (3 x 150 s + 90 s).
STUCK_AFTER = datetime.timedelta(minutes=10)


@transaction.atomic
def donor_report_request(
    *, actor, period_start: datetime.date, period_end: datetime.date, language: str
) -> DonorReport:
    """A queued donor report of the period; its build is enqueued after commit."""
    report = DonorReport(
        period_start=period_start, period_end=period_end, language=language, requested_by=actor
    )
    if period_start and period_end and period_end < period_start:
        raise ValidationError(
            {"period_end": _("The end of the period must be on or after its start")}
        )
    report.full_clean()
    report.save()
    audit_record(
        actor=actor,
        action="donor_report.request",
        target=report,
        after=snapshot(report, ["period_start", "period_end", "language"]),
    )
    from .tasks import build_donor_report

    enqueue_on_commit(build_donor_report, report.pk)
    return report


def page_counter_css() -> str:
    """The translated "Page X of Y" as a CSS ``content`` value with page counters."""
    words = gettext("Page %(number)s of %(total)s")
    counters = {"number": "counter(page)", "total": "counter(pages)"}
    parts = []
    for i, piece in enumerate(re.split(r"%\((number|total)\)s", words)):
        if i % 2:
            parts.append(counters[piece])
        elif piece:
            parts.append('"' + piece.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return " ".join(parts)


def donor_report_render(report: DonorReport) -> tuple[bytes, int]:
    """The PDF bytes and their page count, every label in the report's language."""
    from django_countries import countries

    with translation.override(report.language):
        context = {
            "report": report,
            "sections": results_for_period(report.period_start, report.period_end),
            "outcomes": OUTCOMES,
            "project": PROJECT,
            "benefiting": [str(dict(countries)[c]) for c in PROJECT["benefiting_member_states"]],
            "built_on": timezone.now(),
            "page_counter": page_counter_css(),
            # Tables as long as their charts (the smallest categories added up): every
            # row of a 200-country table is the dashboard's, not the donor's.
            "short_tables": True,
        }
        rendered = render_pdf(TEMPLATE, context, base_url=settings.SITE_URL)
        return rendered.content, rendered.pages


def _short_error(exc: BaseException, report: DonorReport) -> str:
    """The failure as the report page shows it, in the report's language."""
    with translation.override(report.language):
        return build_failure_message(
            exc, seconds=BUILD_SOFT_LIMIT, instead=gettext("Ask for a shorter period.")
        )


class DonorReportBuildFailed(Exception):
    """An attempt failed and the report went back to the queue for another one."""


def donor_report_build(*, report_id: int, last_attempt: bool = True) -> bool:
    """Build the report's PDF. Returns False (and does nothing) unless the report is
    queued: built, being built by another worker, or failed. A failed attempt puts the
    report back in the queue and raises ``DonorReportBuildFailed`` (the task retries),
    unless it was the ``last_attempt``: then the report is marked failed."""
    claimed = DonorReport.objects.filter(pk=report_id, status=DonorReport.Status.QUEUED).update(
        status=DonorReport.Status.BUILDING, error=""
    )
    if not claimed:
        return False
    report = DonorReport.objects.get(pk=report_id)
    try:
        pdf, pages = donor_report_render(report)
    except Exception as exc:
        logger.exception("Donor report %s: the build failed.", report_id)
        # Another attempt would need the same memory: a report too large fails at once.
        final = last_attempt or isinstance(exc, PdfMemoryExceeded)
        status = DonorReport.Status.FAILED if final else DonorReport.Status.QUEUED
        error = _short_error(exc, report)
        DonorReport.objects.filter(pk=report_id, status=DonorReport.Status.BUILDING).update(
            status=status, error=error
        )
        if final:
            audit_record(
                actor=None, action="donor_report.fail", target=report, after={"error": error}
            )
            return False
        raise DonorReportBuildFailed(report_id) from exc
    with transaction.atomic():
        report = DonorReport.objects.select_for_update().get(pk=report_id)
        if not (
            report.status == DonorReport.Status.BUILDING
            and report.can_become(DonorReport.Status.READY)
        ):
            return False
        report.pdf.save("report.pdf", ContentFile(pdf), save=False)
        report.pages = pages
        report.built_at = timezone.now()
        report.status = DonorReport.Status.READY
        report.save(update_fields=["pdf", "pages", "built_at", "status"])
        audit_record(actor=None, action="donor_report.build", target=report, after={"pages": pages})
    return True


def donor_reports_stuck(*, now=None):
    """Reports queued or building for longer than ``STUCK_AFTER``."""
    now = now or timezone.now()
    return DonorReport.objects.filter(
        status__in=[DonorReport.Status.QUEUED, DonorReport.Status.BUILDING],
        requested_at__lt=now - STUCK_AFTER,
    ).order_by("requested_at", "pk")


def donor_report_sweep(*, now=None, limit: int = 100) -> int:
    """Put stuck reports back in the queue (building -> queued, in the transitions table)
    and enqueue their build; returns how many."""
    from .tasks import build_donor_report

    ids = list(donor_reports_stuck(now=now).values_list("pk", flat=True)[:limit])
    if not ids:
        return 0
    DonorReport.objects.filter(pk__in=ids, status=DonorReport.Status.BUILDING).update(
        status=DonorReport.Status.QUEUED
    )
    logger.info("Sweep: %d donor reports were stuck; enqueuing their build.", len(ids))
    publish_each(build_donor_report, [(pk,) for pk in ids])
    return len(ids)

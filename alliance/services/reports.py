"""PDF reports of published recommendations: ask for one, build it, publish it.

The report row is the source of truth. Asking for a report writes a queued row and
enqueues its build after commit; the build claims the row (queued -> building) with one
conditional UPDATE, so a duplicate message does nothing. The build digests everything
the PDF will show (``report_content``) into a fingerprint: when a ready report with the
same scope, language, period and fingerprint exists, the new report shares its stored
file and nothing is rendered again. A failed attempt goes back to the queue for a bounded
number of retries, then the report is marked failed with a short error. The sweep puts
reports stuck queued or building (a lost message, a killed worker) back on the queue.
"""

import hashlib
import json
import logging
import re
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gdpa.audit.services import audit_record, snapshot
from gdpa.notify.dispatch import enqueue_on_commit, publish_each
from gdpa.pdf import PdfMemoryExceeded, build_failure_message, render_pdf
from gdpa.results.project import PROJECT

from ..models import (
    Endorsement,
    Organization,
    Recommendation,
    RecommendationInput,
    RecommendationReport,
    Sector,
)

logger = logging.getLogger(__name__)

TEMPLATE = "alliance/reports/report.html"
#: Part of every fingerprint: change it when the template changes what a report shows,
#: so reports built with the old template are rendered again.
TEMPLATE_VERSION = "2026-12-01.1"
#: The build task's limits (seconds), below the broker's visibility timeout.
BUILD_SOFT_LIMIT = 120
BUILD_HARD_LIMIT = 150
#: WeasyPrint's ``write_pdf`` options (docs/benchmarks.md, "Recommendation report").
PDF_OPTIONS: dict = {}
#: Retries after a failed attempt before the report is marked failed.
BUILD_RETRIES = 2
#: A report queued or building for longer than this lost its task: the sweep enqueues it
#: again. Longer than every attempt and its back-off together (3 x 150 s + 90 s).
STUCK_AFTER = timedelta(minutes=10)
YOUTH_VOICE_STATUSES = (RecommendationInput.Status.TAKEN_UP, RecommendationInput.Status.MERGED)


@transaction.atomic
def report_request(
    *, actor, title: str, sectors=(), language: str, period_start=None, period_end=None
) -> RecommendationReport:
    """A queued report of the published recommendations of ``sectors`` (none: every
    sector) in ``language``; its build is enqueued once the transaction commits."""
    report = RecommendationReport(
        title=(title or "").strip(),
        language=language,
        period_start=period_start,
        period_end=period_end,
        requested_by=actor,
    )
    report.full_clean()
    if period_start and period_end and period_end < period_start:
        raise ValidationError({"period_end": _("The end of the period must be after its start")})
    report.save()
    report.sectors.set(sectors)
    audit_record(
        actor=actor,
        action="recommendation_report.request",
        target=report,
        after={
            **snapshot(report, ["title", "language", "period_start", "period_end"]),
            "sectors": sorted(s.pk for s in sectors),
        },
    )
    from ..tasks import build_recommendation_report

    enqueue_on_commit(build_recommendation_report, report.pk)
    return report


# What the PDF shows -----------------------------------------------------------------------


def recommendations_in_scope(report: RecommendationReport, sector_ids: list[int]):
    """Published recommendations of the report's sectors and period, with everything the
    PDF shows about each loaded in a fixed number of queries."""
    found = Recommendation.objects.filter(status=Recommendation.Status.PUBLISHED)
    if sector_ids:
        found = found.filter(track__sector__in=sector_ids)
    if report.period_start:
        found = found.filter(published_at__date__gte=report.period_start)
    if report.period_end:
        found = found.filter(published_at__date__lte=report.period_end)
    return found.select_related("track", "track__sector").prefetch_related(
        "capitals",
        Prefetch(
            "endorsements",
            queryset=Endorsement.objects.filter(withdrawn_at__isnull=True).select_related(
                "member_state"
            ),
            to_attr="active_endorsements",
        ),
        Prefetch(
            "inputs",
            queryset=RecommendationInput.objects.filter(
                is_youth=True, status__in=YOUTH_VOICE_STATUSES
            ).order_by("created_at", "pk"),
            to_attr="youth_voices",
        ),
    )


def contributing_organizations(recommendation_ids: list[int]) -> list[str]:
    """Names of the organizations that gave input on, or support, the recommendations."""
    inputs = RecommendationInput.objects.filter(recommendation__in=recommendation_ids)
    organizations = Organization.objects.filter(
        Q(pk__in=inputs.values("organization"))
        | Q(recommendation_supports__recommendation__in=recommendation_ids)
    ).distinct()
    return sorted({o.name for o in organizations}, key=str.casefold)


def report_content(report: RecommendationReport) -> dict:
    """Everything the PDF shows except the day it was built, as plain values in the
    report's language. The fingerprint digests it and the template renders it."""
    scope = sorted(report.sectors.values_list("pk", flat=True))
    with translation.override(report.language):
        sectors = Sector.objects.order_by("position", "name_en")
        if scope:
            sectors = sectors.filter(pk__in=scope)
        sections = {s.pk: {"id": s.pk, "name": s.name, "recommendations": []} for s in sectors}
        recommendations = list(
            recommendations_in_scope(report, scope).order_by(
                "track__sector__position", "track__title", "track_id", "position", "pk"
            )
        )
        youth = []
        for rec in recommendations:
            title, title_original = rec.title_in(report.language)
            text, text_original = rec.text_in(report.language)
            sections[rec.track.sector_id]["recommendations"].append(
                {
                    "id": rec.pk,
                    "title": title,
                    "text": text,
                    # The reader is told when the wording is not in the report's language.
                    "original": (title_original or text_original)
                    and rec.original_language != report.language,
                    "original_language": rec.get_original_language_display(),
                    "rationale": rec.rationale,
                    "capitals": [c.name for c in rec.capitals.all()],
                    "sdg_goals": list(rec.sdg_goals),
                    "gcm_objectives": list(rec.gcm_objectives),
                    "nexus": rec.get_nexus_pillar_display() if rec.nexus_pillar else "",
                    "endorsements": sorted(
                        (str(e.member_state) for e in rec.active_endorsements), key=str.casefold
                    ),
                }
            )
            youth += [
                {
                    "author": voice.author_name,
                    "text": voice.text,
                    "recommendation": title,
                    "status": voice.get_status_display(),
                }
                for voice in rec.youth_voices
            ]
        return {
            "template_version": TEMPLATE_VERSION,
            "title": report.title,
            "language": report.language,
            "language_name": str(dict(settings.LANGUAGES)[report.language]),
            "scope": scope,
            "period": [
                report.period_start.isoformat() if report.period_start else None,
                report.period_end.isoformat() if report.period_end else None,
            ],
            "sectors": list(sections.values()),
            "count": len(recommendations),
            "youth_voices": youth,
            "organizations": contributing_organizations([r.pk for r in recommendations]),
        }


def fingerprint_of(content: dict) -> str:
    return hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def report_fingerprint(report: RecommendationReport) -> str:
    """sha256 over everything the PDF shows (and the template version)."""
    return fingerprint_of(report_content(report))


# Building ---------------------------------------------------------------------------------


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


def render_context(report: RecommendationReport, content: dict) -> dict:
    """The template's context; call it with the report's language active."""
    return {
        "report": content,
        "period_start": report.period_start,
        "period_end": report.period_end,
        "project": PROJECT,
        "built_on": timezone.now(),
        "page_counter": page_counter_css(),
    }


def report_render(report: RecommendationReport, content: dict) -> tuple[bytes, int]:
    """The PDF bytes and their page count, with every label in the report's language."""
    with translation.override(report.language):
        rendered = render_pdf(
            TEMPLATE,
            render_context(report, content),
            base_url=settings.SITE_URL,
            options=PDF_OPTIONS,
        )
        return rendered.content, rendered.pages


def twin_of(report: RecommendationReport, fingerprint: str) -> RecommendationReport | None:
    """A ready report with the same scope, language, period and data, whose file the new
    report can share."""
    return (
        RecommendationReport.objects.filter(
            status=RecommendationReport.Status.READY,
            fingerprint=fingerprint,
            language=report.language,
            period_start=report.period_start,
            period_end=report.period_end,
        )
        .exclude(pk=report.pk)
        .exclude(pdf="")
        .order_by("built_at", "pk")
        .first()
    )


def _short_error(exc: BaseException, report: RecommendationReport) -> str:
    """The failure as the report page shows it, in the report's language."""
    with translation.override(report.language):
        return build_failure_message(
            exc,
            seconds=BUILD_SOFT_LIMIT,
            instead=gettext("Ask for fewer sectors or a shorter period."),
        )


class ReportBuildFailed(Exception):
    """An attempt failed and the report went back to the queue for another one."""


def report_build(*, report_id: int, last_attempt: bool = True) -> bool:
    """Build the report's PDF, or share the file of an identical ready report.

    Returns False (and does nothing) unless the report is queued: it is built, being
    built by another worker, or failed. A failed attempt puts the report back in the
    queue and raises ``ReportBuildFailed`` (the task retries), unless it was the
    ``last_attempt``: then the report is marked failed with a short error.
    """
    claimed = RecommendationReport.objects.filter(
        pk=report_id, status=RecommendationReport.Status.QUEUED
    ).update(status=RecommendationReport.Status.BUILDING, error="")
    if not claimed:
        return False
    report = RecommendationReport.objects.get(pk=report_id)
    try:
        content = report_content(report)
        fingerprint = fingerprint_of(content)
        twin = twin_of(report, fingerprint)
        if twin is None:
            pdf, pages = report_render(report, content)
    except Exception as exc:
        logger.exception("Recommendation report %s: the build failed.", report_id)
        # Another attempt would need the same memory: a report too large fails at once.
        final = last_attempt or isinstance(exc, PdfMemoryExceeded)
        status = RecommendationReport.Status.FAILED if final else None
        RecommendationReport.objects.filter(
            pk=report_id, status=RecommendationReport.Status.BUILDING
        ).update(
            status=status or RecommendationReport.Status.QUEUED, error=_short_error(exc, report)
        )
        if final:
            return False
        raise ReportBuildFailed(report_id) from exc
    with transaction.atomic():
        report = RecommendationReport.objects.select_for_update().get(pk=report_id)
        if report.status != RecommendationReport.Status.BUILDING:
            return False
        if twin is None:
            report.pdf.save(f"report-{report.pk}.pdf", ContentFile(pdf), save=False)
            report.pages = pages
            report.built_at = timezone.now()
        else:
            report.pdf.name = twin.pdf.name
            report.pages = twin.pages
            report.built_at = twin.built_at
        report.fingerprint = fingerprint
        report.status = RecommendationReport.Status.READY
        report.save(update_fields=["pdf", "pages", "built_at", "fingerprint", "status"])
        audit_record(
            actor=None,
            action="recommendation_report.build",
            target=report,
            after={
                "pages": report.pages,
                "recommendations": content["count"],
                "reused": twin.pk if twin else None,
            },
        )
    return True


def reports_stuck(*, now=None):
    """Reports queued or building for longer than ``STUCK_AFTER``."""
    now = now or timezone.now()
    return RecommendationReport.objects.filter(
        status__in=[RecommendationReport.Status.QUEUED, RecommendationReport.Status.BUILDING],
        requested_at__lt=now - STUCK_AFTER,
    ).order_by("requested_at", "pk")


def report_sweep(*, now=None, limit: int = 100) -> int:
    """Put stuck reports back in the queue and enqueue their build; returns how many."""
    from ..tasks import build_recommendation_report

    ids = list(reports_stuck(now=now).values_list("pk", flat=True)[:limit])
    if not ids:
        return 0
    RecommendationReport.objects.filter(
        pk__in=ids, status=RecommendationReport.Status.BUILDING
    ).update(status=RecommendationReport.Status.QUEUED)
    logger.info("Sweep: %d recommendation reports were stuck; enqueuing their build.", len(ids))
    publish_each(build_recommendation_report, [(pk,) for pk in ids])
    return len(ids)


# Publishing -------------------------------------------------------------------------------


@transaction.atomic
def report_set_public(*, actor, report: RecommendationReport, public: bool):
    report = RecommendationReport.objects.select_for_update().get(pk=report.pk)
    if public and report.status != RecommendationReport.Status.READY:
        raise ValidationError(_("Only a ready report can be published."))
    if report.is_public == public:
        raise ValidationError(
            _("This report is already public.") if public else _("This report is not public.")
        )
    before = snapshot(report, ["is_public"])
    report.is_public = public
    report.save(update_fields=["is_public"])
    audit_record(
        actor=actor,
        action="recommendation_report.publish" if public else "recommendation_report.unpublish",
        target=report,
        before=before,
        after=snapshot(report, ["is_public"]),
    )
    return report


def report_publish(*, actor, report: RecommendationReport) -> RecommendationReport:
    """Put a ready report on the public reports page."""
    return report_set_public(actor=actor, report=report, public=True)


def report_unpublish(*, actor, report: RecommendationReport) -> RecommendationReport:
    """Take a report off the public page; only staff can download it again."""
    return report_set_public(actor=actor, report=report, public=False)

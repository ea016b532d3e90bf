"""Recommendation reports: IOM staff ask for a PDF report, follow its build (the page
polls with htmx) and publish it; everyone reads the public reports page and downloads
the public reports. A private report is downloadable by acting staff only."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gdpa.accounts.permissions import staff_required
from gdpa.portal.forms import apply_validation_error
from gdpa.portal.htmx import render_region

from .. import permissions, selectors
from ..forms import ReportRequestForm
from ..models import RecommendationReport
from ..services import reports

__all__ = [
    "public_reports",
    "report_create",
    "report_detail",
    "report_download",
    "report_publish",
    "report_unpublish",
    "staff_reports",
]

REPORTS_PER_PAGE = 20
#: While the report is in one of these states its page asks for news every 2 seconds.
IN_PROGRESS = frozenset({RecommendationReport.Status.QUEUED, RecommendationReport.Status.BUILDING})


@staff_required
@require_http_methods(["GET", "HEAD"])
def staff_reports(request):
    page = Paginator(selectors.reports_for_staff(), REPORTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "alliance/reports/staff_list.html", {"page": page})


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_create(request):
    form = ReportRequestForm(
        request.POST if request.method == "POST" else None,
        initial={"language": (get_language() or "en")[:2]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            report = reports.report_request(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Your report is on its way; this page shows its progress."))
            return redirect("alliance:report", report.pk)
    return render(
        request,
        "alliance/reports/form.html",
        {"form": form},
        status=422 if form.is_bound else 200,
    )


@staff_required
@require_http_methods(["GET", "HEAD"])
def report_detail(request, pk: int):
    """The report's page; htmx asks for its ``status`` region every 2 s while it is built."""
    report = permissions.access_report_to_manage(request.user, pk)
    return render_region(
        request,
        "alliance/reports/detail.html",
        "status",
        {"report": report, "in_progress": report.status in IN_PROGRESS},
    )


@require_http_methods(["GET", "HEAD"])
def report_download(request, pk: int):
    report = permissions.access_report_pdf(request.user, pk)
    try:
        handle = report.pdf.open("rb")
    except (OSError, ValueError) as exc:  # gone from storage: missing, not a server error
        raise Http404 from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{slugify(report.title) or 'report'}-{report.pk}.pdf",
        content_type="application/pdf",
    )


def _set_public(request, pk: int, *, public: bool):
    """GET asks for confirmation (works without JavaScript); POST publishes or withdraws."""
    report = permissions.access_report_to_manage(request.user, pk)
    if request.method != "POST":
        return render(
            request, "alliance/reports/publish_confirm.html", {"report": report, "public": public}
        )
    action = reports.report_publish if public else reports.report_unpublish
    try:
        action(actor=request.user, report=report)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The report is on the public reports page.")
            if public
            else _("The report was taken off the public reports page."),
        )
    return redirect("alliance:report", report.pk)


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_publish(request, pk: int):
    return _set_public(request, pk, public=True)


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_unpublish(request, pk: int):
    return _set_public(request, pk, public=False)


@require_http_methods(["GET", "HEAD"])
def public_reports(request):
    page = Paginator(selectors.public_reports(), REPORTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "alliance/reports/public_list.html", {"page": page})

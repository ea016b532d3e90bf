"""The results pages for IOM staff: the dashboard of the project's two outcomes over a
period (filterable with htmx, plain GET works), and the donor progress reports (asked
for here, built by a task; the report's page polls its status with htmx)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gdpa.accounts.permissions import staff_required
from gdpa.portal.forms import apply_validation_error
from gdpa.portal.htmx import render_region

from . import permissions, selectors, services
from .forms import DonorReportForm, PeriodForm
from .models import DonorReport

REPORTS_PER_PAGE = 20
#: While the report is in one of these states its page asks for news every 2 seconds.
IN_PROGRESS = frozenset({DonorReport.Status.QUEUED, DonorReport.Status.BUILDING})
PERIOD_FIELDS = ("period_start", "period_end")


def _period(request) -> tuple[PeriodForm, tuple | None]:
    """The period asked for in the query string (default: the whole period). A bad date
    gives a bound form with its errors and no period."""
    if not any(request.GET.get(f) for f in PERIOD_FIELDS):
        start, end = selectors.default_period()
        return PeriodForm(initial={"period_start": start, "period_end": end}), (start, end)
    form = PeriodForm(request.GET)
    if form.is_valid():
        return form, (form.cleaned_data["period_start"], form.cleaned_data["period_end"])
    return form, None


@staff_required
@require_http_methods(["GET", "HEAD"])
def dashboard(request):
    """The figures of every registered indicator for the period, by outcome: charts drawn
    on the server (SVG) with their data tables. htmx swaps the ``results`` region."""
    form, period = _period(request)
    context = {"form": form, "period": period, "sections": []}
    if period:
        context["sections"] = selectors.results_for_period(*period)
        context["report_form"] = DonorReportForm(
            initial={
                "period_start": period[0],
                "period_end": period[1],
                "language": (get_language() or "en")[:2],
            }
        )
    return render_region(
        request, "results/dashboard.html", "results", context, status=200 if period else 422
    )


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def reports(request):
    """The donor reports (newest first) and the form to build one for a period."""
    if request.method == "POST":
        form = DonorReportForm(request.POST)
        if form.is_valid():
            try:
                report = services.donor_report_request(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(
                    request, _("Your report is on its way; this page shows its progress.")
                )
                return redirect("results:report", report.pk)
    else:
        start, end = selectors.default_period()
        initial = {
            "period_start": start,
            "period_end": end,
            "language": (get_language() or "en")[:2],
        }
        # The dashboard's "build the report for this period" link carries its period.
        asked = PeriodForm(request.GET)
        if any(request.GET.get(f) for f in PERIOD_FIELDS) and asked.is_valid():
            initial.update(asked.cleaned_data)
        form = DonorReportForm(initial=initial)
    page = Paginator(selectors.reports_for_staff(), REPORTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "results/reports.html",
        {"form": form, "page": page},
        status=422 if form.is_bound else 200,
    )


@staff_required
@require_http_methods(["GET", "HEAD"])
def report(request, pk: int):
    """A report's page; htmx asks for its ``status`` region every 2 s while it is built."""
    found = permissions.access_donor_report(request.user, pk)
    return render_region(
        request,
        "results/report.html",
        "status",
        {"report": found, "in_progress": found.status in IN_PROGRESS},
    )


@staff_required
@require_http_methods(["GET", "HEAD"])
def report_download(request, pk: int):
    found = permissions.access_donor_report_pdf(request.user, pk)
    try:
        handle = found.pdf.open("rb")
    except (OSError, ValueError) as exc:  # gone from storage: missing, not a server error
        raise Http404 from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"gdpa-donor-report-{found.period_start:%Y%m%d}-{found.period_end:%Y%m%d}.pdf",
        content_type="application/pdf",
    )

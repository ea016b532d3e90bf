"""Staff exports: the exports page, the confirmation page that starts one, a large
export's progress page and its expiring download."""

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from gdpa.accounts.permissions import staff_required
from gdpa.portal.htmx import render_region

from . import permissions, services, writers
from .forms import ExportStartForm
from .models import ExportJob
from .registry import datasets
from .selectors import jobs_for

JOBS_PER_PAGE = 20


def _labels() -> dict[str, object]:
    return {ds.key: ds.label for ds in datasets()}


@staff_required
@require_http_methods(["GET", "HEAD"])
def index(request):
    """The registered datasets, each with its filter form (collapsed), and the person's
    recent exports."""
    offered = []
    for ds in datasets():
        form = ds.filter_form(auto_id=f"id_{ds.key}_%s") if ds.filter_form else None
        offered.append((ds, form))
    page = Paginator(jobs_for(request.user), JOBS_PER_PAGE).get_page(request.GET.get("page"))
    labels = _labels()
    for job in page.object_list:
        job.dataset_label = labels.get(job.dataset, job.dataset)
    return render(
        request,
        "exports/index.html",
        {
            "offered": offered,
            "page": page,
            "may_include_personal": permissions.can_export_personal(request.user),
        },
    )


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def start(request):
    """GET ``?dataset=<key>&<filters>``: what will be exported, in words, with the row
    count and the choice of format. POST (to the same address): a small export streams
    straight away; a large one is queued and the person sent to its progress page."""
    ds = permissions.access_dataset(request.user, request.GET.get("dataset", ""))
    filters = services.dataset_filters(request.GET)
    filter_form = services.filter_form(ds, filters)
    may_include_personal = permissions.can_export_personal(request.user)
    context = {
        "dataset": ds,
        "filter_form": filter_form,
        "may_include_personal": may_include_personal,
        "has_personal_columns": any(column.personal for column in ds.columns),
        "stream_max": services.stream_max_rows(),
    }
    if filter_form is not None and not filter_form.is_valid():
        context["form"] = None
        return render(
            request, "exports/start.html", context, status=422 if request.method == "POST" else 200
        )
    rows = ds.count(filters)
    context.update(rows=rows, filters_in_words=services.filters_in_words(filter_form))
    if request.method != "POST":
        context["form"] = ExportStartForm(may_include_personal=may_include_personal)
        return render(request, "exports/start.html", context)
    form = ExportStartForm(request.POST, may_include_personal=may_include_personal)
    context["form"] = form
    if not form.is_valid():
        return render(request, "exports/start.html", context, status=422)
    fmt = form.cleaned_data["format"]
    personal = may_include_personal and form.include_personal()
    if rows > services.stream_max_rows():
        job = services.export_job_request(
            actor=request.user,
            ds=ds,
            fmt=fmt,
            filters=filters,
            personal=personal,
            rows_total=rows,
        )
        return redirect("exports:job", job.pk)
    services.export_stream_record(
        actor=request.user, ds=ds, fmt=fmt, filters=filters, personal=personal, rows=rows
    )
    columns = services.columns_for(ds, personal=personal)
    headers = services.headers_for(columns)
    table = services.table_rows(ds, filters, personal=personal)
    filename = services.export_file_name(ds, fmt)
    if fmt == ExportJob.Format.XLSX:
        handle = writers.xlsx_tempfile(headers, table, title=str(ds.label))
        return FileResponse(
            handle,
            as_attachment=True,
            filename=filename,
            content_type=writers.XLSX_CONTENT_TYPE,
        )
    response = StreamingHttpResponse(
        writers.csv_chunks(headers, table), content_type=writers.CSV_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _ask_again_url(job: ExportJob) -> str:
    query = urlencode({"dataset": job.dataset})
    return reverse("exports:start") + "?" + query + ("&" + job.filters if job.filters else "")


@staff_required
@require_http_methods(["GET", "HEAD"])
def job(request, pk: int):
    """A large export's progress; htmx asks for its ``status`` region every 2 s until it
    is built (without JavaScript, reloading the page does the same)."""
    job = permissions.access_job(request.user, pk)
    job.dataset_label = _labels().get(job.dataset, job.dataset)
    return render_region(
        request,
        "exports/job.html",
        "status",
        {"job": job, "expired": job.is_expired(), "ask_again_url": _ask_again_url(job)},
    )


@staff_required
@require_http_methods(["GET", "HEAD"])
def download(request, pk: int):
    """The built file, for the person who asked for it, until the link expires (then 410)."""
    job = permissions.access_job(request.user, pk)
    if job.is_expired():
        job.dataset_label = _labels().get(job.dataset, job.dataset)
        return render(
            request,
            "exports/expired.html",
            {"job": job, "ask_again_url": _ask_again_url(job)},
            status=410,
        )
    if job.status != ExportJob.Status.DONE or not job.file:
        return redirect("exports:job", job.pk)
    try:
        handle = job.file.open("rb")
    except (OSError, ValueError) as exc:  # gone from storage: missing, not a server error
        raise Http404 from exc
    services.export_download_record(actor=request.user, job=job)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{job.dataset}-{job.finished_at:%Y%m%d-%H%M}.{job.format}",
        content_type=writers.CONTENT_TYPES[job.format],
    )

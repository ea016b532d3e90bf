"""IOM staff import organizations and focal points: upload, preview (nothing written),
confirm, result."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gdpa.accounts.permissions import staff_required
from gdpa.portal.forms import apply_validation_error
from gdpa.portal.htmx import render_region

from .. import imports, permissions, selectors
from ..forms import ImportUploadForm
from ..models import StaffImport
from ..services import imports as import_services

ROWS_PER_PAGE = 100
SHOW = {
    "all": None,
    imports.NEW: imports.NEW,
    imports.DUPLICATE: imports.DUPLICATE,
    imports.INVALID: imports.INVALID,
}


@staff_required
def import_upload(request):
    if not permissions.can_import(request.user):
        raise Http404
    posted = request.method == "POST"
    form = ImportUploadForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        try:
            preview = import_services.import_preview_create(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
            )
        except imports.FileRefused as error:
            form.add_error("file", error.messages)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return redirect("alliance:import_preview", preview.token)
    status = 422 if form.is_bound and form.errors else 200
    return render(
        request,
        "alliance/staff/import.html",
        {
            "form": form,
            "columns": [
                (kind, label, imports.COLUMNS[kind]) for kind, label in imports.KINDS.items()
            ],
            "max_rows": imports.MAX_ROWS,
        },
        status=status,
    )


@staff_required
@require_GET
def import_template(request, kind: str):
    if not permissions.can_import(request.user) or kind not in imports.COLUMNS:
        raise Http404
    response = HttpResponse(imports.template_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="gdpa-{kind.replace("_", "-")}.csv"'
    return response


@staff_required
@require_GET
def import_preview(request, token: str):
    if permissions.confirmed_import(request.user, token):
        messages.info(request, _("This preview was already confirmed; here is what it imported."))
        return redirect("alliance:import_result", token)
    preview = permissions.access_import_preview(request.user, token)
    show = request.GET.get("show", "all")
    if show not in SHOW:
        show = "all"
    rows = [r for r in preview.rows if SHOW[show] is None or r["status"] == SHOW[show]]
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "alliance/staff/import_preview.html",
        {
            "preview": preview,
            "kind_label": imports.KINDS[preview.kind],
            "columns": preview.columns,
            "page": page,
            "rows": [
                {**row, "pairs": list(zip(preview.columns, row["cells"], strict=False))}
                for row in page.object_list
            ],
            "show": show,
            "counts": preview.counts,
            "total": len(preview.rows),
            "expired": preview.expired,
        },
    )


@staff_required
@require_POST
def import_confirm(request, token: str):
    if permissions.confirmed_import(request.user, token):
        messages.error(request, _("This import was already confirmed."))
        return redirect("alliance:import_result", token)
    preview = permissions.access_import_preview(request.user, token)
    try:
        run = import_services.import_confirm(actor=request.user, preview=preview)
    except import_services.PreviewUnavailable as error:
        messages.error(request, " ".join(error.messages))
        if permissions.confirmed_import(request.user, token):
            return redirect("alliance:import_result", token)
        return redirect("alliance:import_preview", token)
    run = permissions.access_import_run(request.user, token)  # as it is now
    if run.status == StaffImport.Status.DONE:
        messages.success(
            request,
            _("The import is done. Created: %(created)d. Skipped: %(skipped)d.")
            % {"created": run.created_count, "skipped": run.skipped_count},
        )
    else:
        messages.success(request, _("The import has started; this page shows its progress."))
    return redirect("alliance:import_result", token)


@staff_required
@require_GET
def import_result(request, token: str):
    """What the import created and skipped; htmx asks for the ``progress`` region every
    2 s while the rows are being written."""
    run = permissions.access_import_run(request.user, token)
    rows = selectors.staff_import_rows(run)
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render_region(
        request,
        "alliance/staff/import_result.html",
        "progress",
        {
            "run": run,
            "running": run.status == StaffImport.Status.RUNNING,
            "page": page,
            "outcomes": page.object_list,
            "is_organizations": run.kind == StaffImport.Kind.ORGANIZATIONS,
        },
    )

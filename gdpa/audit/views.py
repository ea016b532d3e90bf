from django.core.paginator import Paginator
from django.shortcuts import render

from gdpa.accounts.permissions import staff_required

from .forms import AuditFilterForm
from .selectors import audit_entries

ENTRIES_PER_PAGE = 50


@staff_required
def audit_log(request):
    """Entries newest first, filtered by action prefix; a filter that is not valid
    (a NUL byte, too long) is explained next to the field and answered with a 400."""
    form = AuditFilterForm(request.GET or None, auto_id="filter-%s")
    valid = not form.is_bound or form.is_valid()
    action = form.cleaned_data.get("action", "") if valid and form.is_bound else ""
    page = Paginator(audit_entries(action=action), ENTRIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "audit/audit_log.html",
        {"form": form, "page": page},
        status=200 if valid else 400,
    )

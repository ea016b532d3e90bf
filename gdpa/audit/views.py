from django.core.paginator import Paginator
from django.shortcuts import render

from gdpa.accounts.permissions import staff_required

from .display import describe
from .forms import AuditFilterForm, target_types_in_use
from .selectors import audit_entries

ENTRIES_PER_PAGE = 50


@staff_required
def audit_log(request):
    """Entries newest first, in words, filtered by person, action, object and dates; a
    filter that is not valid (a NUL byte, too long, an end before the start) is explained
    next to the field and answered with a 400."""
    form = AuditFilterForm(
        request.GET or None, auto_id="filter-%s", target_types=target_types_in_use()
    )
    valid = not form.is_bound or form.is_valid()
    filters = {}
    if valid and form.is_bound:
        data = form.cleaned_data
        filters = {
            "action": data["action"],
            "actor": data["actor"],
            "target_type": data["target_type"],
            "start": data["start"],
            "end": data["end"],
        }
    page = Paginator(audit_entries(**filters), ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/audit_log.html",
        {"form": form, "page": page, "rows": [describe(e) for e in page.object_list]},
        status=200 if valid else 400,
    )

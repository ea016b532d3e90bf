from django.core.paginator import Paginator
from django.shortcuts import render

from gdpa.accounts.permissions import staff_required

from .selectors import audit_entries


@staff_required
def audit_log(request):
    page = Paginator(audit_entries(action=request.GET.get("action", "")), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request, "audit/audit_log.html", {"page": page, "action": request.GET.get("action", "")}
    )

from django.core.paginator import Paginator
from django.shortcuts import render

from gdpa.accounts.permissions import staff_required

from .models import OutboundEmail
from .selectors import outbound_emails


@staff_required
def outbox(request):
    status = request.GET.get("status", "")
    if status not in OutboundEmail.Status.values:
        status = ""
    page = Paginator(outbound_emails(status=status), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notify/outbox.html",
        {"page": page, "status": status, "statuses": OutboundEmail.Status.choices},
    )

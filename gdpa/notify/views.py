from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gdpa.accounts.permissions import staff_required
from gdpa.audit import registry
from gdpa.audit.display import describe
from gdpa.audit.selectors import audit_entries_for

from . import deliverability, services
from .forms import EmailResendForm, SuppressionLiftForm
from .models import OutboundEmail, RecipientAddress
from .selectors import (
    address_suppression_for,
    outbound_email,
    outbound_emails,
    recipient_address,
    suppressed_addresses,
)

#: The scope under which apps register the labels of their e-mail kinds.
KIND_SCOPE = "notify.outboundemail"
EMAILS_PER_PAGE = 50


@staff_required
def outbox(request):
    """Sent e-mails, newest first, filtered by recipient, kind and status. A value that
    is not one of the choices is ignored (the list shows everything for it)."""
    status = request.GET.get("status", "")
    if status not in OutboundEmail.Status.values:
        status = ""
    kinds = registry.value_choices(KIND_SCOPE, "kind")
    kind = request.GET.get("kind", "").strip()
    if len(kind) > OutboundEmail._meta.get_field("kind").max_length:
        kind = ""
    if kind and kind not in dict(kinds):
        kinds = [(kind, kind), *kinds]  # an older or unregistered kind, shown by its code
    recipient = request.GET.get("recipient", "").strip()[:254]
    emails = outbound_emails(status=status, kind=kind, recipient=recipient)
    page = Paginator(emails, EMAILS_PER_PAGE).get_page(request.GET.get("page"))
    for email in page.object_list:
        email.kind_label = registry.value_label(KIND_SCOPE, "kind", email.kind)
    return render(
        request,
        "notify/outbox.html",
        {
            "page": page,
            "status": status,
            "statuses": OutboundEmail.Status.choices,
            "kind": kind,
            "kinds": kinds,
            "recipient": recipient,
            "retention_days": services.failed_body_retention().days,
            "suppressed_total": suppressed_addresses().count(),
        },
    )


@staff_required
def email_detail(request, pk: int):
    """One e-mail's metadata and delivery history (never its content: it may hold live
    links, and it is deleted once sent)."""
    email = outbound_email(email_id=pk)
    if email is None:
        raise Http404
    email.kind_label = registry.value_label(KIND_SCOPE, "kind", email.kind)
    history = [describe(entry) for entry in audit_entries_for(email)]
    return render(
        request,
        "notify/email_detail.html",
        {
            "email": email,
            "history": history,
            "retention_days": services.failed_body_retention().days,
            "suppression": address_suppression_for(email),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def email_resend(request):
    """Confirm (GET), then queue a failed e-mail again (POST with the box ticked).

    Works without JavaScript: the warning and the required checkbox are on the page.
    """
    data = request.POST if request.method == "POST" else request.GET
    try:
        email_id = int(data.get("email", ""))
    except ValueError:
        messages.error(request, _("Choose a failed e-mail to resend from the list."))
        return redirect("notify:outbox")
    email = outbound_email(email_id=email_id)
    if email is None:
        raise Http404
    if not email.can_resend:
        messages.error(request, _("This e-mail can no longer be resent."))
        return redirect("notify:outbox")
    if request.method == "POST":
        form = EmailResendForm(request.POST)
        if form.is_valid():
            try:
                services.email_resend(actor=request.user, email_id=email.pk)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request,
                    _("The e-mail to %(recipient)s is queued again.")
                    % {"recipient": email.to_email},
                )
            return redirect("notify:outbox")
        status = 422
    else:
        form = EmailResendForm(initial={"email": email.pk})
        status = 200
    return render(
        request, "notify/resend_confirm.html", {"email": email, "form": form}, status=status
    )


@staff_required
def suppressions(request):
    """Addresses the portal no longer mails (repeated hard bounces or a complaint),
    most recent first, filtered by address and reason."""
    reason = request.GET.get("reason", "")
    if reason not in RecipientAddress.Reason.values:
        reason = ""
    address = request.GET.get("address", "").strip()[:254]
    rows = suppressed_addresses(address=address, reason=reason)
    page = Paginator(rows, EMAILS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "notify/suppressions.html",
        {
            "page": page,
            "address": address,
            "reason": reason,
            "reasons": RecipientAddress.Reason.choices,
            "bounce_limit": deliverability.bounce_limit(),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def suppression_lift(request):
    """Confirm (GET), then lift the suppression of an address (POST with the box ticked)."""
    data = request.POST if request.method == "POST" else request.GET
    try:
        address_id = int(data.get("address", ""))
    except ValueError:
        messages.error(request, _("Choose a suppressed address from the list."))
        return redirect("notify:suppressions")
    row = recipient_address(address_id=address_id)
    if row is None:
        raise Http404
    if not row.suppressed:
        messages.error(request, _("E-mail to this address is not suppressed."))
        return redirect("notify:suppressions")
    if request.method == "POST":
        form = SuppressionLiftForm(request.POST)
        if form.is_valid():
            try:
                deliverability.address_suppression_lift(actor=request.user, address_id=row.pk)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request,
                    _("E-mail to %(address)s is sent again.") % {"address": row.address},
                )
            return redirect("notify:suppressions")
        status = 422
    else:
        form = SuppressionLiftForm(initial={"address": row.pk})
        status = 200
    return render(
        request, "notify/suppression_lift.html", {"row": row, "form": form}, status=status
    )

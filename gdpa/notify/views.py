from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gdpa.accounts.permissions import staff_required

from . import services
from .forms import EmailResendForm
from .models import OutboundEmail
from .selectors import outbound_email, outbound_emails


@staff_required
def outbox(request):
    status = request.GET.get("status", "")
    if status not in OutboundEmail.Status.values:
        status = ""
    page = Paginator(outbound_emails(status=status), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notify/outbox.html",
        {
            "page": page,
            "status": status,
            "statuses": OutboundEmail.Status.choices,
            "retention_days": services.failed_body_retention().days,
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

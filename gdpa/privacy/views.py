import json

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gdpa.accounts.permissions import staff_required

from . import services
from .forms import ErasureAskForm, ErasureCarryOutForm, ErasureFilterForm, ErasureRefuseForm
from .models import ErasureRequest
from .permissions import access_erasure_request
from .selectors import erasure_requests, latest_erasure_request, open_erasure_request

REQUESTS_PER_PAGE = 50


@login_required
@require_GET
def summary(request):
    """Everything the portal holds about the signed-in person, readable and printable."""
    return render(
        request,
        "privacy/summary.html",
        {
            "sections": services.person_data(request.user),
            "erasure": latest_erasure_request(request.user),
            "generated_at": timezone.now(),
        },
    )


@login_required
@require_GET
def download(request):
    """The same data as a JSON file."""
    payload = {
        "generated_at": timezone.now().isoformat(),
        "person": request.user.pk,
        "data": {s["model"]: s["records"] for s in services.person_data(request.user)},
    }
    response = HttpResponse(
        json.dumps(payload, indent=2, ensure_ascii=False, default=str),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="my-personal-data.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True)
def erase_request(request):
    """Explain what erasure does (GET); ask for it (POST, after re-authentication)."""
    pending = open_erasure_request(request.user)
    form = ErasureAskForm(request.POST or None)
    status = 200
    if request.method == "POST" and pending is None:
        if form.is_valid():
            try:
                services.erasure_request_create(user=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request,
                    _(
                        "Your request is recorded. IOM staff will carry it out or tell you "
                        "why not, by e-mail."
                    ),
                )
            return redirect("privacy:summary")
        status = 422
    return render(
        request, "privacy/erase_request.html", {"form": form, "pending": pending}, status=status
    )


@staff_required
@require_GET
def staff_requests(request):
    form = ErasureFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    page = Paginator(erasure_requests(status=status), REQUESTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "privacy/staff_requests.html", {"page": page, "form": form})


def _staff_page(request, erasure, *, carry_form=None, refuse_form=None, status=200):
    return render(
        request,
        "privacy/staff_request.html",
        {
            "erasure": erasure,
            "carry_form": carry_form or ErasureCarryOutForm(),
            "refuse_form": refuse_form or ErasureRefuseForm(),
            "sections": (
                services.person_data(erasure.user)
                if erasure.status == ErasureRequest.Status.REQUESTED
                else []
            ),
        },
        status=status,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def staff_erase(request, pk: int):
    """Show a request and what would be erased (GET); carry it out (POST, confirmed)."""
    erasure = access_erasure_request(request.user, pk)
    if request.method == "GET":
        return _staff_page(request, erasure)
    form = ErasureCarryOutForm(request.POST)
    if not form.is_valid():
        return _staff_page(request, erasure, carry_form=form, status=422)
    try:
        services.erasure_carry_out(actor=request.user, request_id=erasure.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The person's data is erased and they were told."))
    return redirect("privacy:staff_requests")


@staff_required
@require_POST
def staff_refuse(request, pk: int):
    erasure = access_erasure_request(request.user, pk)
    form = ErasureRefuseForm(request.POST)
    if not form.is_valid():
        return _staff_page(request, erasure, refuse_form=form, status=422)
    try:
        services.erasure_refuse(
            actor=request.user, request_id=erasure.pk, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The request is refused and the person was told why."))
    return redirect("privacy:staff_requests")

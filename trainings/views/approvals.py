"""IOM staff's approval queue: enrollments and nominations of offerings that need
approval, oldest first, approved or declined (with a reason) in place with htmx. The
pattern is the alliance's verification queue."""

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gdpa.accounts.permissions import staff_required
from gdpa.portal.forms import apply_validation_error
from gdpa.portal.htmx import attempt, is_partial_request, notify, render_region

from .. import permissions, selectors, services
from ..forms import ApprovalFilterForm, DeclineForm
from ..models import Enrollment

QUEUE_PER_PAGE = 25


def _queue_response(request, status: int = 200, **extra):
    """The queue, filtered and paged by the query string (the approve and decline forms
    post to a URL carrying it, so the queue comes back as it was)."""
    form = ApprovalFilterForm(
        request.GET or None,
        offering_choices=selectors.offerings_awaiting_approval(),
        auto_id="filter-%s",
    )
    offering_id = form.cleaned_data.get("offering") if form.is_bound and form.is_valid() else None
    page = Paginator(
        selectors.pending_enrollments(offering_id=offering_id), QUEUE_PER_PAGE
    ).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "pending": page.object_list,
        "filtered": bool(offering_id),
        **extra,
    }
    return render_region(request, "trainings/staff/approvals.html", "queue", context, status)


def _back_to_queue(request):
    query = request.GET.urlencode()
    url = reverse("trainings:approval_queue")
    return redirect(f"{url}?{query}" if query else url)


@staff_required
def approval_queue(request):
    return _queue_response(request)


def _approved_notice(enrollment: Enrollment) -> str:
    name = enrollment.user.full_name
    if enrollment.status == Enrollment.Status.ENROLLED:
        return _("%(name)s is approved and enrolled; they were told by e-mail.") % {"name": name}
    return _(
        "%(name)s is approved; the offering is full, so they are on the waiting list. "
        "They were told by e-mail."
    ) % {"name": name}


@staff_required
@require_POST
def approval_approve(request, pk: int):
    enrollment = permissions.access_enrollment_to_decide(request.user, pk)
    ok, notice = attempt(
        request,
        lambda: services.enrollment_approve(actor=request.user, enrollment=enrollment),
        _approved_notice,
    )
    if not is_partial_request(request):
        return _back_to_queue(request)
    return _queue_response(request, status=200 if ok else 422, notice=notice, ok=ok)


@staff_required
@require_POST
def approval_decline(request, pk: int):
    enrollment = permissions.access_enrollment_to_decide(request.user, pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.enrollment_decline(
                actor=request.user, enrollment=enrollment, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            notice = notify(
                request,
                _("%(name)s's enrollment is declined; the reason was sent to them.")
                % {"name": enrollment.user.full_name},
            )
            if not is_partial_request(request):
                return _back_to_queue(request)
            return _queue_response(request, notice=notice, ok=True)
    # An error that belongs to no field (decided meanwhile in another tab) is the notice:
    # the enrollment has left the queue.
    return _queue_response(
        request,
        status=422,
        decline_form=form,
        declining=enrollment.pk,
        notice=" ".join(form.non_field_errors()),
        ok=False,
    )

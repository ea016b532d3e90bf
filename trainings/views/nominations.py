"""Nominations: a diaspora or partner organization's leader, or a government focal point,
puts people forward for an offering, sees what became of them and may withdraw them."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gdpa.portal.forms import apply_validation_error
from gdpa.portal.htmx import attempt, is_partial_request, notify, render_region

from .. import permissions, selectors, services
from ..forms import NominationForm, OrganizationChoiceForm
from ..models import Enrollment

NOMINEES_PER_PAGE = 25
#: How many of their nominees the offering page lists (the nominate page has them all).
NOMINEES_ON_OFFERING_PAGE = 10


def nominator_context(request, offering) -> dict:
    """What the offering page shows someone who may nominate: the link to nominate and
    the latest people they nominated with their status (one or two queries)."""
    if not permissions.nominating_organizations(request.user, offering):
        return {"may_nominate": False}
    latest = list(selectors.nominations_by(request.user, offering)[: NOMINEES_ON_OFFERING_PAGE + 1])
    return {
        "may_nominate": True,
        "nominees": latest[:NOMINEES_ON_OFFERING_PAGE],
        "more_nominees": len(latest) > NOMINEES_ON_OFFERING_PAGE,
    }


def withdraw_confirm_context(request, offering, enrollment) -> dict:
    """The withdrawal confirmation: whether the seat still goes to the waiting list (not
    once the offering has started) and why it may not be withdrawn (a completed training)."""
    return {
        "offering": offering,
        "programme": offering.programme,
        "enrollment": enrollment,
        "own": enrollment.user_id == request.user.pk,
        "started": services.offering_started(offering),
        "refusal": services.withdrawal_refusal(user=request.user, enrollment=enrollment),
    }


def _chosen_organization(request, organizations):
    """The organization asked for in the query or the form (default: the first); one the
    person may not nominate from is a 404."""
    data = request.POST if request.method == "POST" else request.GET
    raw = data.get("organization")
    if not raw:
        return organizations[0]
    chosen = next((o for o in organizations if str(o.pk) == raw), None)
    if chosen is None:
        raise Http404
    return chosen


def _nominated_notice(enrollment: Enrollment) -> str:
    name = enrollment.user.full_name
    if enrollment.status == Enrollment.Status.PENDING:
        return _("%(name)s is nominated; IOM staff will approve or decline it.") % {"name": name}
    if enrollment.status == Enrollment.Status.ENROLLED:
        return _("%(name)s is nominated and enrolled.") % {"name": name}
    return _("%(name)s is nominated; the offering is full, so they are on the waiting list.") % {
        "name": name
    }


def _page_context(request, offering, organizations, organization, form, **extra) -> dict:
    nominees = Paginator(
        selectors.nominations_by(request.user, offering), NOMINEES_PER_PAGE
    ).get_page(request.GET.get("page"))
    return {
        "offering": offering,
        "programme": offering.programme,
        "organization": organization,
        "organizations": organizations,
        "choice_form": OrganizationChoiceForm(
            initial={"organization": organization.pk},
            organizations=organizations,
            auto_id="choose-%s",
        ),
        "form": form,
        "nominees": nominees,
        "closed": services.window_refusal(offering),
        **extra,
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def nominate(request, pk: int):
    """GET shows the form (members of the chosen organization the person may nominate);
    POST nominates one. Refusals show on the person field and change nothing."""
    offering, organizations = permissions.access_offering_to_nominate(request.user, pk)
    organization = _chosen_organization(request, organizations)

    def candidates():
        return list(
            selectors.nomination_candidates(
                offering=offering, organization=organization, nominator=request.user
            )
        )

    posted = request.method == "POST"
    form = NominationForm(request.POST if posted else None, candidates=candidates())
    extra = {}
    if posted and form.is_valid():
        try:
            enrollment = services.nomination_create(
                nominator=request.user,
                offering=offering,
                organization=organization,
                person_pk=form.cleaned_data["person"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            notice = notify(request, _nominated_notice(enrollment))
            if not is_partial_request(request):
                url = reverse("trainings:nominate", args=[offering.pk])
                return redirect(f"{url}?organization={organization.pk}")
            form = NominationForm(candidates=candidates())
            extra = {"notice": notice, "ok": True}
    context = _page_context(request, offering, organizations, organization, form, **extra)
    status = 422 if posted and form.errors else 200
    return render_region(request, "trainings/nominate.html", "nomination", context, status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def nominee_withdraw(request, pk: int, enrollment_pk: int):
    """GET asks for confirmation; POST withdraws a person the nominator put forward."""
    offering = permissions.access_offering(request.user, pk)
    enrollment = permissions.access_nomination(request.user, offering, enrollment_pk)
    if request.method != "POST":
        return render(
            request,
            "trainings/withdraw_confirm.html",
            withdraw_confirm_context(request, offering, enrollment),
        )
    attempt(
        request,
        lambda: services.enrollment_withdraw(user=request.user, enrollment=enrollment),
        lambda saved: (
            _("%(name)s is withdrawn from the offering and was told by e-mail.")
            % {"name": saved.user.full_name}
        ),
    )
    return redirect("trainings:nominate", offering.pk)

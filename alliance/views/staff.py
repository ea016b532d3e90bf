"""IOM staff pages about organizations: the verification queue, member states,
government bodies and sectors (the member directory is ``member_directory``)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gdpa.accounts.permissions import staff_required
from gdpa.portal.forms import apply_validation_error
from gdpa.portal.htmx import attempt, is_partial_request, notify, render_region

from .. import permissions, selectors, services
from ..forms import (
    GovernmentOrganizationForm,
    MemberStateFilterForm,
    MemberStateForm,
    RejectionForm,
    SectorForm,
    VerificationFilterForm,
)
from ..models import Organization
from .common import filters_of

QUEUE_PER_PAGE = 25
MEMBER_STATES_PER_PAGE = 50


# IOM staff --------------------------------------------------------------------------------


def _queue_response(request, status: int = 200, **extra):
    """The verification queue, filtered and paged by the query string (the approve and
    reject forms post to a URL carrying it, so the queue comes back as it was)."""
    pending = Organization.Status.PENDING
    form = VerificationFilterForm(
        request.GET or None,
        country_choices=selectors.organization_countries(status=pending),
        auto_id="filter-%s",
    )
    filters = filters_of(form)
    page = Paginator(
        selectors.organizations_pending(
            kind=filters.get("kind", ""), country=filters.get("country", "")
        ),
        QUEUE_PER_PAGE,
    ).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "pending": page.object_list,
        "filtered": bool(filters.get("kind") or filters.get("country")),
        **extra,
    }
    return render_region(request, "alliance/staff/verification.html", "queue", context, status)


@staff_required
def verification_queue(request):
    return _queue_response(request)


def _back_to_queue(request):
    query = request.GET.urlencode()
    url = reverse("alliance:verification_queue")
    return redirect(f"{url}?{query}" if query else url)


@staff_required
@require_POST
def verification_approve(request, pk: int):
    organization = permissions.access_pending_organization(request.user, pk)
    ok, notice = attempt(
        request,
        lambda: services.organization_verify(actor=request.user, organization=organization),
        lambda _done: _("%(name)s is verified; the applicant was told.") % {"name": organization},
    )
    if not is_partial_request(request):
        return _back_to_queue(request)
    return _queue_response(request, status=200 if ok else 422, notice=notice)


@staff_required
@require_POST
def verification_reject(request, pk: int):
    organization = permissions.access_pending_organization(request.user, pk)
    form = RejectionForm(request.POST)
    if form.is_valid():
        try:
            services.organization_reject(
                actor=request.user, organization=organization, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            notice = notify(
                request,
                _("%(name)s was rejected; the reason was sent to the applicant.")
                % {"name": organization},
            )
            if not is_partial_request(request):
                return _back_to_queue(request)
            return _queue_response(request, notice=notice)
    # An error that belongs to no field (decided meanwhile in another tab) is the notice:
    # the organization's own form has left the queue.
    return _queue_response(
        request,
        status=422,
        reject_form=form,
        rejecting=organization.pk,
        notice=" ".join(form.non_field_errors()),
    )


@staff_required
def member_states(request):
    form = MemberStateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            state = services.member_state_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("%(name)s joined the alliance.") % {"name": state})
            return redirect("alliance:member_states")
    search = MemberStateFilterForm(request.GET or None, auto_id="filter-%s")
    query = filters_of(search).get("q", "")
    page = Paginator(selectors.member_states(query=query), MEMBER_STATES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "alliance/staff/member_states.html",
        {
            "form": form,
            "search": search,
            "searched": bool(query),
            "page": page,
            "member_states": page.object_list,
        },
    )


@staff_required
def government_create(request):
    form = GovernmentOrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organization = services.organization_register(
                actor=request.user,
                kind=Organization.Kind.GOVERNMENT,
                country=data["member_state"].country.code,
                **data,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s was created. Invite its focal point from its page.")
                % {"name": organization},
            )
            return redirect("alliance:organization", organization.pk)
    return render(request, "alliance/staff/government_create.html", {"form": form})


@staff_required
def sectors(request):
    form = SectorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sector = services.sector_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The sector %(name)s was added.") % {"name": sector.name})
            return redirect("alliance:sectors")
    return render(
        request, "alliance/staff/sectors.html", {"form": form, "sectors": selectors.sectors()}
    )

"""The public alliance directory (member states and the verified organizations that
agreed to be listed) and the control with which an organization's admins agree."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gdpa.accounts.permissions import acting_as_staff
from gdpa.portal.htmx import attempt, is_partial_request, render_region

from .. import permissions, selectors
from ..forms import DirectoryFilterForm, OrganizationListingForm
from ..services.organizations import organization_set_listing

__all__ = ["directory", "organization_listing"]

ORGANIZATIONS_PER_PAGE = 20


def can_set_listing(user, organization) -> bool:
    """Who chooses whether the organization is listed: its admins and acting staff."""
    return acting_as_staff(user) or permissions.is_org_admin(user, organization)


@require_http_methods(["GET", "HEAD"])
def directory(request):
    """For everyone; the filter form swaps the results region with htmx and works as a
    plain GET form without it."""
    form = DirectoryFilterForm(request.GET or None, auto_id="filter-%s")
    page = Paginator(
        selectors.directory_organizations(**form.filters()), ORGANIZATIONS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render_region(
        request,
        "alliance/directory.html",
        "results",
        {
            "form": form,
            "page": page,
            "total": page.paginator.count,
            "member_states": selectors.member_states_public(),
        },
    )


@login_required
@require_POST
def organization_listing(request, pk: int):
    """Admins (or acting staff) show their organization in the directory or take it off.
    A plain post goes back to the organization's page; htmx swaps the listing region."""
    organization = permissions.access_organization(request.user, pk)
    if not can_set_listing(request.user, organization):
        raise Http404
    form = OrganizationListingForm(request.POST)
    form.is_valid()
    listed = form.cleaned_data.get("listed", False)
    ok, notice = attempt(
        request,
        lambda: organization_set_listing(
            actor=request.user, organization=organization, listed=listed
        ),
        lambda _done: (
            (
                _("%(name)s is shown in the public alliance directory once verified.")
                if listed and not organization.is_verified
                else _("%(name)s is shown in the public alliance directory.")
                if listed
                else _("%(name)s is not shown in the public alliance directory.")
            )
            % {"name": organization.name}
        ),
    )
    if not is_partial_request(request):
        return redirect("alliance:organization", organization.pk)
    organization.refresh_from_db(fields=["listed_publicly"])
    return render_region(
        request,
        "alliance/organization_detail.html",
        "listing",
        {
            "organization": organization,
            "can_list": True,
            "listing_form": OrganizationListingForm(
                initial={"listed": organization.listed_publicly}
            ),
            "listing_notice": notice,
        },
        status=200 if ok else 422,
    )

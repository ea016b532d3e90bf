"""Organizations of the signed-in person, their people (roles, invitations, the
delegated right, leaving) and invitation links."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gdpa.portal.forms import apply_validation_error
from gdpa.portal.htmx import attempt, is_partial_request, notify, render_region

from .. import permissions, selectors, services
from ..forms import (
    InvitationForm,
    ManageRightForm,
    MemberFilterForm,
    OrganizationListingForm,
    OrganizationRegistrationForm,
    RoleForm,
    SwitchOrganizationForm,
)
from ..models import Membership, Organization
from ..permissions import CURRENT_ORG_KEY
from .common import filters_of
from .directory import can_set_listing

#: Page sizes of the lists on these pages.
MEMBERS_PER_PAGE = 50


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or default
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


# Organizations of the signed-in person ---------------------------------------------------


@login_required
def my_organizations(request):
    return render(
        request,
        "alliance/my_organizations.html",
        {"memberships": permissions.memberships_of(request.user)},
    )


@login_required
@require_POST
def switch_organization(request):
    form = SwitchOrganizationForm(request.POST)
    if form.is_valid():
        organization = permissions.access_organization(
            request.user, form.cleaned_data["organization"]
        )
        if permissions.membership_in(request.user, organization) is None:
            messages.error(request, _("You are not a member of that organization."))
        else:
            request.session[CURRENT_ORG_KEY] = organization.pk
            messages.success(
                request, _("You are now working as %(name)s.") % {"name": organization}
            )
    return redirect(_safe_next(request, reverse("portal:dashboard")))


@login_required
def organization_register(request):
    form = OrganizationRegistrationForm(
        request.POST or None, initial={"contact_email": request.user.email}
    )
    if request.method == "POST" and form.is_valid():
        try:
            organization = services.organization_register(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            request.session[CURRENT_ORG_KEY] = organization.pk
            messages.success(
                request,
                _("%(name)s is registered. IOM staff will verify it; you will get an e-mail.")
                % {"name": organization.name},
            )
            return redirect("alliance:organization", organization.pk)
    return render(request, "alliance/organization_register.html", {"form": form})


def _list_query(request, path: str) -> QueryDict:
    """The filters and page of the list being viewed: the query string of a GET, or,
    for an htmx action posted from the list's page, the query of that page's URL
    (htmx sends it as ``HX-Current-URL``), so the region comes back as it was."""
    if request.method == "GET":
        return request.GET
    current = request.htmx.current_url if is_partial_request(request) else None
    if current:
        url = urlsplit(current)
        if url.path == path:
            return QueryDict(url.query)
    return QueryDict()


def _organization_context(request, organization: Organization, **extra) -> dict:
    can_manage = permissions.can_manage_members(request.user, organization)
    can_delegate = permissions.can_delegate(request.user, organization)
    query = _list_query(request, reverse("alliance:organization", args=[organization.pk]))
    member_filter = MemberFilterForm(query or None, search=can_manage, auto_id="people-%s")
    filters = filters_of(member_filter)
    page = Paginator(
        selectors.organization_members(
            organization, role=filters.get("role", ""), query=filters.get("q", "")
        ),
        MEMBERS_PER_PAGE,
    ).get_page(query.get("page"))
    context = {
        "organization": selectors.organization_profile(organization),
        "membership": permissions.membership_in(request.user, organization),
        "can_manage": can_manage,
        "can_invite": permissions.can_invite(request.user, organization),
        "members": permissions.mark_member_actions(
            request.user,
            organization,
            selectors.with_manage_rights(organization, page.object_list),
        ),
        "member_page": page,
        "member_filter": member_filter,
        "member_query": query,
        "members_filtered": bool(filters.get("role") or filters.get("q")),
        "roles": Membership.Role.choices,
        "invitations": selectors.organization_open_invitations(organization) if can_manage else [],
        "invite_form": InvitationForm(admin_roles=can_delegate),
        "can_list": can_set_listing(request.user, organization),
        "listing_form": OrganizationListingForm(initial={"listed": organization.listed_publicly}),
        "can_see_record": permissions.can_see_organization_record(request.user),
    }
    context.update(extra)
    return context


@login_required
def organization_detail(request, pk: int):
    organization = permissions.access_organization(request.user, pk)
    return render_region(
        request,
        "alliance/organization_detail.html",
        "people",
        _organization_context(request, organization),
    )


def _people_response(
    request, organization: Organization, status: int = 200, *, ok: bool = True, **extra
):
    """The people region after an action. A refused htmx action answers 422 with its
    notice in the region; a plain form post goes back to the page, the notice flashed."""
    if not is_partial_request(request) and status == 200:
        return redirect("alliance:organization", organization.pk)
    if not ok and status == 200:
        status = 422
    return render_region(
        request,
        "alliance/organization_detail.html",
        "people",
        _organization_context(request, organization, **extra),
        status=status,
    )


@login_required
@require_POST
def invitation_send(request, pk: int):
    organization = permissions.access_organization_to_manage(request.user, pk)
    form = InvitationForm(
        request.POST, admin_roles=permissions.can_delegate(request.user, organization)
    )
    if form.is_valid() and not permissions.can_invite_with_role(
        request.user, organization, form.cleaned_data["role"]
    ):
        form.add_error("role", _("Only administrators can invite people with this role."))
    if form.is_valid():
        try:
            invitation = services.invitation_create(
                actor=request.user, organization=organization, **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            notice = notify(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return _people_response(request, organization, notice=notice)
    return _people_response(request, organization, status=422, invite_form=form)


@login_required
@require_POST
def invitation_revoke(request, pk: int, invitation_pk: int):
    organization = permissions.access_organization_to_manage(request.user, pk)
    invitation = permissions.access_invitation(request.user, organization, invitation_pk)
    ok, notice = attempt(
        request,
        lambda: services.invitation_revoke(actor=request.user, invitation=invitation),
        lambda _done: _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email},
    )
    return _people_response(request, organization, ok=ok, notice=notice)


@login_required
@require_POST
def membership_role(request, pk: int, membership_pk: int):
    organization = permissions.access_organization_to_manage(request.user, pk)
    membership = permissions.access_membership(request.user, organization, membership_pk)
    if not permissions.can_change_role(request.user, membership):
        return _people_response(
            request,
            organization,
            status=403,
            notice=_("Only administrators change roles, and nobody changes their own."),
        )
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _people_response(request, organization, status=422, notice=_("Choose a valid role."))
    ok, notice = attempt(
        request,
        lambda: services.membership_change_role(
            actor=request.user, membership=membership, role=form.cleaned_data["role"]
        ),
        lambda changed: (
            _("%(name)s is now %(role)s.")
            % {"name": changed.user, "role": changed.get_role_display()}
        ),
    )
    return _people_response(request, organization, ok=ok, notice=notice)


@login_required
@require_http_methods(["GET", "POST"])
def membership_remove(request, pk: int, membership_pk: int):
    """GET asks first (a page that works without JavaScript); POST removes or leaves."""
    organization = permissions.access_organization(request.user, pk)
    membership = permissions.access_membership(request.user, organization, membership_pk)
    allowed = permissions.can_remove_membership(request.user, membership)
    leaving = membership.user_id == request.user.pk
    if request.method == "GET":
        return render(
            request,
            "alliance/membership_remove_confirm.html",
            {
                "organization": organization,
                "membership": membership,
                "leaving": leaving,
                "allowed": allowed,
            },
            status=200 if allowed else 403,
        )
    if not allowed:
        return _people_response(
            request,
            organization,
            status=403,
            notice=_("You may not remove this member."),
        )
    ok, notice = attempt(
        request,
        lambda: services.membership_remove(actor=request.user, membership=membership),
        lambda _done: (
            _("You left %(name)s.") % {"name": organization}
            if leaving
            else _("%(name)s was removed.") % {"name": membership.user}
        ),
    )
    if ok and leaving:
        response = redirect("alliance:my_organizations")
        if is_partial_request(request):
            # attempt() flashed nothing for htmx; the next page shows it, once.
            messages.success(request, notice)
            response["HX-Redirect"] = reverse("alliance:my_organizations")
        return response
    return _people_response(request, organization, ok=ok, notice=notice)


@login_required
@require_POST
def membership_manage_right(request, pk: int, membership_pk: int):
    organization = permissions.access_organization(request.user, pk)
    membership = permissions.access_membership(request.user, organization, membership_pk)
    if not permissions.can_set_manage_right(request.user, membership):
        return _people_response(
            request,
            organization,
            status=403,
            notice=_("Only administrators give this right, to someone else's member role."),
        )
    form = ManageRightForm(request.POST)
    form.is_valid()
    allowed = form.cleaned_data.get("allowed", False)
    ok, notice = attempt(
        request,
        lambda: services.membership_set_member_management(
            actor=request.user, membership=membership, allowed=allowed
        ),
        lambda _done: (
            (
                _("%(name)s may now invite and manage members.")
                if allowed
                else _("%(name)s may no longer invite and manage members.")
            )
            % {"name": membership.user}
        ),
    )
    return _people_response(request, organization, ok=ok, notice=notice)


# Invitation links -------------------------------------------------------------------------


def invitation(request, token: str):
    """The page an invitation e-mail links to: shows it, and accepts it on POST."""
    error = None
    try:
        invitation = services.invitation_peek(token=token)
    except services.InvitationError as exc:
        invitation, error = None, " ".join(exc.messages)
    if request.method == "POST" and invitation is not None:
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        try:
            membership = services.invitation_accept(user=request.user, token=token)
        except services.InvitationError as exc:
            error = " ".join(exc.messages)
        else:
            request.session[CURRENT_ORG_KEY] = membership.organization_id
            messages.success(request, _("Welcome to %(name)s.") % {"name": membership.organization})
            return redirect("alliance:organization", membership.organization_id)
    status = 400 if error else 200
    return render(
        request,
        "alliance/invitation.html",
        {"invitation": invitation if error is None else None, "error": error, "token": token},
        status=status,
    )

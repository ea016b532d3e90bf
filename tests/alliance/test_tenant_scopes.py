"""Tenant isolation's safety net (alliance/tenancy.py, docs/security.md).

Memberships and invitations are unreadable where no scope was declared (a task, a
command): a forgotten filter raises instead of leaking every organization's rows. A
request reads them in the asker's scope: their own organizations only, every
organization for someone acting as IOM staff, none when signed out. A global permission
or the superuser flag gives no delegated right over an organization.
"""

import contextvars
import datetime as dt

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import AnonymousUser, Permission
from django.http import JsonResponse
from django.test import override_settings
from django.urls import path, reverse
from django.utils import timezone
from django_scopes import ScopeError
from guardian.shortcuts import get_perms

from alliance import permissions, services
from alliance.models import Invitation, Membership, Organization
from alliance.retention import purge_invitations
from alliance.tenancy import tenant_scope
from gdpa.privacy.services import person_data
from tests import factories

pytestmark = pytest.mark.django_db


def forgot_the_filter(request):
    """A view whose author forgot to filter by organization."""
    return JsonResponse(
        {
            "memberships": sorted(
                set(Membership.objects.all().values_list("organization_id", flat=True))
            ),
            "invitations": sorted(Invitation.objects.values_list("organization_id", flat=True)),
        }
    )


urlpatterns = [path("forgot-the-filter/", forgot_the_filter)]
forgetful_site = override_settings(ROOT_URLCONF=__name__)


def as_a_worker(function, *args, **kwargs):
    """Run ``function`` as a Celery worker or a management command would: in a fresh
    context, where no request (and no test fixture) declared a tenant scope."""
    return contextvars.Context().run(function, *args, **kwargs)


@pytest.fixture
def two_tenants(staff, diaspora_org, other_org):
    """Two organizations, each with people and an open invitation."""
    for organization in (diaspora_org, other_org):
        factories.add_member(staff=staff, organization=organization)
        services.invitation_create(
            actor=staff,
            organization=organization,
            email=f"new{organization.pk}@example.org",
            role=Membership.Role.MEMBER,
        )
    return diaspora_org, other_org


def seen_by(client) -> dict:
    with forgetful_site:
        response = client.get("/forgot-the-filter/")
    assert response.status_code == 200
    return response.json()


def iom_organization():
    return Organization.objects.get(kind=Organization.Kind.IOM)


# Outside any scope: a forgotten filter raises ---------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        lambda: list(Membership.objects.all()),
        lambda: Membership.objects.filter(role=Membership.Role.ADMIN).count(),
        lambda: Invitation.objects.count(),
        lambda: list(Invitation.objects.values_list("email", flat=True)),
    ],
    ids=["memberships", "filtered-memberships", "invitation-count", "invitation-emails"],
)
def test_a_task_that_forgot_its_scope_raises_instead_of_reading_every_tenant(two_tenants, query):
    with pytest.raises(ScopeError):
        as_a_worker(query)


def test_related_managers_are_scoped_too(two_tenants):
    diaspora_org, _ = two_tenants
    with pytest.raises(ScopeError):
        as_a_worker(lambda: list(diaspora_org.memberships.all()))
    with pytest.raises(ScopeError):
        as_a_worker(lambda: diaspora_org.invitations.count())


def test_system_work_declares_every_tenant(two_tenants, staff):
    """Retention, a person's data and training eligibility run in workers and read (or
    delete) rows of every organization: each declares it, so none raises."""
    _diaspora_org, other_org = two_tenants
    old = timezone.now() - dt.timedelta(days=400)
    Invitation.objects.filter(organization=other_org).update(created_at=old, expires_at=old)
    assert as_a_worker(purge_invitations, timezone.now(), timezone.now()) == 1

    invited = factories.make_user(email="invited@example.org", full_name="Invited Person")
    services.invitation_create(
        actor=staff, organization=other_org, email=invited.email, role=Membership.Role.MEMBER
    )
    sections = {s["model"]: s["records"] for s in as_a_worker(person_data, invited)}
    assert [r["organization.name"] for r in sections["alliance.Invitation"]] == [other_org.name]


def test_the_invited_person_reads_their_invitation_from_an_organization_they_are_not_in(
    client, other_org, leader, staff
):
    """The signed link is the key: accepting works across the tenant boundary."""
    services.invitation_create(
        actor=staff, organization=other_org, email=leader.email, role=Membership.Role.MEMBER
    )
    invitation = Invitation.objects.get(organization=other_org, email=leader.email)
    client.force_login(leader)
    url = reverse("alliance:invitation", args=[services.invitation_token(invitation)])
    assert client.get(url).status_code == 200
    client.post(url)
    assert Membership.objects.filter(user=leader, organization=other_org).exists()


# A request: the asker's scope ------------------------------------------------------------


def test_a_member_sees_only_their_own_organizations_rows_through_a_forgotten_filter(
    client, two_tenants, leader
):
    diaspora_org, _other_org = two_tenants
    client.force_login(leader)
    seen = seen_by(client)
    assert seen == {"memberships": [diaspora_org.pk], "invitations": [diaspora_org.pk]}


def test_the_scope_the_middleware_builds_holds_the_persons_organizations_only(two_tenants, member):
    diaspora_org, other_org = two_tenants
    with tenant_scope(member):
        rows = list(Membership.objects.all())
        assert rows and {m.organization_id for m in rows} == {diaspora_org.pk}
        assert not other_org.memberships.exists()


def test_staff_with_two_factor_see_every_organization(client, two_tenants, staff):
    diaspora_org, other_org = two_tenants
    client.force_login(staff)
    seen = seen_by(client)
    assert seen["memberships"] == sorted([diaspora_org.pk, other_org.pk, iom_organization().pk])
    assert seen["invitations"] == sorted([diaspora_org.pk, other_org.pk])


def test_staff_without_two_factor_see_only_their_own_organization(
    client, two_tenants, staff_without_mfa
):
    client.force_login(staff_without_mfa)
    assert seen_by(client) == {"memberships": [iom_organization().pk], "invitations": []}


def test_staff_whose_session_skipped_the_second_factor_see_only_their_own_organization(
    two_tenants, staff, password_only_login
):
    client = password_only_login(staff)
    assert seen_by(client) == {"memberships": [iom_organization().pk], "invitations": []}


def test_someone_signed_out_sees_no_tenant_rows(client, two_tenants):
    assert seen_by(client) == {"memberships": [], "invitations": []}
    with tenant_scope(AnonymousUser()):
        assert Membership.objects.count() == 0


def test_the_admin_site_shows_every_organizations_memberships(client, two_tenants):
    diaspora_org, other_org = two_tenants
    operator = factories.make_user(full_name="Site Operator")
    operator.is_staff = operator.is_superuser = True
    operator.save()
    TOTP.activate(operator, generate_totp_secret())
    client.force_login(operator)
    page = client.get(reverse("admin:alliance_membership_changelist")).content.decode()
    assert diaspora_org.name in page
    assert other_org.name in page


# Global permissions and the superuser flag give no delegated right -----------------------


def test_a_global_manage_members_permission_grants_nothing_over_an_organization(
    two_tenants, member
):
    diaspora_org, other_org = two_tenants
    member.user_permissions.add(
        Permission.objects.get(codename="manage_members", content_type__app_label="alliance")
    )
    member = type(member).objects.get(pk=member.pk)  # no permission cache
    assert member.has_perm(permissions.MANAGE_MEMBERS)  # the global grant is there
    for organization in (diaspora_org, other_org):
        assert not member.has_perm(permissions.MANAGE_MEMBERS, organization)
        assert "manage_members" not in get_perms(member, organization)
        assert not permissions.holds_manage_grant(member, organization)
        assert not permissions.has_delegated_right(member, organization)
        assert not permissions.can_manage_members(member, organization)
        assert not permissions.can_invite(member, organization)


def test_the_superuser_flag_grants_no_delegated_right(client, two_tenants, member, leader):
    diaspora_org, _ = two_tenants
    member.is_superuser = True
    member.save()
    assert member.has_perm(permissions.MANAGE_MEMBERS, diaspora_org)  # Django's own answer
    assert not permissions.has_delegated_right(member, diaspora_org)
    assert not permissions.can_manage_members(member, diaspora_org)
    # Seen from the administrator, a superuser member is a plain member like any other.
    membership = Membership.objects.get(user=member, organization=diaspora_org)
    assert permissions.can_set_manage_right(leader, membership)
    client.force_login(member)
    response = client.post(
        reverse("alliance:invitation_send", args=[diaspora_org.pk]),
        {"email": "friend@example.org", "role": Membership.Role.MEMBER},
    )
    assert response.status_code == 403
    assert not Invitation.objects.filter(email="friend@example.org").exists()


def test_the_grant_on_the_organization_is_what_counts(two_tenants, member, leader):
    diaspora_org, other_org = two_tenants
    membership = Membership.objects.get(user=member, organization=diaspora_org)
    services.membership_set_member_management(actor=leader, membership=membership, allowed=True)
    assert permissions.has_delegated_right(member, diaspora_org)
    assert permissions.can_manage_members(member, diaspora_org)
    assert not permissions.has_delegated_right(member, other_org)
    assert not permissions.can_manage_members(member, other_org)

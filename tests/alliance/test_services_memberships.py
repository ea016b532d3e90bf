import pytest
from django.core.exceptions import ValidationError

from alliance import permissions, services
from alliance.models import Membership
from gdpa.accounts.roles import DIASPORA_LEADER, FOCAL_POINT, IOM_STAFF, roles_for
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_last_admin_cannot_be_demoted_or_removed(staff, diaspora_org, leader):
    membership = Membership.objects.get(user=leader, organization=diaspora_org)
    with pytest.raises(ValidationError, match="at least one administrator"):
        services.membership_change_role(actor=staff, membership=membership, role="member")
    with pytest.raises(ValidationError, match="at least one administrator"):
        services.membership_remove(actor=leader, membership=membership)
    membership.refresh_from_db()
    assert membership.role == Membership.Role.ADMIN


def test_with_a_second_admin_the_first_can_be_demoted_by_them(diaspora_org, leader, member):
    second = Membership.objects.get(user=member, organization=diaspora_org)
    services.membership_change_role(actor=leader, membership=second, role="admin")
    first = Membership.objects.get(user=leader, organization=diaspora_org)
    services.membership_change_role(actor=member, membership=first, role="member")
    assert Membership.objects.get(pk=first.pk).role == "member"


def test_nobody_changes_their_own_role(diaspora_org, leader, member):
    second = Membership.objects.get(user=member, organization=diaspora_org)
    services.membership_change_role(actor=leader, membership=second, role="admin")
    first = Membership.objects.get(user=leader, organization=diaspora_org)
    with pytest.raises(ValidationError, match="own role"):
        services.membership_change_role(actor=leader, membership=first, role="member")
    assert Membership.objects.get(pk=first.pk).role == "admin"


def test_member_management_right_is_a_guardian_grant(diaspora_org, leader, member):
    membership = Membership.objects.get(user=member, organization=diaspora_org)
    assert not permissions.can_manage_members(member, diaspora_org)
    services.membership_set_member_management(actor=leader, membership=membership, allowed=True)
    fresh = type(member).objects.get(pk=member.pk)
    assert permissions.can_manage_members(fresh, diaspora_org)
    services.membership_remove(actor=leader, membership=membership)
    again = type(member).objects.get(pk=member.pk)
    assert not again.has_perm(permissions.MANAGE_MEMBERS, diaspora_org)


def test_roles_follow_memberships(staff, leader, focal_point):
    assert IOM_STAFF in roles_for(type(staff).objects.get(pk=staff.pk))
    assert DIASPORA_LEADER in roles_for(type(leader).objects.get(pk=leader.pk))
    assert FOCAL_POINT in roles_for(type(focal_point).objects.get(pk=focal_point.pk))
    assert roles_for(factories.make_user()) == frozenset()

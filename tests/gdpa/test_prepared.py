"""Reads compiled once (gdpa/prepared.py): the memberships every signed-in request reads
are the queryset's own instances, read afresh from the database each time."""

import pytest

from alliance.models import Membership
from alliance.permissions import _memberships_query, forget_memberships, memberships_of
from gdpa.prepared import PreparedRead
from tests import factories

pytestmark = pytest.mark.django_db


def _fields(membership: Membership) -> tuple:
    organization = membership.organization
    return (
        membership.pk,
        membership.role,
        membership.created_at,
        organization.name,
        organization.status,
        organization.countries_of_origin,
        organization.member_state,
    )


def test_the_prepared_memberships_are_what_the_queryset_gives(staff, focal_point):
    leader = factories.make_user(full_name="Nadia Leader")
    factories.make_organization(admin=leader, name="Zeta Diaspora Forum", verified_by=staff)
    factories.make_organization(admin=leader, name="Alpha Diaspora Forum")
    for person in (leader, focal_point):
        forget_memberships(person)
        prepared = memberships_of(person)
        expected = list(_memberships_query(person.pk))
        assert [_fields(m) for m in prepared] == [_fields(m) for m in expected]
    # The datetime is aware and the JSON list decoded, as the ORM gives them.
    first = memberships_of(leader)[0]
    assert first.organization.name == "Alpha Diaspora Forum"
    assert first.created_at.tzinfo is not None and first.organization.countries_of_origin == ["FJ"]
    # The government organization's member state came with the same row.
    assert memberships_of(focal_point)[0].organization.member_state is not None


def test_each_read_asks_the_database_again(staff, django_assert_num_queries):
    leader = factories.make_user()
    organization = factories.make_organization(admin=leader, name="Before")
    assert [m.organization.name for m in memberships_of(leader)] == ["Before"]
    type(organization).objects.filter(pk=organization.pk).update(name="After")
    forget_memberships(leader)
    with django_assert_num_queries(1):
        assert [m.organization.name for m in memberships_of(leader)] == ["After"]
    Membership.objects.filter(user=leader).delete()
    forget_memberships(leader)
    assert memberships_of(leader) == []


def test_a_marker_that_is_not_in_the_sql_is_refused():
    read = PreparedRead("test.no_marker", lambda user_id: Membership.objects.filter(pk=1), -1)
    with pytest.raises(ValueError, match="is not in the SQL"):
        read.rows(5)


def test_the_first_read_in_a_tenant_scope_does_not_narrow_later_reads(staff):
    """The SQL is built once for everyone: built in one organization's scope, it must not
    keep that scope for the next person."""
    from django_scopes import scope

    first, second = factories.make_user(), factories.make_user()
    one = factories.make_organization(admin=first, name="First Forum")
    factories.make_organization(admin=second, name="Second Forum")
    read = PreparedRead("test.memberships", _memberships_query, -1)  # built below
    with scope(organization=[one]):
        assert [m.organization.name for m in read.rows(first.pk)] == ["First Forum"]
        assert [m.organization.name for m in read.rows(second.pk)] == ["Second Forum"]

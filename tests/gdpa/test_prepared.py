"""Reads and updates compiled once (gdpa/prepared.py): the memberships every signed-in
request reads are the queryset's own instances, read afresh from the database each time;
the outbox's claim still skips rows another worker holds."""

import threading

import pytest

from alliance.models import Membership, Organization
from alliance.permissions import _memberships_query, forget_memberships, memberships_of
from gdpa.prepared import PreparedRead, PreparedUpdate
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


# --- Updates compiled once ----------------------------------------------------------------


def _rename(pk, name):
    return Organization.objects.filter(pk=pk), {"name": name}


def test_a_prepared_update_changes_the_rows_the_queryset_would(staff):
    leader = factories.make_user()
    kept = factories.make_organization(admin=leader, name="Kept Forum")
    renamed = factories.make_organization(admin=leader, name="Old Name")
    update = PreparedUpdate("test.rename", _rename, -1, "marker-name")
    assert update.run(renamed.pk, "New Name") == 1
    assert update.run(renamed.pk + kept.pk + 1000, "Nobody") == 0
    names = dict(Organization.objects.values_list("pk", "name"))
    assert names[renamed.pk] == "New Name" and names[kept.pk] == "Kept Forum"


@pytest.mark.django_db(transaction=True)
def test_the_claim_skips_a_row_another_worker_holds_instead_of_waiting():
    """Two workers never claim the same e-mail, and one never waits for the other: the
    claim's compiled SQL keeps ``FOR UPDATE SKIP LOCKED``."""
    from django.db import connection, transaction

    from gdpa.notify import delivery
    from gdpa.notify.models import OutboundEmail

    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED is a PostgreSQL matter; CI runs this on PostgreSQL")
    email = factories.make_queued_email(to="held@example.org")
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        try:
            with transaction.atomic():
                OutboundEmail.objects.select_for_update().get(pk=email.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=other_worker)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        # Without SKIP LOCKED this would wait for the other worker, then claim the row.
        assert delivery._claim(OutboundEmail.objects.get(pk=email.pk)) is False
    finally:
        release.set()
        holder.join()
    assert OutboundEmail.objects.get(pk=email.pk).status == "queued"
    assert delivery._claim(OutboundEmail.objects.get(pk=email.pk)) is True

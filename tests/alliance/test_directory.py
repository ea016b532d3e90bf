"""The public alliance directory: who is shown (member states, verified organizations
that chose to be listed, never anyone's name or e-mail), its filters, and who chooses
whether an organization is listed."""

import pytest
from django.urls import reverse

from alliance.models import DiasporaCapital, Organization, Sector
from alliance.services import membership_set_member_management, organization_reject
from alliance.services.organizations import organization_set_listing
from gdpa.audit.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
URL = reverse("alliance:directory")


def listed(staff, *, name: str, country: str = "IE", kind: str = "diaspora", **profile):
    """A verified organization its admin chose to list, with the given sectors/capitals."""
    admin = factories.make_user(full_name=f"Admin of {name}")
    org = factories.make_organization(
        admin=admin, name=name, country=country, kind=kind, verified_by=staff
    )
    org.sectors.set(profile.get("sectors", []))
    org.capitals.set(profile.get("capitals", []))
    organization_set_listing(actor=admin, organization=org, listed=True)
    return org


def test_listed_verified_organizations_and_active_member_states_are_shown(client, staff):
    factories.make_member_state(actor=staff, country="FJ")
    health = Sector.objects.get(slug="health")
    org = listed(staff, name="Fiji Diaspora Network", sectors=[health])
    Organization.objects.filter(pk=org.pk).update(website="https://fdn.example.org")

    page = client.get(URL).content.decode()

    assert "Fiji Diaspora Network" in page
    assert "Fiji" in page and "Benefiting member state" in page
    assert health.name in page
    assert 'href="https://fdn.example.org" rel="noopener nofollow"' in page
    assert org.contact_email not in page
    assert "Admin of Fiji Diaspora Network" not in page


def test_unlisted_pending_rejected_and_suspended_organizations_are_never_shown(client, staff):
    listed(staff, name="Shown Network")
    factories.make_organization(
        admin=factories.make_user(), name="Unlisted Verified", verified_by=staff
    )
    pending_admin = factories.make_user()
    pending = factories.make_organization(admin=pending_admin, name="Pending Agreed")
    organization_set_listing(actor=pending_admin, organization=pending, listed=True)
    rejected_admin = factories.make_user()
    rejected = factories.make_organization(admin=rejected_admin, name="Rejected Agreed")
    organization_set_listing(actor=rejected_admin, organization=rejected, listed=True)
    organization_reject(actor=staff, organization=rejected, reason="Not a diaspora group")
    suspended = listed(staff, name="Suspended Agreed")
    Organization.objects.filter(pk=suspended.pk).update(status=Organization.Status.SUSPENDED)

    page = client.get(URL).content.decode()

    assert "Shown Network" in page
    for hidden in ["Unlisted Verified", "Pending Agreed", "Rejected Agreed", "Suspended Agreed"]:
        assert hidden not in page
    assert "1 organization" in page


def test_the_filters_narrow_the_list_with_and_without_htmx(client, staff):
    health = Sector.objects.get(slug="health")
    human = DiasporaCapital.objects.order_by("position").first()
    listed(staff, name="Health Diaspora", country="DE", sectors=[health], capitals=[human])
    listed(staff, name="Academy Partner", country="FR", kind="academia")

    by_sector = client.get(URL, {"sector": health.pk}).content.decode()
    assert "Health Diaspora" in by_sector and "Academy Partner" not in by_sector

    by_kind = client.get(URL, {"kind": "academia"}, **HTMX)
    assert by_kind.status_code == 200
    partial = by_kind.content.decode()
    assert "Academy Partner" in partial and "Health Diaspora" not in partial
    assert "<h1>" not in partial  # only the results region

    by_capital = client.get(URL, {"capital": human.pk}, **HTMX).content.decode()
    assert "Health Diaspora" in by_capital and "Academy Partner" not in by_capital

    # Based in France, or with diaspora from Fiji (every factory organization is).
    assert "Health Diaspora" not in client.get(URL, {"country": "FR"}).content.decode()
    from_fiji = client.get(URL, {"country": "FJ"}).content.decode()
    assert "Health Diaspora" in from_fiji and "Academy Partner" in from_fiji


def test_an_unknown_filter_is_explained_and_ignored(client, staff):
    listed(staff, name="Shown Network")
    response = client.get(URL, {"kind": "nonsense"}, **HTMX)
    page = response.content.decode()
    assert "Choose one of the options in the list" in page
    assert "Shown Network" in page


def test_the_directory_takes_a_fixed_number_of_queries(
    client, staff, django_assert_max_num_queries
):
    sectors = list(Sector.objects.all())
    capitals = list(DiasporaCapital.objects.all())
    for n in range(3):
        listed(staff, name=f"Early {n}", sectors=sectors, capitals=capitals)
    with django_assert_max_num_queries(8):
        few = client.get(URL)
    for n in range(27):
        listed(staff, name=f"Later {n}", country="DE", sectors=sectors, capitals=capitals)
    with django_assert_max_num_queries(8):
        many = client.get(URL)
    assert "Early 0" in few.content.decode() and "Later 0" in many.content.decode()


def test_an_admin_lists_the_organization_from_its_page_and_it_is_audited(
    client, leader, diaspora_org
):
    client.force_login(leader)
    page = client.get(reverse("alliance:organization", args=[diaspora_org.pk])).content.decode()
    assert "Show us in the public alliance directory" in page

    url = reverse("alliance:organization_listing", args=[diaspora_org.pk])
    response = client.post(url, {"listed": "on"}, **HTMX)

    assert response.status_code == 200
    assert "is shown in the public alliance directory" in response.content.decode()
    diaspora_org.refresh_from_db()
    assert diaspora_org.listed_publicly
    entry = AuditEntry.objects.get(action="organization.listing", target_id=str(diaspora_org.pk))
    assert entry.before == {"listed_publicly": False}
    assert entry.after == {"listed_publicly": True}
    assert "Fiji Diaspora Network" in client.get(URL).content.decode()

    assert client.post(url, {}).status_code == 302  # without JavaScript; unticked
    diaspora_org.refresh_from_db()
    assert not diaspora_org.listed_publicly


def test_acting_staff_may_change_the_listing(client, staff, diaspora_org):
    client.force_login(staff)
    url = reverse("alliance:organization_listing", args=[diaspora_org.pk])
    assert client.post(url, {"listed": "on"}).status_code == 302
    diaspora_org.refresh_from_db()
    assert diaspora_org.listed_publicly


def test_members_and_delegates_may_not_change_the_listing(client, staff, diaspora_org, member):
    delegate = factories.add_member(staff=staff, organization=diaspora_org)
    membership = delegate.memberships.get(organization=diaspora_org)
    membership_set_member_management(actor=staff, membership=membership, allowed=True)
    url = reverse("alliance:organization_listing", args=[diaspora_org.pk])
    for person in (member, delegate):
        client.force_login(person)
        page = client.get(reverse("alliance:organization", args=[diaspora_org.pk]))
        assert "Show us in the public alliance directory" not in page.content.decode()
        assert client.post(url, {"listed": "on"}).status_code == 404
    diaspora_org.refresh_from_db()
    assert not diaspora_org.listed_publicly
    assert not AuditEntry.objects.filter(action="organization.listing").exists()


def test_the_service_refuses_anyone_but_admins_and_staff(staff, diaspora_org, member):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        organization_set_listing(actor=member, organization=diaspora_org, listed=True)
    diaspora_org.refresh_from_db()
    assert not diaspora_org.listed_publicly


def test_a_pending_organization_may_agree_in_advance_and_appears_once_verified(client, staff):
    from alliance.services import organization_verify

    admin = factories.make_user()
    org = factories.make_organization(admin=admin, name="Waiting Collective")
    client.force_login(admin)
    response = client.post(
        reverse("alliance:organization_listing", args=[org.pk]), {"listed": "on"}, **HTMX
    )
    assert "once verified" in response.content.decode()
    client.logout()
    assert "Waiting Collective" not in client.get(URL).content.decode()
    organization_verify(actor=staff, organization=org)
    assert "Waiting Collective" in client.get(URL).content.decode()

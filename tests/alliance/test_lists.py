"""The long lists: staff organization directory, verification queue, member states and an
organization's members are paginated, keep their filters from page to page, and count
only what the page shows."""

import datetime
import itertools
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alliance import member_directory
from alliance.models import Membership, MemberState, Organization
from alliance.views import staff as staff_views
from gdpa.accounts.models import User

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


_minutes = itertools.count()


def bulk_organizations(n: int, *, prefix: str = "Bulk", **fields) -> list[Organization]:
    """``n`` organizations named ``<prefix> 000``…, each registered a minute after the
    previous one of any call (so the queue's oldest-first order is the creation order)."""
    start = timezone.now() - datetime.timedelta(days=7)
    registrant = User.objects.get_or_create(
        email="registrant@bulk.example.org", defaults={"full_name": "Registrant"}
    )[0]
    defaults = {"kind": Organization.Kind.DIASPORA, "country": "IE", "created_by": registrant}
    defaults.update(fields)
    created = Organization.objects.bulk_create(
        Organization(
            name=f"{prefix} {i:03d}", contact_email=f"{prefix.lower()}{i}@example.org", **defaults
        )
        for i in range(n)
    )
    for organization in created:
        Organization.objects.filter(pk=organization.pk).update(
            created_at=start + datetime.timedelta(minutes=next(_minutes))
        )
    return created


def bulk_members(organization: Organization, n: int, *, role=Membership.Role.MEMBER) -> None:
    """``n`` members named ``Person 000``… (e-mail ``personNNN@bulk.example.org``)."""
    users = User.objects.bulk_create(
        User(email=f"person{i:03d}@bulk.example.org", full_name=f"Person {i:03d}") for i in range(n)
    )
    Membership.objects.bulk_create(
        Membership(organization=organization, user=user, role=role) for user in users
    )


def people(body: str) -> str:
    """The organization page's "People" region."""
    start = body.index('id="people"')
    return body[start : body.index("</section>", start)]


def links(body: str) -> list[str]:
    return [href.replace("&amp;", "&") for href in re.findall(r'href="(\?[^"]*)"', body)]


# Staff organization directory ------------------------------------------------------------


def test_the_directory_reaches_organizations_past_the_first_two_hundred(client, staff):
    bulk_organizations(210)
    client.force_login(staff)
    url = reverse("alliance:staff_organizations")
    first = client.get(url).content.decode()
    assert "Bulk 000" in first
    assert "Bulk 050" not in first
    assert "Page 1 of 5" in first
    assert "?page=5" in links(first)  # a "Last" link
    last = client.get(url, {"page": 5}).content.decode()
    assert "Bulk 209" in last
    assert "Bulk 199" not in last


def test_directory_filters_combine_and_page_links_keep_them(client, staff, monkeypatch):
    monkeypatch.setattr(member_directory, "PER_PAGE", 2)
    bulk_organizations(5, prefix="Kenyan", country="KE")
    bulk_organizations(3, prefix="Irish", country="IE")
    bulk_organizations(2, prefix="Kenyan academy", country="KE", kind=Organization.Kind.ACADEMIA)
    bulk_organizations(2, prefix="Kenyan verified", country="KE", status="verified")
    client.force_login(staff)
    url = reverse("alliance:staff_organizations")
    query = {"country": "KE", "kind": "diaspora", "status": "pending", "q": "kenyan"}
    body = client.get(url, query).content.decode()
    assert "5 organizations" in body
    assert "Irish" not in body and "academy" not in body and "verified 0" not in body
    next_link = next(link for link in links(body) if "page=2" in link)
    for key, value in query.items():
        assert f"{key}={value}" in next_link
    last = client.get(url, {**query, "page": 3}).content.decode()
    assert "Kenyan 004" in last


def test_directory_searches_the_contact_address_and_offers_only_present_countries(client, staff):
    bulk_organizations(1, prefix="Alpha", country="KE")
    bulk_organizations(1, prefix="Beta", country="SN")
    client.force_login(staff)
    url = reverse("alliance:staff_organizations")
    body = client.get(url, {"q": "beta0@example"}).content.decode()
    assert "Beta 000" in body and "Alpha 000" not in body
    options = re.findall(r'<option value="([A-Z]{2})"', body)
    assert {"KE", "SN"} <= set(options)
    assert "FR" not in options


def test_an_unknown_country_is_explained_and_the_other_filters_still_apply(client, staff):
    bulk_organizations(1, prefix="Alpha", kind=Organization.Kind.ACADEMIA)
    bulk_organizations(1, prefix="Beta")
    client.force_login(staff)
    response = client.get(
        reverse("alliance:staff_organizations"), {"country": "ZZ", "kind": "academia"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Choose one of the countries in the list" in body
    assert "Alpha 000" in body and "Beta 000" not in body


def test_the_directory_counts_members_of_the_shown_rows_only(client, staff, monkeypatch):
    monkeypatch.setattr(member_directory, "PER_PAGE", 2)
    organizations = bulk_organizations(4)
    bulk_members(organizations[0], 3)
    client.force_login(staff)
    with CaptureQueriesContext(connection) as captured:
        body = client.get(reverse("alliance:staff_organizations")).content.decode()
    assert re.search(
        r"Bulk 000</a></th>\s*<td[^>]*>[^<]*</td><td[^>]*>[^<]*</td><td[^>]*>3</td>", body
    )
    counting = [q["sql"] for q in captured if 'COUNT("alliance_membership' in q["sql"]]
    assert counting, "members are counted"
    for sql in counting:
        assert " IN (" in sql, f"counts members of every organization: {sql}"
        assert str(organizations[3].pk) not in re.findall(r"IN \(([^)]*)\)", sql)[0].split(", ")


def test_the_directory_page_is_an_htmx_region_with_htmx_page_links(client, staff, monkeypatch):
    monkeypatch.setattr(member_directory, "PER_PAGE", 2)
    bulk_organizations(3)
    client.force_login(staff)
    response = client.get(reverse("alliance:staff_organizations"), {"page": 2}, **HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results"')
    assert "HX-Request" in response.headers["Vary"]
    assert 'hx-get="?page=1" hx-target="#results"' in body


# Verification queue ----------------------------------------------------------------------


def test_the_queue_pages_oldest_first_and_filters_by_kind_and_country(client, staff):
    bulk_organizations(30, prefix="Irish")
    bulk_organizations(3, prefix="Senegalese", country="SN")
    bulk_organizations(2, prefix="Senegalese academy", country="SN", kind="academia")
    client.force_login(staff)
    url = reverse("alliance:verification_queue")
    first = client.get(url).content.decode()
    assert "35 organizations wait for verification" in first
    assert first.index("Irish 000") < first.index("Irish 001")
    assert "Irish 025" not in first
    second = client.get(url, {"page": 2}).content.decode()
    assert "Irish 025" in second and "Senegalese academy 001" in second
    filtered = client.get(url, {"country": "SN", "kind": "diaspora"}).content.decode()
    assert "3 waiting organizations match these filters" in filtered
    assert "Irish" not in filtered and "Senegalese academy" not in filtered


def test_approving_from_a_filtered_page_keeps_the_page_and_filters(client, staff, monkeypatch):
    monkeypatch.setattr(staff_views, "QUEUE_PER_PAGE", 2)
    senegalese = bulk_organizations(5, prefix="Senegalese", country="SN")
    bulk_organizations(2, prefix="Irish")
    client.force_login(staff)
    queue = client.get(
        reverse("alliance:verification_queue"), {"country": "SN", "page": 2}
    ).content.decode()
    approve = reverse("alliance:verification_approve", args=[senegalese[2].pk])
    assert f'action="{approve}?country=SN&amp;page=2"' in queue

    response = client.post(f"{approve}?country=SN&page=2", **HTMX)
    body = response.content.decode()
    assert "Senegalese 002 is verified" in body
    assert "Senegalese 003" in body and "Senegalese 004" in body
    assert "Irish" not in body
    assert "Page 2 of 2" in body

    plain = client.post(
        f"{reverse('alliance:verification_approve', args=[senegalese[3].pk])}?country=SN&page=2"
    )
    assert plain.status_code == 302
    assert plain["Location"] == f"{reverse('alliance:verification_queue')}?country=SN&page=2"


def test_a_rejection_without_reason_keeps_the_filtered_page(client, staff, monkeypatch):
    monkeypatch.setattr(staff_views, "QUEUE_PER_PAGE", 2)
    pending = bulk_organizations(4, country="SN")
    client.force_login(staff)
    url = reverse("alliance:verification_reject", args=[pending[3].pk])
    response = client.post(f"{url}?country=SN&page=2", {"reason": ""}, **HTMX)
    assert response.status_code == 422
    body = response.content.decode()
    assert "Enter the reason for rejection" in body
    assert "Bulk 003" in body and "Bulk 000" not in body


# Member states ---------------------------------------------------------------------------


def test_member_states_are_paginated_and_found_by_country_name(client, staff, monkeypatch):
    monkeypatch.setattr(staff_views, "MEMBER_STATES_PER_PAGE", 2)
    for code in ("FJ", "KE", "SN", "IE"):
        MemberState.objects.create(country=code, joined_on="2023-06-01")
    client.force_login(staff)
    url = reverse("alliance:member_states")

    def rows(params=None):
        body = client.get(url, params or {}).content.decode()
        return body, re.findall(r'<th scope="row">([^<]+)', body)

    first, shown = rows()
    assert "4 member states" in first
    assert shown == ["Fiji", "Ireland"]  # by country code: FJ, IE, KE, SN
    _, shown = rows({"page": 2})
    assert shown == ["Kenya", "Senegal"]
    found, shown = rows({"q": "SENE"})
    assert shown == ["Senegal"]
    assert "1 member state" in found


# An organization's members ---------------------------------------------------------------


def test_a_large_organization_pages_its_members_by_name(client, staff, diaspora_org, leader):
    bulk_members(diaspora_org, 60)
    client.force_login(leader)
    url = reverse("alliance:organization", args=[diaspora_org.pk])
    first = people(client.get(url).content.decode())
    assert "61 members" in first
    # By name: "Diaspora Leader" first, then Person 000 to 048 fill the 50 rows.
    assert "Diaspora Leader" in first and "Person 048" in first
    assert "Person 049" not in first
    second = people(client.get(url, {"page": 2}).content.decode())
    assert "Person 049" in second and "Person 059" in second
    assert "Person 000" not in second and "Diaspora Leader" not in second
    # The page's rows carry what the viewer may do to them.
    assert second.count(">Remove<span") == 11


def test_admins_are_always_findable_with_the_role_filter(client, diaspora_org, member):
    bulk_members(diaspora_org, 60)
    client.force_login(member)
    url = reverse("alliance:organization", args=[diaspora_org.pk])
    admins = people(client.get(url, {"role": "admin"}).content.decode())
    assert "Diaspora Leader" in admins
    assert "Person 000" not in admins
    assert "1 member matches" in admins


def test_only_managers_search_members_by_name_or_e_mail(client, diaspora_org, leader, member):
    bulk_members(diaspora_org, 60)
    url = reverse("alliance:organization", args=[diaspora_org.pk])
    client.force_login(leader)
    found = client.get(url, {"q": "person059@bulk"}).content.decode()
    assert "Person 059" in found and "Person 000" not in found
    by_name = client.get(url, {"q": "person 05"}).content.decode()
    assert "10 members match" in by_name
    client.force_login(member)
    plain = client.get(url, {"q": "person059@bulk"}).content.decode()
    assert 'name="q"' not in plain
    assert "Person 000" in plain  # a member cannot probe addresses


def test_member_page_links_swap_the_people_region(client, diaspora_org, leader):
    bulk_members(diaspora_org, 60)
    client.force_login(leader)
    url = reverse("alliance:organization", args=[diaspora_org.pk])
    response = client.get(url, {"role": "member", "page": 2}, **HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith('<section class="card" id="people"')
    assert "HX-Request" in response.headers["Vary"]
    assert 'hx-get="?role=member&amp;page=1" hx-target="#people"' in body


def test_an_action_on_page_two_comes_back_on_page_two(client, diaspora_org, leader):
    bulk_members(diaspora_org, 60)
    client.force_login(leader)
    page_url = reverse("alliance:organization", args=[diaspora_org.pk])
    target = Membership.objects.get(organization=diaspora_org, user__full_name="Person 055")
    response = client.post(
        reverse("alliance:membership_role", args=[diaspora_org.pk, target.pk]),
        {"role": "focal_point"},
        HTTP_HX_CURRENT_URL=f"http://testserver{page_url}?page=2",
        **HTMX,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Person 055 is now Focal point" in body
    assert "Person 059" in body and "Person 000" not in body
    assert 'href="?page=1"' in body

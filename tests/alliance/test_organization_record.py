"""The staff page of an organization: profile, status history, members and their rights,
open invitations, sessions, endorsements and supports, trainings of its people and the
audit trail."""

import pytest
from django.urls import reverse

from alliance import services
from alliance.models import Membership, Organization
from gdpa.portal.registry import organization_sections
from tests import factories
from tests import records_support as build
from trainings import services as training_services

pytestmark = pytest.mark.django_db


def record_of(client, staff, organization, **query) -> str:
    client.force_login(staff)
    response = client.get(reverse("alliance:staff_organization", args=[organization.pk]), query)
    assert response.status_code == 200
    return response.content.decode()


def part(page: str, key: str) -> str:
    start = page.index(f'id="record-{key}"')
    end = page.find('<section class="card"', start)
    return page[start : end if end != -1 else None]


def test_profile_and_a_rejection_with_its_reason(client, staff):
    founder = factories.make_user(full_name="Pending Founder")
    organization = factories.make_organization(admin=founder, name="Pending Collective")
    services.organization_reject(
        actor=staff, organization=organization, reason="Not a diaspora body"
    )
    page = record_of(client, staff, organization)
    profile = part(page, "profile")
    assert "Pending Collective" in page and "Ireland" in profile and founder.email in profile
    history = part(page, "status")
    assert 'data-action="organization.register"' in history
    assert 'data-action="organization.reject"' in history
    assert "Not a diaspora body" in history
    assert "Rejected" in history  # the status label, not its code


def test_verification_is_in_the_status_history(client, staff, diaspora_org):
    history = part(record_of(client, staff, diaspora_org), "status")
    assert 'data-action="organization.verify"' in history and "Verified" in history


def test_members_with_roles_and_delegated_rights_and_open_invitations(
    client, staff, diaspora_org, leader, member
):
    delegate = factories.add_member(
        staff=staff, organization=diaspora_org, user=factories.make_user(full_name="Dana Delegate")
    )
    services.membership_set_member_management(
        actor=leader,
        membership=Membership.objects.get(user=delegate, organization=diaspora_org),
        allowed=True,
    )
    services.invitation_create(
        actor=leader, organization=diaspora_org, email="invited@example.org", role="member"
    )
    revoked = services.invitation_create(
        actor=leader, organization=diaspora_org, email="revoked@example.org", role="member"
    )
    services.invitation_revoke(actor=leader, invitation=revoked)

    page = record_of(client, staff, diaspora_org)
    members = part(page, "members")
    assert "Diaspora Leader" in members and "Administrator" in members
    assert "Dana Delegate" in members and "yes, delegated" in members
    assert reverse("portal:staff_person", args=[member.pk]) in members
    invitations = part(page, "invitations")
    assert "invited@example.org" in invitations and "revoked@example.org" not in invitations


def test_sessions_count_only_its_own_people(client, staff, diaspora_org, member, outsider):
    build.session_with(
        staff, [member, outsider], attended=[member, outsider], title="Health working group"
    )
    build.session_with(staff, [outsider], title="Not ours")
    sessions = part(record_of(client, staff, diaspora_org), "sessions")
    assert "Health working group" in sessions and "Not ours" not in sessions
    assert '"Its people invited">1<' in sessions
    assert '"Its people who attended">1<' in sessions


def test_endorsements_of_a_government_and_supports_of_an_organization(
    client, staff, government, focal_point, diaspora_org, leader
):
    recommendation = build.open_recommendation(staff, "Portable pensions")
    build.endorse(focal_point, recommendation, government.member_state)
    endorsements = part(record_of(client, staff, government), "endorsements")
    assert "Portable pensions" in endorsements and focal_point.full_name in endorsements

    build.support(leader, recommendation, diaspora_org)
    supports = part(record_of(client, staff, diaspora_org), "endorsements")
    assert "Recommendations it supports" in supports and "Portable pensions" in supports


def test_trainings_of_its_people(client, staff, government, focal_point):
    offering = build.offering(staff, title="Engaging your diaspora")
    enrollment = training_services.enrollment_create(user=focal_point, offering=offering)
    build.complete_with_certificate(staff, offering, [enrollment])
    other = build.offering(staff, title="Diaspora data")
    training_services.enrollment_create(
        user=factories.add_member(staff=staff, organization=government), offering=other
    )
    trainings = part(record_of(client, staff, government), "trainings")
    assert "People who enrolled</dt><dd>2" in trainings
    assert "Completed</dt><dd>1" in trainings
    assert "Certificates in force</dt><dd>1" in trainings
    assert "Engaging your diaspora" in trainings and "Diaspora data" in trainings


def test_audit_trail_shows_changes_to_the_organization_and_its_memberships(
    client, staff, diaspora_org, member
):
    services.membership_change_role(
        actor=staff,
        membership=Membership.objects.get(user=member, organization=diaspora_org),
        role=Membership.Role.ADMIN,
    )
    services.invitation_create(
        actor=staff, organization=diaspora_org, email="invited@example.org", role="member"
    )
    page = record_of(client, staff, diaspora_org)
    trail = page[page.index('id="audit-trail"') :]
    for action in (
        "organization.register",
        "organization.verify",
        "membership.add",
        "membership.change_role",
        "invitation.create",
    ):
        assert f'data-action="{action}"' in trail, action
    assert "Administrator" in trail


def test_the_record_is_linked_from_the_staff_pages(client, staff, diaspora_org, leader):
    url = reverse("alliance:staff_organization", args=[diaspora_org.pk])
    client.force_login(staff)
    assert url in client.get(reverse("alliance:staff_organizations")).content.decode()
    assert (
        url in client.get(reverse("alliance:organization", args=[diaspora_org.pk])).content.decode()
    )
    client.force_login(leader)
    assert (
        url
        not in client.get(reverse("alliance:organization", args=[diaspora_org.pk])).content.decode()
    )


def test_only_acting_staff_see_the_record(client, staff, staff_without_mfa, diaspora_org, leader):
    url = reverse("alliance:staff_organization", args=[diaspora_org.pk])
    client.force_login(leader)
    assert client.get(url).status_code == 404  # even their own organization's
    client.force_login(staff_without_mfa)
    assert client.get(url).status_code == 302
    client.force_login(staff)
    missing = reverse("alliance:staff_organization", args=[10**9])
    assert client.get(missing).status_code == 404


def busy_organization(staff, n: int) -> Organization:
    """A government with ``n`` members, invitations, sessions, endorsements, supports
    and enrollments."""
    government = factories.make_government(staff=staff, country="FJ")
    people = [
        factories.add_member(staff=staff, organization=government, role=Membership.Role.FOCAL_POINT)
        for _ in range(n)
    ]
    for i in range(n):
        services.invitation_create(
            actor=staff, organization=government, email=f"guest{i}@example.org", role="member"
        )
        build.session_with(staff, people[:1], attended=people[:1])
        recommendation = build.open_recommendation(staff)
        build.endorse(people[0], recommendation, government.member_state)
        offering = build.offering(staff)
        training_services.enrollment_create(user=people[i], offering=offering)
    return government


@pytest.mark.parametrize("n", [1, 20])
def test_the_record_runs_a_fixed_number_of_queries(client, staff, n, django_assert_max_num_queries):
    organization = busy_organization(staff, n)
    client.force_login(staff)
    url = reverse("alliance:staff_organization", args=[organization.pk])
    client.get(url)  # warm the content-type cache
    with django_assert_max_num_queries(25):
        response = client.get(url)
    assert response.status_code == 200
    if n == 20:
        assert "And 10 more, not shown." in response.content.decode()
    for section in organization_sections():
        section.context(organization)
        with django_assert_max_num_queries(3):
            section.context(organization)

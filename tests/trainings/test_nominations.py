"""Nominations: leaders nominate members of their organization, focal points officials
of their member state; refusals show on the person field and change nothing (issue 8)."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from alliance import services as alliance_services
from alliance.models import Membership, Organization
from gdpa.audit.models import AuditEntry
from gdpa.notify.models import OutboundEmail
from tests import factories
from trainings import services
from trainings.models import Enrollment

pytestmark = pytest.mark.django_db


def nominate(client, offering, person, organization, **headers):
    return client.post(
        reverse("trainings:nominate", args=[offering.pk]),
        {"organization": organization.pk, "person": person.pk},
        headers=headers,
    )


def offered(client, offering, organization=None) -> list[str]:
    """The people the nominate page offers (the person select's options)."""
    query = {"organization": organization.pk} if organization else {}
    body = client.get(reverse("trainings:nominate", args=[offering.pk]), query).content.decode()
    select = re.search(r'<select name="person".*?</select>', body, re.S).group(0)
    return re.findall(r'<option value="\d+">([^<]+)</option>', select)


def test_a_leader_nominates_a_member_of_their_organization(
    client,
    leader,
    member,
    diaspora_org,
    diaspora_offering,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    offering = diaspora_offering()
    client.force_login(leader)
    page = client.get(reverse("trainings:offering", args=[offering.pk])).content.decode()
    assert "Nominate members" in page
    assert any(member.email in option for option in offered(client, offering))
    with django_capture_on_commit_callbacks(execute=True):
        response = nominate(client, offering, member, diaspora_org)
    assert response.status_code == 302
    enrollment = Enrollment.objects.get(user=member)
    assert enrollment.status == Enrollment.Status.ENROLLED
    assert enrollment.nominated_by == leader
    entry = AuditEntry.objects.get(action="enrollment.nominate")
    assert entry.actor == leader and entry.target_id == str(enrollment.pk)
    assert OutboundEmail.objects.get(kind="training_nominated").to_email == member.email
    (mail,) = mailoutbox
    assert mail.to == [member.email]
    assert "Diaspora Leader (Fiji Diaspora Network) nominated you" in mail.body
    assert "You are enrolled" in mail.body and "withdraw" in mail.body
    # The nominator sees the person and their status, on the offering page and here.
    page = client.get(reverse("trainings:offering", args=[offering.pk])).content.decode()
    assert member.full_name in page and "badge--verified" in page
    assert not any(member.email in option for option in offered(client, offering))


def test_a_delegate_nominates_too_but_a_plain_member_may_not(
    client, staff, leader, member, diaspora_org, diaspora_offering
):
    delegate = factories.add_member(staff=staff, organization=diaspora_org)
    alliance_services.membership_set_member_management(
        actor=leader,
        membership=Membership.objects.get(user=delegate, organization=diaspora_org),
        allowed=True,
    )
    offering = diaspora_offering()
    client.force_login(member)
    assert client.get(reverse("trainings:nominate", args=[offering.pk])).status_code == 404
    assert "Nominate members" not in (
        client.get(reverse("trainings:offering", args=[offering.pk])).content.decode()
    )
    client.force_login(delegate)
    assert nominate(client, offering, member, diaspora_org).status_code == 302
    assert Enrollment.objects.get(user=member).nominated_by == delegate


def test_a_focal_point_nominates_officials_of_their_member_state(
    client, staff, focal_point, government, make_offering
):
    ministry = factories.make_government(staff=staff, country="FJ", name="Fiji Ministry")
    official = factories.add_member(staff=staff, organization=ministry)
    abroad = factories.make_government(staff=staff, country="PE", name="Peru Ministry")
    foreign_official = factories.add_member(staff=staff, organization=abroad)
    offering = make_offering()
    client.force_login(focal_point)
    assert not any(foreign_official.email in o for o in offered(client, offering, ministry))
    assert any(official.email in o for o in offered(client, offering, ministry))
    # Another state's government is not theirs to choose: 404, nothing changes.
    assert nominate(client, offering, foreign_official, abroad).status_code == 404
    assert nominate(client, offering, official, ministry).status_code == 302
    enrollment = Enrollment.objects.get(user=official)
    assert enrollment.nominated_by == focal_point
    assert enrollment.status == Enrollment.Status.ENROLLED
    assert not Enrollment.objects.filter(user=foreign_official).exists()


def test_a_person_outside_the_organization_is_a_field_error(
    client, leader, diaspora_org, outsider, diaspora_offering
):
    offering = diaspora_offering()
    client.force_login(leader)
    response = nominate(client, offering, outsider, diaspora_org)
    body = response.content.decode()
    assert response.status_code == 422
    assert "The person you chose is not a member of your organization" in body
    assert 'id="id_person_error"' in body and 'href="#id_person"' in body
    assert not Enrollment.objects.exists()
    assert not OutboundEmail.objects.filter(kind="training_nominated").exists()


def test_nominating_someone_already_enrolled_is_refused(
    client, leader, member, diaspora_org, diaspora_offering
):
    offering = diaspora_offering()
    services.enrollment_create(user=member, offering=offering)
    client.force_login(leader)
    response = nominate(client, offering, member, diaspora_org)
    assert response.status_code == 422
    assert f"{member.full_name} is already enrolled" in response.content.decode()
    assert Enrollment.objects.get(user=member).nominated_by is None


def test_nominating_after_the_window_is_refused(
    client, leader, member, diaspora_org, diaspora_offering
):
    offering = diaspora_offering()
    with time_machine.travel(offering.enrollment_closes_at + datetime.timedelta(minutes=1)):
        client.force_login(leader)
        page = client.get(reverse("trainings:nominate", args=[offering.pk])).content.decode()
        assert "Enrollment for this offering closed on" in page
        response = nominate(client, offering, member, diaspora_org)
    assert response.status_code == 422
    assert re.search(r'id="id_person_error".*closed on', response.content.decode(), re.S)
    assert not Enrollment.objects.exists()


def test_an_ineligible_member_is_not_offered_and_refused_if_forged(
    client, leader, member, diaspora_org, diaspora_offering
):
    offering = diaspora_offering(eligible_org_kinds=[Organization.Kind.ACADEMIA])
    client.force_login(leader)
    assert offered(client, offering) == []
    response = nominate(client, offering, member, diaspora_org)
    body = response.content.decode()
    assert response.status_code == 422
    assert f"{member.full_name} cannot take this offering" in body and "academia" in body
    assert not Enrollment.objects.exists()


def test_an_htmx_refusal_answers_422_with_the_message_in_the_region(
    client, leader, outsider, diaspora_org, diaspora_offering
):
    offering = diaspora_offering()
    client.force_login(leader)
    response = nominate(client, offering, outsider, diaspora_org, **{"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 422 and "<h1>" not in body
    assert body.lstrip().startswith('<div id="nomination"')
    assert "not a member of your organization" in body and "error-summary" in body


def test_an_htmx_nomination_swaps_the_region_with_the_result(
    client, leader, member, diaspora_org, diaspora_offering
):
    offering = diaspora_offering(needs_approval=True)
    client.force_login(leader)
    response = nominate(client, offering, member, diaspora_org, **{"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and "<h1>" not in body
    assert "IOM staff will approve or decline it" in body and "badge--pending" in body
    assert Enrollment.objects.get(user=member).status == Enrollment.Status.PENDING


def test_a_leader_of_several_organizations_chooses_one(
    client, staff, leader, member, diaspora_org, diaspora_offering
):
    second = factories.make_organization(admin=leader, name="Second Network", verified_by=staff)
    other_member = factories.add_member(staff=staff, organization=second)
    offering = diaspora_offering()
    client.force_login(leader)
    page = client.get(reverse("trainings:nominate", args=[offering.pk])).content.decode()
    assert 'name="organization"' in page and "Show its members" in page
    assert [o for o in offered(client, offering, second) if other_member.email in o]
    assert not [o for o in offered(client, offering, second) if member.email in o]
    response = nominate(client, offering, member, second)
    assert response.status_code == 422 and "not a member of your organization" in (
        response.content.decode()
    )


def test_the_nominator_withdraws_their_nominee(
    client, staff, leader, member, diaspora_org, diaspora_offering,
    django_capture_on_commit_callbacks, mailoutbox,
):  # fmt: skip
    offering = diaspora_offering()
    enrollment = services.nomination_create(
        nominator=leader, offering=offering, organization=diaspora_org, person_pk=member.pk
    )
    url = reverse("trainings:nominee_withdraw", args=[offering.pk, enrollment.pk])
    other = factories.add_member(staff=staff, organization=diaspora_org)
    client.force_login(other)
    assert client.get(url).status_code == 404, "only the nominator"
    client.force_login(leader)
    confirm = client.get(url).content.decode()
    assert f"Withdraw {member.full_name} from the offering" in confirm
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.WITHDRAWN
    assert OutboundEmail.objects.filter(kind="training_nomination_withdrawn").exists()
    (mail,) = [m for m in mailoutbox if "withdrawn" in m.subject]
    assert mail.to == [member.email] and "Diaspora Leader, who nominated you" in mail.body
    assert client.get(url).status_code == 404, "nothing left to withdraw"


@pytest.mark.parametrize("members", [2, 10])
def test_the_nominate_page_runs_a_fixed_number_of_queries(
    client, staff, leader, diaspora_org, diaspora_offering, members,
    django_assert_max_num_queries,
):  # fmt: skip
    offering = diaspora_offering()
    people = [factories.add_member(staff=staff, organization=diaspora_org) for _ in range(members)]
    for person in people[:2]:
        services.nomination_create(
            nominator=leader, offering=offering, organization=diaspora_org, person_pk=person.pk
        )
    client.force_login(leader)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("trainings:nominate", args=[offering.pk]))
    assert response.status_code == 200

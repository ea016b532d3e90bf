"""Who holds which power: staff only with two-factor passed in this session; a delegated
right never reaches past the role that granted it; pending organizations cannot invite."""

from pathlib import Path

import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse

from alliance import permissions, services
from alliance.models import AllianceSession, Invitation, Membership
from gdpa.accounts.permissions import acting_as_staff, session_passed_second_factor
from tests import factories

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _membership(user, organization) -> Membership:
    return Membership.objects.get(user=user, organization=organization)


# Staff authority ---------------------------------------------------------------------


def test_staff_without_two_factor_cannot_invite_an_admin_into_any_organization(
    client, staff_without_mfa, diaspora_org
):
    client.force_login(staff_without_mfa)
    response = client.post(
        reverse("alliance:invitation_send", args=[diaspora_org.pk]),
        {"email": "takeover@example.org", "role": "admin"},
    )
    assert response.status_code == 404
    assert not Invitation.objects.filter(email="takeover@example.org").exists()


def test_staff_without_two_factor_cannot_manage_sessions(client, staff_without_mfa, scheduled):
    client.force_login(staff_without_mfa)
    response = client.post(reverse("alliance:session_cancel", args=[scheduled.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    scheduled.refresh_from_db()
    assert scheduled.status == AllianceSession.Status.SCHEDULED


def test_staff_whose_session_skipped_the_second_factor_are_asked_for_it(
    password_only_login, staff, diaspora_org, scheduled
):
    client = password_only_login(staff)
    page = client.get(reverse("alliance:verification_queue"))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("mfa_reauthenticate"))
    response = client.post(
        reverse("alliance:invitation_send", args=[diaspora_org.pk]),
        {"email": "takeover@example.org", "role": "admin"},
    )
    assert response.status_code == 404
    assert not Invitation.objects.filter(email="takeover@example.org").exists()


def test_staff_who_passed_the_second_factor_act_as_staff(client, staff, diaspora_org):
    client.force_login(staff)
    response = client.post(
        reverse("alliance:invitation_send", args=[diaspora_org.pk]),
        {"email": "new.admin@example.org", "role": "admin"},
    )
    assert response.status_code == 302
    assert Invitation.objects.filter(email="new.admin@example.org", role="admin").exists()


def test_turning_on_totp_counts_as_passing_the_second_factor(staff_without_mfa):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.signals import authenticator_added
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.sessions.backends.db import SessionStore

    request = RequestFactory().get("/")
    request.session = SessionStore()
    request.user = staff_without_mfa
    assert not session_passed_second_factor(request)
    totp = TOTP.activate(staff_without_mfa, generate_totp_secret()).instance
    authenticator_added.send(
        sender=Authenticator, request=request, user=staff_without_mfa, authenticator=totp
    )
    assert session_passed_second_factor(request)


def test_admin_site_needs_django_admin_rights_and_the_second_factor(client, password_only_login):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    admin = factories.make_user(full_name="Site Admin")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    password_only_login(admin)
    assert client.get(reverse("admin:index")).status_code == 302
    TOTP.activate(admin, generate_totp_secret())
    client.force_login(admin)
    assert client.get(reverse("admin:index")).status_code == 200


def test_admin_login_is_allauths(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_only_the_kernel_decides_staff_power_from_the_role():
    """``is_iom_staff`` (the role alone) is read only by the kernel's predicate."""
    offenders = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in {".venv", "tests", "bench"} or rel.parts[:2] == ("gdpa", "accounts"):
            continue
        if "is_iom_staff" in path.read_text():
            offenders.append(str(rel))
    assert offenders == []


def test_a_role_alone_does_not_act_as_staff(staff_without_mfa):
    fresh = type(staff_without_mfa).objects.get(pk=staff_without_mfa.pk)
    assert not acting_as_staff(fresh)


# Delegated rights --------------------------------------------------------------------


@pytest.fixture
def delegate(staff, diaspora_org, leader):
    user = factories.add_member(staff=staff, organization=diaspora_org)
    services.membership_set_member_management(
        actor=leader, membership=_membership(user, diaspora_org), allowed=True
    )
    return type(user).objects.get(pk=user.pk)


def test_a_delegate_cannot_make_themselves_admin(client, delegate, diaspora_org):
    client.force_login(delegate)
    own = _membership(delegate, diaspora_org)
    response = client.post(
        reverse("alliance:membership_role", args=[diaspora_org.pk, own.pk]), {"role": "admin"}
    )
    assert response.status_code == 403
    assert _membership(delegate, diaspora_org).role == Membership.Role.MEMBER


def test_a_delegate_cannot_remove_the_founder(client, delegate, diaspora_org, leader):
    client.force_login(delegate)
    founder = _membership(leader, diaspora_org)
    response = client.post(
        reverse("alliance:membership_remove", args=[diaspora_org.pk, founder.pk])
    )
    assert response.status_code == 403
    assert Membership.objects.filter(pk=founder.pk).exists()


def test_a_delegate_cannot_invite_an_admin_but_can_invite_a_member(client, delegate, diaspora_org):
    client.force_login(delegate)
    url = reverse("alliance:invitation_send", args=[diaspora_org.pk])
    refused = client.post(url, {"email": "boss@example.org", "role": "admin"})
    assert refused.status_code == 422
    assert not Invitation.objects.filter(email="boss@example.org").exists()
    accepted = client.post(url, {"email": "friend@example.org", "role": "member"})
    assert accepted.status_code == 302
    assert Invitation.objects.filter(email="friend@example.org", role="member").exists()


def test_a_delegate_removes_plain_members_only(client, staff, delegate, diaspora_org, member):
    other_delegate = factories.add_member(staff=staff, organization=diaspora_org)
    services.membership_set_member_management(
        actor=staff, membership=_membership(other_delegate, diaspora_org), allowed=True
    )
    client.force_login(delegate)
    plain = _membership(member, diaspora_org)
    other = _membership(other_delegate, diaspora_org)
    url = "alliance:membership_remove"
    assert client.post(reverse(url, args=[diaspora_org.pk, other.pk])).status_code == 403
    assert client.post(reverse(url, args=[diaspora_org.pk, plain.pk])).status_code == 302
    assert not Membership.objects.filter(pk=plain.pk).exists()
    assert Membership.objects.filter(pk=other.pk).exists()


def test_a_delegate_cannot_pass_the_right_on(client, delegate, diaspora_org, member):
    client.force_login(delegate)
    target = _membership(member, diaspora_org)
    response = client.post(
        reverse("alliance:membership_manage_right", args=[diaspora_org.pk, target.pk]),
        {"allowed": "on"},
    )
    assert response.status_code == 403
    assert (
        not type(member)
        .objects.get(pk=member.pk)
        .has_perm(permissions.MANAGE_MEMBERS, diaspora_org)
    )


def test_an_admin_cannot_change_their_own_role(client, diaspora_org, leader, member):
    services.membership_change_role(
        actor=leader, membership=_membership(member, diaspora_org), role="admin"
    )
    client.force_login(leader)
    own = _membership(leader, diaspora_org)
    response = client.post(
        reverse("alliance:membership_role", args=[diaspora_org.pk, own.pk]), {"role": "member"}
    )
    assert response.status_code == 403
    assert _membership(leader, diaspora_org).role == Membership.Role.ADMIN


def test_the_member_page_offers_a_delegate_only_what_they_may_do(
    client, delegate, diaspora_org, leader, member
):
    client.force_login(delegate)
    page = client.get(reverse("alliance:organization", args=[diaspora_org.pk]))
    body = page.content.decode()
    founder = _membership(leader, diaspora_org)
    plain = _membership(member, diaspora_org)
    assert reverse("alliance:membership_remove", args=[diaspora_org.pk, plain.pk]) in body
    assert reverse("alliance:membership_remove", args=[diaspora_org.pk, founder.pk]) not in body
    assert reverse("alliance:membership_role", args=[diaspora_org.pk, founder.pk]) not in body
    assert [c[0] for c in page.context["invite_form"].fields["role"].choices] == ["member"]


# Pending organizations and rate limits -------------------------------------------------


def test_a_pending_organization_cannot_send_invitations(client):
    founder = factories.make_user()
    pending = factories.make_organization(admin=founder, name="Unverified Collective")
    client.force_login(founder)
    response = client.post(
        reverse("alliance:invitation_send", args=[pending.pk]),
        {"email": "anyone@example.org", "role": "member"},
    )
    assert response.status_code == 422
    assert not Invitation.objects.filter(organization=pending).exists()
    page = client.get(reverse("alliance:organization", args=[pending.pk]))
    assert "once IOM staff have verified" in page.content.decode()


@override_settings(INVITATION_LIMIT_PER_ORGANIZATION=(2, 24))
def test_invitations_are_limited_per_organization(diaspora_org, leader):
    from django.core.exceptions import ValidationError

    for n in range(2):
        services.invitation_create(
            actor=leader, organization=diaspora_org, email=f"p{n}@example.org", role="member"
        )
    with pytest.raises(ValidationError, match="2 invitations in the last 24 hours"):
        services.invitation_create(
            actor=leader, organization=diaspora_org, email="p3@example.org", role="member"
        )
    assert Invitation.objects.filter(organization=diaspora_org).count() == 2


@override_settings(INVITATION_LIMIT_PER_PERSON=(1, 1))
def test_invitations_are_limited_per_person_with_a_clear_message(client, diaspora_org, leader):
    client.force_login(leader)
    url = reverse("alliance:invitation_send", args=[diaspora_org.pk])
    assert client.post(url, {"email": "a@example.org", "role": "member"}).status_code == 302
    response = client.post(url, {"email": "b@example.org", "role": "member"})
    assert response.status_code == 422
    assert "You have sent 1 invitation in the last 1 hours" in response.content.decode()


def test_staff_are_not_limited(staff, diaspora_org, settings):
    settings.INVITATION_LIMIT_PER_PERSON = (1, 1)
    for n in range(3):
        services.invitation_create(
            actor=staff, organization=diaspora_org, email=f"s{n}@example.org", role="member"
        )
    assert Invitation.objects.filter(invited_by=staff).count() == 3


# Accepting -----------------------------------------------------------------------------


def test_an_accepted_invitation_no_longer_shows_as_open(client, diaspora_org, leader):
    person = factories.make_user()
    invitation = services.invitation_create(
        actor=leader, organization=diaspora_org, email=person.email, role="member"
    )
    token = services.invitation_token(invitation)
    services.invitation_accept(user=person, token=token)
    page = client.get(reverse("alliance:invitation", args=[token]))
    assert page.status_code == 400
    assert "already been used" in page.content.decode()


def test_a_membership_created_meanwhile_reads_as_already_a_member(
    diaspora_org, leader, monkeypatch
):
    """Two invitations of one person accepted at once: the loser gets the message."""
    from django.core.exceptions import ValidationError

    person = factories.make_user()
    invitation = services.invitation_create(
        actor=leader, organization=diaspora_org, email=person.email, role="member"
    )
    Membership.objects.create(user=person, organization=diaspora_org)  # the other tab won
    real_filter = Membership.objects.filter

    class Racing:
        def exists(self):
            return False

    monkeypatch.setattr(
        Membership.objects,
        "filter",
        lambda *a, **k: Racing() if k.get("user") == person else real_filter(*a, **k),
    )
    with pytest.raises(ValidationError, match="already a member"):
        services.invitation_accept(user=person, token=services.invitation_token(invitation))


def test_a_persons_grants_are_read_once_per_request_and_forgotten_when_they_change(
    leader, member, diaspora_org, other_org, django_assert_num_queries
):
    """The delegated right is asked for on several organizations in one page (the offering
    page's nominations, an organization's member list): one query, and a grant or a
    withdrawal is seen at once."""
    membership = Membership.objects.select_related("user", "organization").get(
        user=member, organization=diaspora_org
    )
    person = membership.user
    with django_assert_num_queries(1):
        assert not permissions.holds_manage_grant(person, diaspora_org)
        assert not permissions.holds_manage_grant(person, other_org)
    services.membership_set_member_management(actor=leader, membership=membership, allowed=True)
    assert permissions.holds_manage_grant(person, diaspora_org)
    assert not permissions.holds_manage_grant(person, other_org)
    services.membership_set_member_management(actor=leader, membership=membership, allowed=False)
    assert not permissions.holds_manage_grant(person, diaspora_org)

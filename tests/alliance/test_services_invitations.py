import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from alliance import services
from alliance.models import Invitation, Membership
from tests import factories

pytestmark = pytest.mark.django_db


def invite(org, actor, email="new.person@example.org", role=Membership.Role.MEMBER):
    return services.invitation_create(actor=actor, organization=org, email=email, role=role)


def token_from_mail(message) -> str:
    return re.search(r"/alliance/invitations/([^/\s]+)/", message.body).group(1)


def test_invitation_email_carries_a_link_that_joins_the_organization(
    diaspora_org, leader, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(diaspora_org, leader, role=Membership.Role.FOCAL_POINT)
    assert mail.outbox[0].to == ["new.person@example.org"]
    token = token_from_mail(mail.outbox[0])
    person = factories.make_user(email="New.Person@example.org")
    membership = services.invitation_accept(user=person, token=token)
    assert membership.organization == diaspora_org
    assert membership.role == Membership.Role.FOCAL_POINT


def test_invitation_is_single_use(diaspora_org, leader):
    invitation = invite(diaspora_org, leader)
    token = services.invitation_token(invitation)
    person = factories.make_user(email="new.person@example.org")
    services.invitation_accept(user=person, token=token)
    with pytest.raises(services.InvitationError, match="already been used"):
        services.invitation_accept(user=person, token=token)
    assert Membership.objects.filter(user=person).count() == 1


def test_expired_invitation_is_refused(diaspora_org, leader):
    invitation = invite(diaspora_org, leader)
    token = services.invitation_token(invitation)
    person = factories.make_user(email="new.person@example.org")
    with (
        time_machine.travel(timezone.now() + timedelta(days=8)),
        pytest.raises(services.InvitationError, match="expired"),
    ):
        services.invitation_accept(user=person, token=token)
    assert not Membership.objects.filter(user=person).exists()


def test_invitation_for_another_address_is_refused(diaspora_org, leader):
    token = services.invitation_token(invite(diaspora_org, leader))
    someone_else = factories.make_user(email="someone.else@example.org")
    with pytest.raises(services.InvitationError, match="another e-mail address"):
        services.invitation_accept(user=someone_else, token=token)
    assert not Membership.objects.filter(user=someone_else).exists()


def test_tampered_token_is_refused(diaspora_org, leader):
    token = services.invitation_token(invite(diaspora_org, leader))
    person = factories.make_user(email="new.person@example.org")
    with pytest.raises(services.InvitationError, match="not valid"):
        services.invitation_accept(user=person, token=token[:-2] + "xx")


def test_withdrawn_invitation_is_refused(diaspora_org, leader):
    invitation = invite(diaspora_org, leader)
    services.invitation_revoke(actor=leader, invitation=invitation)
    person = factories.make_user(email="new.person@example.org")
    with pytest.raises(services.InvitationError, match="withdrawn"):
        services.invitation_accept(user=person, token=services.invitation_token(invitation))


def test_one_open_invitation_per_address(diaspora_org, leader):
    invite(diaspora_org, leader)
    with pytest.raises(ValidationError, match="open invitation"):
        invite(diaspora_org, leader, email="NEW.person@example.org")
    assert Invitation.objects.count() == 1


def test_an_expired_invitation_does_not_block_a_new_one(diaspora_org, leader):
    invite(diaspora_org, leader)
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        invite(diaspora_org, leader)
    assert Invitation.objects.filter(revoked_at__isnull=True).count() == 1


def test_members_cannot_be_invited_again(diaspora_org, leader, member):
    with pytest.raises(ValidationError, match="already a member"):
        invite(diaspora_org, leader, email=member.email.upper())

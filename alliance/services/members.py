"""People in organizations: memberships, roles, the member-management right, and
invitations to join an organization (signed, single-use links)."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django_scopes import scopes_disabled
from guardian.shortcuts import assign_perm, remove_perm

from gdpa.accounts.permissions import acting_as_staff
from gdpa.audit.services import audit_record
from gdpa.notify.services import email_render_and_queue

from ..models import Invitation, Membership, Organization
from ..permissions import MANAGE_MEMBERS
from .common import forget_person, language_for, save_new

INVITATION_LIFETIME = timedelta(days=7)
INVITATION_SALT = "alliance.invitation"


@transaction.atomic
def membership_add(*, actor, organization: Organization, user, role: str) -> Membership:
    """IOM staff attach an existing account to an organization directly."""
    membership = Membership(user=user, organization=organization, role=role)
    save_new(membership)
    audit_record(
        actor=actor,
        action="membership.add",
        target=organization,
        after={"user": user.email, "role": role},
    )
    forget_person(user)
    return membership


# Invitations ------------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk}, salt=INVITATION_SALT, compress=True)


class InvitationError(ValidationError):
    """An invitation link that cannot be used (bad, expired, used, or someone else's)."""


def invitation_from_token(token: str) -> Invitation:
    try:
        data = signing.loads(
            token, salt=INVITATION_SALT, max_age=INVITATION_LIFETIME.total_seconds()
        )
    except signing.SignatureExpired as exc:
        raise InvitationError(_("This invitation has expired. Ask for a new one.")) from exc
    except signing.BadSignature as exc:
        raise InvitationError(_("This invitation link is not valid.")) from exc
    # The signed link is the key, whoever holds it: the invited person is not (yet) a
    # member of the organization, so the invitation is outside their tenant scope.
    with scopes_disabled():
        invitation = (
            Invitation.objects.select_related("organization", "invited_by")
            .filter(pk=data.get("i"))
            .first()
        )
    if invitation is None:
        raise InvitationError(_("This invitation link is not valid."))
    return invitation


def _check_usable(invitation: Invitation) -> None:
    if invitation.accepted_at is not None:
        raise InvitationError(_("This invitation has already been used."))
    if invitation.revoked_at is not None:
        raise InvitationError(_("This invitation was withdrawn."))
    if invitation.expires_at <= timezone.now():
        raise InvitationError(_("This invitation has expired. Ask for a new one."))
    if invitation.organization.status == Organization.Status.REJECTED:
        raise InvitationError(_("This organization is no longer part of the alliance."))


def invitation_peek(*, token: str) -> Invitation:
    """The invitation a link stands for, if it can still be accepted (read only)."""
    invitation = invitation_from_token(token)
    _check_usable(invitation)
    return invitation


_ORG_LIMIT = ngettext_lazy(
    "This organization has sent %(count)d invitation in the last %(hours)d hours, "
    "the most allowed. Try again later or ask IOM staff.",
    "This organization has sent %(count)d invitations in the last %(hours)d hours, "
    "the most allowed. Try again later or ask IOM staff.",
    "count",
)
_PERSON_LIMIT = ngettext_lazy(
    "You have sent %(count)d invitation in the last %(hours)d hours, the most "
    "allowed. Try again later.",
    "You have sent %(count)d invitations in the last %(hours)d hours, the most "
    "allowed. Try again later.",
    "count",
)


def _check_may_send(*, actor, organization: Organization) -> None:
    """Pending organizations cannot invite; everyone else is rate-limited (staff excepted)."""
    if acting_as_staff(actor):
        return
    if organization.status != Organization.Status.VERIFIED:
        raise ValidationError(
            _("You can invite people once IOM staff have verified the organization.")
        )
    now = timezone.now()
    limits = [
        (Q(organization=organization), settings.INVITATION_LIMIT_PER_ORGANIZATION, _ORG_LIMIT),
        (Q(invited_by=actor), settings.INVITATION_LIMIT_PER_PERSON, _PERSON_LIMIT),
    ]
    for scope, (most, hours), message in limits:
        # Counts only, over every tenant: the person's own invitations count wherever
        # they were sent from (an organization they have left included).
        with scopes_disabled():
            sent = Invitation.objects.filter(
                scope, created_at__gte=now - timedelta(hours=hours)
            ).count()
        if sent >= most:
            raise ValidationError(message % {"count": sent, "hours": hours})


@transaction.atomic
def invitation_create(
    *, actor, organization: Organization, email: str, role: str, language: str | None = None
) -> Invitation:
    """Invite ``email`` to ``organization``; the e-mail goes in the language of the
    address's account if it has one, else ``language`` (else the current language)."""
    # Lock the organization: concurrent invitations are counted one after another.
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    _check_may_send(actor=actor, organization=organization)
    email = get_user_model().objects.normalize_email(email.strip())
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    now = timezone.now()
    # An expired invitation no longer blocks a new one to the same address.
    Invitation.objects.filter(
        organization=organization,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__lte=now,
    ).update(revoked_at=now)
    invitation = Invitation(
        organization=organization,
        email=email,
        role=role,
        invited_by=actor,
        expires_at=now + INVITATION_LIFETIME,
    )
    save_new(invitation)
    audit_record(
        actor=actor,
        action="invitation.create",
        target=invitation,
        after={"email": email, "role": role, "organization": organization.pk},
    )
    email_render_and_queue(
        to=email,
        kind="organization_invitation",
        template="alliance/email/invitation",
        context={
            "invitation": invitation,
            "organization": organization,
            "inviter": actor,
            "role": invitation.get_role_display(),
            "url": reverse("alliance:invitation", args=[invitation_token(invitation)]),
        },
        language=language_for(email, fallback=language),
    )
    return invitation


@transaction.atomic
@scopes_disabled()  # the link's organization is not yet one of the person's tenants
def invitation_accept(*, user, token: str) -> Membership:
    invitation = invitation_from_token(token)
    invitation = (
        Invitation.objects.select_for_update().select_related("organization").get(pk=invitation.pk)
    )
    _check_usable(invitation)
    if invitation.email.lower() != user.email.lower():
        raise InvitationError(
            _("This invitation was sent to another e-mail address. Sign in with that address.")
        )
    already = InvitationError(_("You are already a member of this organization."))
    if Membership.objects.filter(user=user, organization=invitation.organization).exists():
        raise already
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=user, organization=invitation.organization, role=invitation.role
            )
    except IntegrityError as exc:  # another invitation of the same person won the race
        raise already from exc
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        actor=user,
        action="invitation.accept",
        target=invitation,
        after={"membership": membership.pk, "role": membership.role},
    )
    forget_person(user)
    return membership


@transaction.atomic
def invitation_revoke(*, actor, invitation: Invitation) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise ValidationError(_("This invitation is no longer open."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="invitation.revoke", target=invitation)
    return invitation


# Memberships ------------------------------------------------------------------------------


def _lock_admins(organization: Organization) -> list[int]:
    return list(
        Membership.objects.select_for_update()
        .filter(organization=organization, role=Membership.Role.ADMIN)
        .values_list("pk", flat=True)
    )


@transaction.atomic
def membership_change_role(*, actor, membership: Membership, role: str) -> Membership:
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Choose a valid role.")})
    if membership.user_id == actor.pk:
        raise ValidationError(
            {"role": _("Nobody changes their own role; ask another administrator.")}
        )
    admins = _lock_admins(membership.organization)
    if (
        membership.role == Membership.Role.ADMIN
        and role != Membership.Role.ADMIN
        and admins == [membership.pk]
    ):
        raise ValidationError(
            {"role": _("An organization needs at least one administrator. Appoint another first.")}
        )
    before = {"role": membership.role}
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        actor=actor,
        action="membership.change_role",
        target=membership,
        before=before,
        after={"role": role},
    )
    forget_person(membership.user)
    return membership


@transaction.atomic
def membership_remove(*, actor, membership: Membership) -> None:
    admins = _lock_admins(membership.organization)
    if membership.role == Membership.Role.ADMIN and admins == [membership.pk]:
        raise ValidationError(
            _("An organization needs at least one administrator. Appoint another first.")
        )
    remove_perm(MANAGE_MEMBERS, membership.user, membership.organization)
    audit_record(
        actor=actor,
        action="membership.remove",
        target=membership.organization,
        before={"user": membership.user.email, "role": membership.role},
    )
    membership.delete()
    forget_person(membership.user)


@transaction.atomic
def membership_set_member_management(*, actor, membership: Membership, allowed: bool) -> None:
    """Let a member (not an admin) invite and manage members, or withdraw that right."""
    if membership.user_id == actor.pk:
        raise ValidationError(_("Nobody grants or withdraws their own rights."))
    if allowed and membership.role != Membership.Role.MEMBER:
        raise ValidationError(_("Administrators and focal points already manage members."))
    if allowed:
        assign_perm(MANAGE_MEMBERS, membership.user, membership.organization)
    else:
        remove_perm(MANAGE_MEMBERS, membership.user, membership.organization)
    audit_record(
        actor=actor,
        action="membership.grant_manage_members" if allowed else "membership.revoke_manage_members",
        target=membership,
    )
    forget_person(membership.user)

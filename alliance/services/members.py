"""Every write in the alliance app. Each service validates, writes, audits and enqueues."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import assign_perm, remove_perm

from gdpa.accounts.roles import forget_roles, is_iom_staff
from gdpa.audit.services import audit_record, snapshot
from gdpa.notify.services import email_render_and_queue

from ..models import DiasporaCapital, Invitation, Membership, MemberState, Organization, Sector
from ..permissions import MANAGE_MEMBERS, forget_memberships

INVITATION_LIFETIME = timedelta(days=7)
INVITATION_SALT = "alliance.invitation"
ORG_AUDIT_FIELDS = [
    "name",
    "kind",
    "status",
    "country",
    "member_state",
    "countries_of_origin",
    "countries_of_residence",
    "sectors",
    "capitals",
    "website",
    "contact_email",
    "contact_phone",
    "description",
    "rejection_reason",
]


def _language_for(email: str, fallback: str | None = None) -> str:
    user = get_user_model().objects.filter(email__iexact=email).only("preferred_language").first()
    if user is not None:
        return user.preferred_language
    return (fallback or get_language() or "en")[:2]


def _forget(user) -> None:
    forget_memberships(user)
    forget_roles(user)


def _save_new(instance) -> None:
    """full_clean then save; a race past validation reports as the same validation error."""
    instance.full_clean()
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        instance.validate_constraints()
        raise ValidationError(_("This record conflicts with one that already exists.")) from exc


# Member states and organizations ---------------------------------------------------------


@transaction.atomic
def member_state_create(
    *, actor, country: str, joined_on, is_benefiting: bool = False
) -> MemberState:
    state = MemberState(country=country, joined_on=joined_on, is_benefiting=is_benefiting)
    _save_new(state)
    audit_record(
        actor=actor,
        action="member_state.create",
        target=state,
        after=snapshot(state, ["country", "joined_on", "status", "is_benefiting"]),
    )
    return state


@transaction.atomic
def organization_register(
    *,
    actor,
    kind: str,
    name: str,
    country: str,
    contact_email: str,
    countries_of_origin: list[str] = (),
    countries_of_residence: list[str] = (),
    sectors: list[Sector] = (),
    capitals: list[DiasporaCapital] = (),
    website: str = "",
    contact_phone: str = "",
    description: str = "",
    member_state: MemberState | None = None,
) -> Organization:
    """Register an organization and make ``actor`` its admin.

    Diaspora and partner organizations register themselves and wait for IOM staff.
    Government and IOM organizations are created by IOM staff and are verified at once.
    """
    staff = is_iom_staff(actor)
    if kind not in Organization.SELF_REGISTERED_KINDS and not staff:
        raise ValidationError({"kind": _("Only IOM staff can create this kind of organization.")})
    if kind == Organization.Kind.GOVERNMENT and member_state is not None:
        country = member_state.country.code
    organization = Organization(
        kind=kind,
        name=name.strip(),
        country=country,
        member_state=member_state if kind == Organization.Kind.GOVERNMENT else None,
        countries_of_origin=list(countries_of_origin),
        countries_of_residence=list(countries_of_residence),
        website=website,
        contact_email=contact_email,
        contact_phone=contact_phone.strip(),
        description=description.strip(),
        created_by=actor,
        status=Organization.Status.PENDING,
    )
    if kind not in Organization.SELF_REGISTERED_KINDS:
        organization.status = Organization.Status.VERIFIED
        organization.decided_at = timezone.now()
        organization.decided_by = actor
    _save_new(organization)
    organization.sectors.set(sectors)
    organization.capitals.set(capitals)
    if kind in Organization.SELF_REGISTERED_KINDS:
        Membership.objects.create(user=actor, organization=organization, role=Membership.Role.ADMIN)
        _forget(actor)
    audit_record(
        actor=actor,
        action="organization.register",
        target=organization,
        after=snapshot(organization, ORG_AUDIT_FIELDS),
    )
    return organization


def _decide(*, actor, organization: Organization, status: str, reason: str = "") -> Organization:
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if organization.status != Organization.Status.PENDING:
        raise ValidationError(_("This organization has already been decided on."))
    before = snapshot(organization, ["status", "rejection_reason"])
    organization.status = status
    organization.rejection_reason = reason
    organization.decided_at = timezone.now()
    organization.decided_by = actor
    organization.full_clean()
    organization.save(update_fields=["status", "rejection_reason", "decided_at", "decided_by"])
    audit_record(
        actor=actor,
        action=f"organization.{'verify' if status == Organization.Status.VERIFIED else 'reject'}",
        target=organization,
        before=before,
        after=snapshot(organization, ["status", "rejection_reason"]),
    )
    template = "alliance/email/organization_" + (
        "verified" if status == Organization.Status.VERIFIED else "rejected"
    )
    admins = Membership.objects.filter(
        organization=organization, role=Membership.Role.ADMIN
    ).select_related("user")
    recipients = {m.user.email.lower(): m.user for m in admins}
    recipients.setdefault(organization.contact_email.lower(), None)
    for address, user in recipients.items():
        email_render_and_queue(
            to=address,
            kind=template.rsplit("/", 1)[-1],
            template=template,
            context={
                "organization": organization,
                "reason": reason,
                "url": reverse("alliance:organization", args=[organization.pk]),
            },
            language=user.preferred_language if user else _language_for(address),
            user=user,
        )
    return organization


@transaction.atomic
def organization_verify(*, actor, organization: Organization) -> Organization:
    return _decide(actor=actor, organization=organization, status=Organization.Status.VERIFIED)


@transaction.atomic
def organization_reject(*, actor, organization: Organization, reason: str) -> Organization:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason; it is sent to the applicant.")})
    return _decide(
        actor=actor, organization=organization, status=Organization.Status.REJECTED, reason=reason
    )


@transaction.atomic
def secretariat_bootstrap(
    *, user, name: str = "IOM – GDPA Secretariat", country: str = "CH"
) -> Organization:
    """Create the IOM secretariat organization if it does not exist and add ``user`` to it.

    Used by operators (``manage.py create_staff``) to make the first IOM staff account;
    further staff are invited from the secretariat's page.
    """
    organization = Organization.objects.filter(kind=Organization.Kind.IOM).order_by("pk").first()
    if organization is None:
        organization = Organization(
            kind=Organization.Kind.IOM,
            name=name,
            country=country,
            contact_email=user.email,
            status=Organization.Status.VERIFIED,
            decided_at=timezone.now(),
            created_by=user,
        )
        _save_new(organization)
        audit_record(actor=user, action="organization.bootstrap", target=organization)
    if not Membership.objects.filter(user=user, organization=organization).exists():
        Membership.objects.create(user=user, organization=organization, role=Membership.Role.ADMIN)
        audit_record(
            actor=None, action="membership.add", target=organization, after={"user": user.email}
        )
    _forget(user)
    return organization


@transaction.atomic
def membership_add(*, actor, organization: Organization, user, role: str) -> Membership:
    """IOM staff attach an existing account to an organization directly."""
    membership = Membership(user=user, organization=organization, role=role)
    _save_new(membership)
    audit_record(
        actor=actor,
        action="membership.add",
        target=organization,
        after={"user": user.email, "role": role},
    )
    _forget(user)
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


@transaction.atomic
def invitation_create(*, actor, organization: Organization, email: str, role: str) -> Invitation:
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
    _save_new(invitation)
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
        language=_language_for(email),
    )
    return invitation


@transaction.atomic
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
    if Membership.objects.filter(user=user, organization=invitation.organization).exists():
        raise InvitationError(_("You are already a member of this organization."))
    membership = Membership.objects.create(
        user=user, organization=invitation.organization, role=invitation.role
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        actor=user,
        action="invitation.accept",
        target=invitation,
        after={"membership": membership.pk, "role": membership.role},
    )
    _forget(user)
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
    _forget(membership.user)
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
    _forget(membership.user)


@transaction.atomic
def membership_set_member_management(*, actor, membership: Membership, allowed: bool) -> None:
    """Let a member (not an admin) invite and manage members, or withdraw that right."""
    if allowed:
        assign_perm(MANAGE_MEMBERS, membership.user, membership.organization)
    else:
        remove_perm(MANAGE_MEMBERS, membership.user, membership.organization)
    audit_record(
        actor=actor,
        action="membership.grant_manage_members" if allowed else "membership.revoke_manage_members",
        target=membership,
    )


@transaction.atomic
def sector_create(*, actor, name_en: str, name_fr: str = "", name_es: str = "") -> Sector:
    """IOM staff add a sector (a working group) beyond the three seeded ones."""
    base = slugify(name_en)[:50] or "sector"
    slug, n = base, 2
    while Sector.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    if Sector.objects.filter(name_en__iexact=name_en.strip()).exists():
        raise ValidationError({"name_en": _("A sector with this name already exists.")})
    position = (
        Sector.objects.order_by("-position").values_list("position", flat=True).first() or 0
    ) + 1
    sector = Sector(
        slug=slug,
        name_en=name_en.strip(),
        name_fr=name_fr.strip(),
        name_es=name_es.strip(),
        position=position,
    )
    _save_new(sector)
    audit_record(
        actor=actor,
        action="sector.create",
        target=sector,
        after={"name_en": sector.name_en, "name_fr": sector.name_fr, "name_es": sector.name_es},
    )
    return sector

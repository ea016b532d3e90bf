"""Member states, organizations (the tenants) and their verification; sectors."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from gdpa.accounts.permissions import acting_as_staff
from gdpa.audit.services import audit_record, snapshot
from gdpa.notify.services import email_render_and_queue

from ..member_directory import forget_counts
from ..models import DiasporaCapital, Membership, MemberState, Organization, Sector
from ..permissions import is_org_admin
from .common import forget_person, language_for, save_new

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
    "suspension_reason",
]


@transaction.atomic
def member_state_create(
    *, actor, country: str, joined_on, is_benefiting: bool = False
) -> MemberState:
    state = MemberState(country=country, joined_on=joined_on, is_benefiting=is_benefiting)
    save_new(state)
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
    staff = acting_as_staff(actor)
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
    save_new(organization)
    organization.sectors.set(sectors)
    organization.capitals.set(capitals)
    if kind in Organization.SELF_REGISTERED_KINDS:
        Membership.objects.create(user=actor, organization=organization, role=Membership.Role.ADMIN)
        forget_person(actor)
    audit_record(
        actor=actor,
        action="organization.register",
        target=organization,
        after=snapshot(organization, ORG_AUDIT_FIELDS),
    )
    return organization


def _refuse_transition(organization: Organization, status: str) -> None:
    """Refuse a status change the lifecycle table (``Organization.TRANSITIONS``) does
    not allow, with a message naming both statuses."""
    if organization.can_become(status):
        return
    raise ValidationError(
        _("A %(current)s organization cannot become %(target)s.")
        % {
            "current": Organization.Status(organization.status).label.lower(),
            "target": Organization.Status(status).label.lower(),
        }
    )


def _mail_admins(*, organization: Organization, template: str, reason: str = "") -> None:
    """E-mail the organization's administrators and its contact address (once each), each
    in their own language, through the outbox."""
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
            language=user.preferred_language if user else language_for(address),
            user=user,
        )


STATUS_AUDIT_FIELDS = ["status", "rejection_reason", "suspension_reason"]


def _move(
    *, actor, organization: Organization, status: str, action: str, template: str, **changes
) -> Organization:
    """Lock the organization, check the transition, apply it with ``changes``, audit it
    and e-mail its administrators (``template``)."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    _refuse_transition(organization, status)
    before = snapshot(organization, STATUS_AUDIT_FIELDS)
    organization.status = status
    for field, value in changes.items():
        setattr(organization, field, value)
    organization.full_clean()
    organization.save(update_fields=["status", *changes])
    audit_record(
        actor=actor,
        action=action,
        target=organization,
        before=before,
        after=snapshot(organization, STATUS_AUDIT_FIELDS),
    )
    reason = changes.get("rejection_reason") or changes.get("suspension_reason") or ""
    _mail_admins(organization=organization, template=template, reason=reason)
    # The member directory's kept totals count by status: every status change, from any
    # page, forgets them once it is committed.
    transaction.on_commit(forget_counts)
    return organization


def _decide(*, actor, organization: Organization, status: str, reason: str = "") -> Organization:
    current = Organization.objects.filter(pk=organization.pk).values_list("status", flat=True)
    if current.first() != Organization.Status.PENDING:
        raise ValidationError(_("This organization has already been decided on."))
    verified = status == Organization.Status.VERIFIED
    return _move(
        actor=actor,
        organization=organization,
        status=status,
        action=f"organization.{'verify' if verified else 'reject'}",
        template="alliance/email/organization_" + ("verified" if verified else "rejected"),
        rejection_reason=reason,
        decided_at=timezone.now(),
        decided_by=actor,
    )


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
def organization_suspend(*, actor, organization: Organization, reason: str) -> Organization:
    """IOM staff suspend a verified organization; its administrators are e-mailed the
    reason."""
    if not acting_as_staff(actor):
        raise ValidationError(_("Only IOM staff can suspend an organization."))
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Give the reason; it is sent to the organization's administrators.")}
        )
    return _move(
        actor=actor,
        organization=organization,
        status=Organization.Status.SUSPENDED,
        action="organization.suspend",
        template="alliance/email/organization_suspended",
        suspension_reason=reason,
    )


@transaction.atomic
def organization_reinstate(*, actor, organization: Organization) -> Organization:
    """IOM staff lift a suspension; the organization is verified again."""
    if not acting_as_staff(actor):
        raise ValidationError(_("Only IOM staff can reinstate an organization."))
    current = Organization.objects.filter(pk=organization.pk).values_list("status", flat=True)
    if current.first() != Organization.Status.SUSPENDED:
        raise ValidationError(_("Only a suspended organization can be reinstated."))
    return _move(
        actor=actor,
        organization=organization,
        status=Organization.Status.VERIFIED,
        action="organization.reinstate",
        template="alliance/email/organization_reinstated",
        suspension_reason="",
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
        save_new(organization)
        audit_record(actor=user, action="organization.bootstrap", target=organization)
    if not Membership.objects.filter(user=user, organization=organization).exists():
        Membership.objects.create(user=user, organization=organization, role=Membership.Role.ADMIN)
        audit_record(
            actor=None, action="membership.add", target=organization, after={"user": user.email}
        )
    forget_person(user)
    return organization


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
    save_new(sector)
    audit_record(
        actor=actor,
        action="sector.create",
        target=sector,
        after={"name_en": sector.name_en, "name_fr": sector.name_fr, "name_es": sector.name_es},
    )
    return sector


@transaction.atomic
def organization_set_listing(*, actor, organization: Organization, listed: bool) -> Organization:
    """The organization's administrators (or acting staff) agree to show it in the public
    alliance directory, or take it off. A pending organization may agree in advance: the
    directory shows verified organizations only."""
    if not (acting_as_staff(actor) or is_org_admin(actor, organization)):
        raise ValidationError(
            _("Only the organization's administrators choose whether it is listed.")
        )
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if organization.listed_publicly == listed:
        return organization
    before = snapshot(organization, ["listed_publicly"])
    organization.listed_publicly = listed
    organization.full_clean()
    organization.save(update_fields=["listed_publicly"])
    audit_record(
        actor=actor,
        action="organization.listing",
        target=organization,
        before=before,
        after=snapshot(organization, ["listed_publicly"]),
    )
    return organization

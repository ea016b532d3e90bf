"""Who is in the alliance: member states, organizations (the tenants) and their people."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from django_scopes import ScopedManager
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class TranslatedName(models.Model):
    """Reference data whose label exists in each portal language (sectors, capitals)."""

    slug = models.SlugField(_("code"), max_length=60, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_fr = models.CharField(_("name (French)"), max_length=120, blank=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "name_en"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        lang = (get_language() or "en")[:2]
        return getattr(self, f"name_{lang}", "") or self.name_en


class Sector(TranslatedName):
    """A policy sector and the alliance working group that works on it."""

    class Meta(TranslatedName.Meta):
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")


class DiasporaCapital(TranslatedName):
    """One of the Dublin Declaration's diaspora capitals (human, economic, social, cultural)."""

    description_en = models.TextField(_("description (English)"), blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_es = models.TextField(_("description (Spanish)"), blank=True)

    class Meta(TranslatedName.Meta):
        verbose_name = _("diaspora capital")
        verbose_name_plural = _("diaspora capitals")

    @property
    def description(self) -> str:
        lang = (get_language() or "en")[:2]
        return getattr(self, f"description_{lang}", "") or self.description_en


class MemberState(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    country = CountryField(_("country"), unique=True)
    joined_on = models.DateField(_("joined the alliance on"), default=timezone.localdate)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    is_benefiting = models.BooleanField(
        _("benefiting member state"),
        default=False,
        help_text=_("Benefits from the IOM project that supports the alliance."),
    )

    class Meta:
        verbose_name = _("member state")
        verbose_name_plural = _("member states")
        ordering = ["country"]

    def __str__(self) -> str:
        return str(self.country.name)


class Organization(models.Model):
    """A tenant: a government, a diaspora organization, a partner, or IOM itself."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government")
        DIASPORA = "diaspora", _("Diaspora organization")
        ACADEMIA = "academia", _("Academia")
        CIVIL_SOCIETY = "civil_society", _("Civil society")
        PRIVATE_SECTOR = "private_sector", _("Private sector")
        IOM = "iom", _("IOM")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending verification")
        VERIFIED = "verified", _("Verified")
        SUSPENDED = "suspended", _("Suspended")
        REJECTED = "rejected", _("Rejected")

    #: Kinds a person may register themselves; the others are created by IOM staff.
    SELF_REGISTERED_KINDS = (Kind.DIASPORA, Kind.ACADEMIA, Kind.CIVIL_SOCIETY, Kind.PRIVATE_SECTOR)
    PARTNER_KINDS = (Kind.ACADEMIA, Kind.CIVIL_SOCIETY, Kind.PRIVATE_SECTOR)
    #: The one table of an organization's lifecycle: where each status may go next.
    #: Staff verify or reject a pending registration, suspend a verified organization
    #: (with a reason) and reinstate a suspended one; a rejected registration stays so
    #: (the applicant registers again).
    TRANSITIONS = {
        Status.PENDING: frozenset({Status.VERIFIED, Status.REJECTED}),
        Status.VERIFIED: frozenset({Status.SUSPENDED}),
        Status.SUSPENDED: frozenset({Status.VERIFIED}),
        Status.REJECTED: frozenset(),
    }

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    country = CountryField(_("country where it is based"))
    member_state = models.ForeignKey(
        MemberState,
        verbose_name=_("member state"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    countries_of_origin = CountryField(_("diaspora countries of origin"), multiple=True, blank=True)
    countries_of_residence = CountryField(_("countries of residence"), multiple=True, blank=True)
    sectors = models.ManyToManyField(Sector, verbose_name=_("sectors"), blank=True)
    capitals = models.ManyToManyField(
        DiasporaCapital, verbose_name=_("diaspora capitals"), blank=True
    )
    description = models.TextField(_("description"), max_length=4000, blank=True)
    website = models.URLField(_("website"), blank=True)
    contact_email = models.EmailField(_("contact e-mail"))
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    decided_at = models.DateTimeField(_("verification decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rejection_reason = models.TextField(_("reason for rejection"), max_length=2000, blank=True)
    suspension_reason = models.TextField(_("reason for suspension"), max_length=2000, blank=True)
    listed_publicly = models.BooleanField(
        _("show in the public alliance directory"),
        default=False,
        help_text=_("Agreed by its administrators; shown only once the organization is verified."),
    )

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]
        permissions = [("manage_members", _("Can invite and manage the members"))]
        indexes = [
            # Serves every status filter (status is its leading column) and the
            # verification queue, pending organizations oldest first.
            models.Index(fields=["status", "created_at"], name="alliance_org_status_created"),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "country",
                condition=~Q(status="rejected"),
                name="alliance_org_unique_name_per_country",
                violation_error_message=_(
                    "An organization with this name is already registered in this country."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(kind="government") | Q(member_state__isnull=False),
                name="alliance_government_has_member_state",
                violation_error_message=_("A government organization belongs to a member state."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.status == self.Status.VERIFIED

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]


class OrganizationUserObjectPermission(UserObjectPermissionBase):
    """Rights granted to one person on one organization (guardian, direct foreign key)."""

    content_object = models.ForeignKey(Organization, on_delete=models.CASCADE)


class OrganizationGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Organization, on_delete=models.CASCADE)


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        FOCAL_POINT = "focal_point", _("Focal point")
        MEMBER = "member", _("Member")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    #: Tenant-owned: unreadable outside a scope (alliance/tenancy.py, docs/security.md).
    objects = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"],
                name="alliance_membership_unique",
                violation_error_message=_("This person is already a member of the organization."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organization} ({self.get_role_display()})"


class Invitation(models.Model):
    """An e-mailed invitation to join an organization; its link is signed and single-use."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    email = models.EmailField(_("e-mail address"), max_length=254)
    role = models.CharField(
        _("role"), max_length=12, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    #: Tenant-owned: unreadable outside a scope (alliance/tenancy.py, docs/security.md).
    objects = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "organization",
                Lower("email"),
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="alliance_one_open_invitation_per_email",
                violation_error_message=_("This address already has an open invitation."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization}"

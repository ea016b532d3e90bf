"""Youth participants, their consents and the Youth Voices stories they publish."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

#: The version of the consent text a new participant agrees to. Change it (and add the new
#: text to CONSENT_TEXTS, keeping the old ones) whenever the wording changes.
CONSENT_VERSION = "2026-11"
#: The same for the separate consent to show the person's name and stories publicly.
PUBLIC_CONSENT_VERSION = "2026-11"

#: Every consent text ever given, by version, so a participant can see what they agreed to.
CONSENT_TEXTS = {
    "2026-11": _(
        "I agree that IOM processes this information to involve me in the alliance's "
        "youth activities. I can withdraw at any time."
    ),
}

#: Every public-display consent text ever given, by version.
PUBLIC_CONSENT_TEXTS = {
    "2026-11": _(
        "I agree that my name and the stories I submit, once approved by IOM, are shown "
        "publicly on the portal's Youth Voices pages. I can withdraw at any time, and my "
        "stories are then taken down at once."
    ),
}


class YouthProfile(models.Model):
    """A young member of a diaspora taking part in the alliance (Outcome 2).

    Withdrawing consent deletes the profile (an audit entry records the withdrawal), so
    having a profile is the same as being a youth participant.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="youth_profile",
    )
    date_of_birth = models.DateField(_("date of birth"))
    heritage_countries = CountryField(_("countries of heritage"), multiple=True)
    interests = models.ManyToManyField(
        "alliance.Sector", verbose_name=_("sectors you care about"), blank=True
    )
    about = models.TextField(_("about you"), max_length=2000, blank=True)
    country_of_residence = CountryField(_("country of residence"), blank=True)
    diaspora_community = models.CharField(
        _("diaspora community"),
        max_length=200,
        blank=True,
        help_text=_('In your own words, for example "Georgian community in Greece".'),
    )
    languages = models.CharField(_("languages you speak"), max_length=200, blank=True)
    organization = models.ForeignKey(
        "alliance.Organization",
        verbose_name=_("diaspora organization"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="youth_participants",
    )
    consent_at = models.DateTimeField(_("consent given"))
    consent_version = models.CharField(_("consent text version"), max_length=20)
    public_consent_at = models.DateTimeField(
        _("consent to public display given"), null=True, blank=True
    )
    public_consent_version = models.CharField(
        _("public display consent text version"), max_length=20, blank=True
    )
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("youth participant profile")
        verbose_name_plural = _("youth participant profiles")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def consent_text(self) -> str:
        return CONSENT_TEXTS.get(self.consent_version, "")

    @property
    def public_consent_text(self) -> str:
        return PUBLIC_CONSENT_TEXTS.get(self.public_consent_version, "")

    @property
    def shows_publicly(self) -> bool:
        return self.public_consent_at is not None


class YouthSettings(models.Model):
    """Settings of the youth programme that IOM staff change: one row (``current()``)."""

    min_age = models.PositiveSmallIntegerField(
        _("youngest age"),
        default=18,
        validators=[MinValueValidator(13), MaxValueValidator(99)],
    )
    max_age = models.PositiveSmallIntegerField(
        _("oldest age"),
        default=35,
        validators=[MinValueValidator(13), MaxValueValidator(99)],
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("youth programme settings")
        verbose_name_plural = _("youth programme settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_age__gte=F("min_age")),
                name="youth_settings_age_range_order",
                violation_error_message=_("The oldest age cannot be below the youngest."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.min_age}–{self.max_age}"

    @classmethod
    def current(cls) -> "YouthSettings":
        return cls.objects.order_by("pk").first() or cls()


class Story(models.Model):
    """A Youth Voices story: written by a youth participant, moderated by IOM staff,
    shown publicly once published (and only while its author consents to that)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Waiting for moderation")
        CHANGES_REQUESTED = "changes", _("Changes requested")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")
        UNPUBLISHED = "unpublished", _("Taken down")

    #: The one table of the story lifecycle. The author submits; staff publish, ask for
    #: changes or reject; a published story is taken down when its author withdraws
    #: their public consent (or staff take it down) and may be edited and resubmitted.
    TRANSITIONS = {
        Status.DRAFT: frozenset({Status.SUBMITTED}),
        Status.SUBMITTED: frozenset(
            {Status.PUBLISHED, Status.CHANGES_REQUESTED, Status.REJECTED, Status.DRAFT}
        ),
        Status.CHANGES_REQUESTED: frozenset({Status.SUBMITTED}),
        Status.PUBLISHED: frozenset({Status.UNPUBLISHED}),
        Status.UNPUBLISHED: frozenset({Status.SUBMITTED}),
        Status.REJECTED: frozenset(),
    }
    #: The author may edit in these states.
    EDITABLE = frozenset(
        {Status.DRAFT, Status.SUBMITTED, Status.CHANGES_REQUESTED, Status.UNPUBLISHED}
    )

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.CASCADE,
        related_name="youth_stories",
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(
        _("summary"),
        max_length=300,
        help_text=_("One or two sentences shown in lists and when the story is shared."),
    )
    text = models.TextField(_("story"), max_length=20000)
    language = models.CharField(
        _("language of the story"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    sector = models.ForeignKey(
        "alliance.Sector",
        verbose_name=_("sector"),
        on_delete=models.PROTECT,
        related_name="youth_stories",
    )
    country = CountryField(_("country"))
    photo = models.ImageField(_("photo"), upload_to="stories/", blank=True)
    photo_small = models.ImageField(_("small photo"), upload_to="stories/", blank=True)
    photo_alt = models.CharField(
        _("photo description"),
        max_length=300,
        blank=True,
        help_text=_("What the photo shows, for people who cannot see it."),
    )
    video_url = models.URLField(_("video link"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    moderation_comment = models.TextField(_("moderator's comment"), max_length=2000, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("story")
        verbose_name_plural = _("stories")
        ordering = ["-published_at", "-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "-published_at"])]

    def __str__(self) -> str:
        return self.title

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

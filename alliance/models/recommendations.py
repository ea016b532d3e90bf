"""Sectoral recommendations: tracks per sector, recommendations with their versions and
translations, members' inputs, member-state endorsements, organizations' support, and the
PDF reports IOM publishes."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .members import DiasporaCapital, MemberState, Organization, Sector
from .sessions import AllianceSession

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


class RecommendationTrack(models.Model):
    """The work of the alliance on one sector: its recommendations, and the sessions
    where they are discussed."""

    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), on_delete=models.PROTECT, related_name="tracks"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    sessions = models.ManyToManyField(
        AllianceSession,
        verbose_name=_("sessions that discuss it"),
        blank=True,
        related_name="recommendation_tracks",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)

    class Meta:
        verbose_name = _("recommendation track")
        verbose_name_plural = _("recommendation tracks")
        ordering = ["sector__position", "title", "pk"]

    def __str__(self) -> str:
        return self.title


class Recommendation(models.Model):
    """A recommendation, written in one language and optionally translated into the
    others. Every change of its text is kept as a version (django-simple-history)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for input")
        REVIEW = "review", _("Under review")
        ENDORSED = "endorsed", _("Endorsed")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    #: The one table of the recommendation lifecycle. Staff open a draft for input (with
    #: a closing date), review it, record it as endorsed and publish it; anything before
    #: publication can be withdrawn; input can be reopened from review.
    TRANSITIONS = {
        Status.DRAFT: frozenset({Status.OPEN, Status.WITHDRAWN}),
        Status.OPEN: frozenset({Status.REVIEW, Status.WITHDRAWN}),
        Status.REVIEW: frozenset({Status.OPEN, Status.ENDORSED, Status.WITHDRAWN}),
        Status.ENDORSED: frozenset({Status.PUBLISHED, Status.REVIEW, Status.WITHDRAWN}),
        Status.PUBLISHED: frozenset(),
        Status.WITHDRAWN: frozenset(),
    }
    #: States in which the wording may still change.
    EDITABLE = frozenset({Status.DRAFT, Status.OPEN, Status.REVIEW})

    class Nexus(models.TextChoices):
        HUMANITARIAN = "humanitarian", _("Humanitarian")
        DEVELOPMENT = "development", _("Development")
        PEACE = "peace", _("Peace")

    track = models.ForeignKey(
        RecommendationTrack,
        verbose_name=_("track"),
        on_delete=models.PROTECT,
        related_name="recommendations",
    )
    original_language = models.CharField(
        _("original language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    title_fr = models.CharField(_("title (French)"), max_length=300, blank=True)
    title_es = models.CharField(_("title (Spanish)"), max_length=300, blank=True)
    text_en = models.TextField(_("text (English)"), max_length=20000, blank=True)
    text_fr = models.TextField(_("text (French)"), max_length=20000, blank=True)
    text_es = models.TextField(_("text (Spanish)"), max_length=20000, blank=True)
    rationale = models.TextField(_("rationale"), max_length=10000, blank=True)
    capitals = models.ManyToManyField(
        DiasporaCapital, verbose_name=_("diaspora capitals"), blank=True
    )
    sdg_goals = models.JSONField(_("Sustainable Development Goals"), default=list, blank=True)
    gcm_objectives = models.JSONField(
        _("Global Compact for Migration objectives"), default=list, blank=True
    )
    nexus_pillar = models.CharField(
        _("humanitarian-development-peace nexus"),
        max_length=16,
        choices=Nexus.choices,
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    input_closes_at = models.DateTimeField(_("input closes"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("drafted"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(
        excluded_fields=["updated_at", "position"],
        verbose_name=_("recommendation version"),
    )

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["track", "position", "pk"]
        indexes = [models.Index(fields=["status", "track"])]

    def __str__(self) -> str:
        return self.title_in()[0]

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]

    @property
    def next_statuses(self) -> list[str]:
        allowed = self.TRANSITIONS[self.Status(self.status)]
        return [s for s in self.Status.values if s in allowed]

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    def _localized(self, field: str, language: str | None) -> tuple[str, bool]:
        language = (language or get_language() or "en")[:2]
        value = getattr(self, f"{field}_{language}", "") if language in LANGUAGE_CODES else ""
        if value:
            return value, language == self.original_language
        return getattr(self, f"{field}_{self.original_language}"), True

    def title_in(self, language: str | None = None) -> tuple[str, bool]:
        """The title in ``language`` when given, else in the original; and whether it is
        the original (readers are told when they see the original instead)."""
        return self._localized("title", language)

    def text_in(self, language: str | None = None) -> tuple[str, bool]:
        return self._localized("text", language)

    @property
    def missing_translations(self) -> list[str]:
        """Languages other than the original where the title or the text is missing."""
        return [
            code
            for code in LANGUAGE_CODES
            if code != self.original_language
            and not (getattr(self, f"title_{code}") and getattr(self, f"text_{code}"))
        ]

    def accepts_input(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.OPEN and (
            self.input_closes_at is None or now < self.input_closes_at
        )


class RecommendationInput(models.Model):
    """A member's comment on, or proposed amendment to, a recommendation open for input.

    ``is_youth`` is fixed when the input is given (the author was a youth participant
    then), so the youth-voices count does not move when the person later ages out."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment")
        AMENDMENT = "amendment", _("Proposed amendment")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        TAKEN_UP = "taken_up", _("Taken up")
        MERGED = "merged", _("Merged")
        NOT_TAKEN_UP = "not_taken_up", _("Not taken up")

    #: Staff respond once; a response can be changed while the recommendation is editable.
    TRANSITIONS = {
        Status.SUBMITTED: frozenset({Status.TAKEN_UP, Status.MERGED, Status.NOT_TAKEN_UP}),
        Status.TAKEN_UP: frozenset({Status.MERGED, Status.NOT_TAKEN_UP}),
        Status.MERGED: frozenset({Status.TAKEN_UP, Status.NOT_TAKEN_UP}),
        Status.NOT_TAKEN_UP: frozenset({Status.TAKEN_UP, Status.MERGED}),
    }

    recommendation = models.ForeignKey(
        Recommendation,
        verbose_name=_("recommendation"),
        on_delete=models.CASCADE,
        related_name="inputs",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="recommendation_inputs",
    )
    author_name = models.CharField(_("author's name"), max_length=200)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("on behalf of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("comment"), max_length=5000)
    proposed_text = models.TextField(_("proposed wording"), max_length=20000, blank=True)
    is_youth = models.BooleanField(_("youth voice"), default=False)
    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.SUBMITTED
    )
    response = models.TextField(_("reason"), max_length=1000, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)
    created_at = models.DateTimeField(_("given"), default=timezone.now)

    class Meta:
        verbose_name = _("input")
        verbose_name_plural = _("inputs")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["recommendation", "status"])]

    def __str__(self) -> str:
        return f"{self.author_name} — {self.recommendation}"


class Endorsement(models.Model):
    """A member state's endorsement of a recommendation, given by its focal point.

    One active endorsement per state and recommendation; withdrawing keeps the row
    (``withdrawn_at``). The person's name is kept, so the record survives their leaving."""

    recommendation = models.ForeignKey(
        Recommendation,
        verbose_name=_("recommendation"),
        on_delete=models.CASCADE,
        related_name="endorsements",
    )
    member_state = models.ForeignKey(
        MemberState,
        verbose_name=_("member state"),
        on_delete=models.PROTECT,
        related_name="endorsements",
    )
    endorsed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("endorsed by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    endorsed_by_name = models.CharField(_("endorsed by (name)"), max_length=200)
    endorsed_at = models.DateTimeField(_("endorsed"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        ordering = ["endorsed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "member_state"],
                condition=Q(withdrawn_at__isnull=True),
                name="alliance_endorsement_one_per_state",
                violation_error_message=_("This member state has already endorsed it."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_state} — {self.recommendation}"


class OrganizationSupport(models.Model):
    """An organization says it supports a recommendation."""

    recommendation = models.ForeignKey(
        Recommendation,
        verbose_name=_("recommendation"),
        on_delete=models.CASCADE,
        related_name="supports",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="recommendation_supports",
    )
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("given by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("given"), auto_now_add=True)

    class Meta:
        verbose_name = _("organization support")
        verbose_name_plural = _("organization supports")
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "organization"],
                name="alliance_support_once_per_organization",
                violation_error_message=_("This organization already supports it."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} — {self.recommendation}"


class RecommendationReport(models.Model):
    """A PDF report of published recommendations for a scope of sectors and a language.

    ``fingerprint`` digests everything the PDF shows; a report asked for again with the
    same scope and language is rebuilt only when the fingerprint changed."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        BUILDING = "building", _("Being built")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    title = models.CharField(_("title"), max_length=200)
    sectors = models.ManyToManyField(
        Sector,
        verbose_name=_("sectors"),
        blank=True,
        help_text=_("Leave empty for every sector."),
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    fingerprint = models.CharField(_("data fingerprint"), max_length=64, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="reports/", blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    is_public = models.BooleanField(_("public"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    built_at = models.DateTimeField(_("built"), null=True, blank=True)

    class Meta:
        verbose_name = _("recommendation report")
        verbose_name_plural = _("recommendation reports")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return self.title


SDG_RANGE = (1, 17)
GCM_RANGE = (1, 23)
#: Objective 19 of the Global Compact: "Create conditions for migrants and diasporas to
#: fully contribute to sustainable development in all countries".
GCM_DIASPORA_OBJECTIVE = 19

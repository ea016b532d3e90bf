"""Alliance sessions: agenda, documents, invited participants, RSVPs, reminders, calendars."""

import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gdpa.accounts.models import validate_time_zone

from .members import Sector


def new_checkin_code() -> str:
    return "".join(secrets.choice("ABCDEFGHJKMNPQRSTUVWXYZ23456789") for _ in range(6))


def new_secret() -> str:
    return secrets.token_urlsafe(24)


class AllianceSession(models.Model):
    class Kind(models.TextChoices):
        PLENARY = "plenary", _("Plenary")
        WORKING_GROUP = "working_group", _("Sectoral working group")
        YOUTH_DIALOGUE = "youth_dialogue", _("Youth dialogue")
        TRAINING_BRIEFING = "training_briefing", _("Training-related briefing")

    class Format(models.TextChoices):
        ONLINE = "online", _("Online")
        IN_PERSON = "in_person", _("In person")
        HYBRID = "hybrid", _("Hybrid")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    #: The one table of the session lifecycle: where each status may go next. Staff
    #: publish a draft (scheduled) and cancel or mark as held with their own actions;
    #: a held or cancelled session stays so, and nothing goes back to draft.
    TRANSITIONS = {
        Status.DRAFT: frozenset({Status.SCHEDULED, Status.CANCELLED}),
        Status.SCHEDULED: frozenset({Status.HELD, Status.CANCELLED}),
        Status.HELD: frozenset(),
        Status.CANCELLED: frozenset(),
    }
    #: Statuses in which a session takes (or took) place: check-in, attendance and the
    #: published summary belong to these only.
    TAKES_PLACE = frozenset({Status.SCHEDULED, Status.HELD})

    #: The join link shows to accepted participants from this long before the start.
    JOIN_OPENS_BEFORE = timedelta(minutes=30)

    uid = models.UUIDField(
        _("calendar identifier"), default=uuid.uuid4, unique=True, editable=False
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    sectors = models.ManyToManyField(Sector, verbose_name=_("sectors"), blank=True)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    time_zone = models.CharField(
        _("session time zone"), max_length=64, validators=[validate_time_zone]
    )
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    join_url = models.URLField(_("join link"), max_length=500, blank=True)
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    #: The language the session is held in; guest invitations default to it.
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    #: Raised when the time, zone, format, venue, join link or status changes, so
    #: calendars update the same event (a corrected title or description does not).
    sequence = models.PositiveIntegerField(_("calendar sequence"), default=0)
    #: What each raised ``sequence`` changed, for the change notices: a list of
    #: ``{"sequence": n, "at": iso time, "changes": {field: [old, new]}}`` (recent ones).
    change_log = models.JSONField(default=list, blank=True, editable=False)
    checkin_code = models.CharField(_("check-in code"), max_length=8, default=new_checkin_code)
    summary = models.TextField(_("summary / minutes"), max_length=20000, blank=True)
    summary_published_at = models.DateTimeField(_("summary published"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("alliance session")
        verbose_name_plural = _("alliance sessions")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="alliance_session_ends_after_start",
                violation_error_message=_("The end must be after the start."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]

    @property
    def next_statuses(self) -> list[str]:
        """The statuses this session may move to, in the order of ``Status``."""
        allowed = self.TRANSITIONS[self.Status(self.status)]
        return [s for s in self.Status.values if s in allowed]

    @property
    def takes_place(self) -> bool:
        return self.status in self.TAKES_PLACE

    @property
    def is_open_for_rsvp(self) -> bool:
        return self.status == self.Status.SCHEDULED and timezone.now() < self.starts_at

    @property
    def has_online_part(self) -> bool:
        return self.format in (self.Format.ONLINE, self.Format.HYBRID)

    @property
    def has_venue(self) -> bool:
        return self.format in (self.Format.IN_PERSON, self.Format.HYBRID)

    def join_link_open(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status == self.Status.SCHEDULED
            and bool(self.join_url)
            and self.starts_at - self.JOIN_OPENS_BEFORE <= now <= self.ends_at
        )


class AgendaItem(models.Model):
    session = models.ForeignKey(
        AllianceSession, on_delete=models.CASCADE, related_name="agenda_items"
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("item"), max_length=200)
    speaker = models.CharField(_("speaker"), max_length=200, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=15)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class SessionDocument(models.Model):
    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "Word (DOCX)"
        XLSX = "xlsx", "Excel (XLSX)"
        PPTX = "pptx", "PowerPoint (PPTX)"

    session = models.ForeignKey(AllianceSession, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="sessions/%Y/%m/")
    kind = models.CharField(_("type"), max_length=5, choices=Kind.choices)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("session document")
        verbose_name_plural = _("session documents")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Participant(models.Model):
    """A person invited to a session (with or without an account) and their answer."""

    class Rsvp(models.TextChoices):
        INVITED = "invited", _("No answer yet")
        ACCEPTED = "accepted", _("Accepted")
        TENTATIVE = "tentative", _("Tentative")
        DECLINED = "declined", _("Declined")

    session = models.ForeignKey(
        AllianceSession, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="session_participations",
    )
    #: Always stored in lower case; matches the account's address.
    email = models.EmailField(_("e-mail address"), max_length=254)
    #: The language of a guest's e-mails (no account); account holders' own choice wins.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    rsvp = models.CharField(_("answer"), max_length=10, choices=Rsvp.choices, default=Rsvp.INVITED)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    #: Part of the e-mailed answer links; replaced once a link is used (single use).
    link_nonce = models.CharField(max_length=48, default=new_secret)
    invited_at = models.DateTimeField(_("invited"), auto_now_add=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    invitation_sent_at = models.DateTimeField(_("invitation e-mailed"), null=True, blank=True)
    #: The session ``sequence`` the person was last told about (change notices go once).
    notified_sequence = models.PositiveIntegerField(default=0)
    summary_sent_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(_("attended"), default=False)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "email"], name="alliance_participant_once_per_session"
            )
        ]
        indexes = [
            models.Index(fields=["email", "session"]),
            models.Index(fields=["session", "rsvp"]),
        ]

    def __str__(self) -> str:
        return f"{self.email} @ {self.session}"

    @property
    def is_going(self) -> bool:
        return self.rsvp in (self.Rsvp.ACCEPTED, self.Rsvp.TENTATIVE)


class Reminder(models.Model):
    """One reminder for one participant; the row, not the broker, decides whether it went."""

    class Kind(models.TextChoices):
        WEEK = "7d", _("7 days before")
        DAY = "1d", _("1 day before")
        HOUR = "1h", _("1 hour before")

    OFFSETS = {
        Kind.WEEK: timedelta(days=7),
        Kind.DAY: timedelta(days=1),
        Kind.HOUR: timedelta(hours=1),
    }

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=3, choices=Kind.choices)
    #: The session ``sequence`` this reminder was scheduled for.
    schedule_sequence = models.PositiveIntegerField(default=0)
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "kind", "schedule_sequence"],
                name="alliance_reminder_once",
            )
        ]
        indexes = [models.Index(fields=["sent_at", "due_at"])]

    def __str__(self) -> str:
        return f"{self.kind} → {self.participant_id}"


class CalendarFeed(models.Model):
    """A person's private calendar-feed address; a new token revokes the old one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_secret)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"calendar feed of {self.user_id}"

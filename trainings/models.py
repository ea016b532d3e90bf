"""Training programmes and their offerings (cohorts)."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from alliance.models import Sector
from gdpa.accounts.models import validate_time_zone


class TrainingProgramme(models.Model):
    class Audience(models.TextChoices):
        GOVERNMENT = "government", _("Government officials and policy makers")
        DIASPORA = "diaspora", _("Diaspora leaders and organizations")
        YOUTH = "youth", _("Youth")

    class Mode(models.TextChoices):
        ONLINE = "online", _("Online")
        IN_PERSON = "in_person", _("In person")
        BLENDED = "blended", _("Blended")

    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=2000)
    learning_objectives = models.TextField(_("learning objectives"), max_length=5000)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    sectors = models.ManyToManyField(Sector, verbose_name=_("sectors"), blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    published = models.BooleanField(
        _("published"), default=False, help_text=_("Published programmes show in the catalogue.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("training programme")
        verbose_name_plural = _("training programmes")
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title


class Offering(models.Model):
    """One cohort of a programme: its dates, place, seats and enrollment window."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    #: The one table of the offering lifecycle: where each status may go next. Staff
    #: open a draft; an open offering closes (and may reopen) or is cancelled; a
    #: cancelled offering stays so.
    TRANSITIONS = {
        Status.DRAFT: frozenset({Status.OPEN, Status.CANCELLED}),
        Status.OPEN: frozenset({Status.CLOSED, Status.CANCELLED}),
        Status.CLOSED: frozenset({Status.OPEN, Status.CANCELLED}),
        Status.CANCELLED: frozenset(),
    }

    programme = models.ForeignKey(
        TrainingProgramme,
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="offerings",
    )
    title = models.CharField(_("cohort name"), max_length=200)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, validators=[validate_time_zone], default="UTC"
    )
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    countries = CountryField(
        _("countries"),
        multiple=True,
        blank=True,
        help_text=_("Where it is held or the member states it is for; leave empty for everyone."),
    )
    join_url = models.URLField(_("join link"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"),
        validators=[MinValueValidator(1, message=_("The capacity must be 1 or more"))],
    )
    enrollment_opens_at = models.DateTimeField(_("enrollment opens"))
    enrollment_closes_at = models.DateTimeField(_("enrollment closes"))
    needs_approval = models.BooleanField(
        _("enrollment needs IOM approval"),
        default=False,
        help_text=_(
            "Enrollments and nominations wait for IOM staff to approve or decline them; "
            "an approved person takes a free seat or joins the waiting list."
        ),
    )
    eligible_roles = models.JSONField(
        _("roles that may enroll"),
        default=list,
        blank=True,
        help_text=_("Leave empty to admit everyone in the programme's audience."),
    )
    eligible_org_kinds = models.JSONField(
        _("organization kinds that may enroll"),
        default=list,
        blank=True,
        help_text=_("Leave empty to admit everyone in the programme's audience."),
    )
    completion_threshold = models.PositiveSmallIntegerField(
        _("attendance needed to complete (%)"),
        default=80,
        validators=[
            MinValueValidator(1, message=_("Enter a percentage from 1 to 100")),
            MaxValueValidator(100, message=_("Enter a percentage from 1 to 100")),
        ],
        help_text=_("Share of the training meetings a learner must attend to complete."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("offering")
        verbose_name_plural = _("offerings")
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="trainings_offering_ends_after_start",
                violation_error_message=_("The last day cannot be before the first day."),
            ),
            models.CheckConstraint(
                condition=Q(enrollment_closes_at__gt=F("enrollment_opens_at")),
                name="trainings_offering_window_order",
                violation_error_message=_("Enrollment must close after it opens."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} — {self.title}"

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]

    @property
    def next_statuses(self) -> list[str]:
        allowed = self.TRANSITIONS[self.Status(self.status)]
        return [s for s in self.Status.values if s in allowed]

    @property
    def seats_left(self) -> int | None:
        """Free seats, when the selector annotated ``enrolled_count``."""
        count = getattr(self, "enrolled_count", None)
        return None if count is None else max(self.capacity - count, 0)

    def window_open(self, now) -> bool:
        return self.enrollment_opens_at <= now < self.enrollment_closes_at


class EnrollmentQuerySet(models.QuerySet):
    def active(self):
        """Enrollments that hold or wait for a place (not withdrawn, not declined)."""
        return self.exclude(status__in=Enrollment.CLOSED_STATUSES)


class Enrollment(models.Model):
    """A person's place in an offering.

    ``created_at`` orders the waiting list. A person holds at most one active enrollment
    per offering (not withdrawn, not declined); after withdrawing, or being declined, they
    may ask again (a new row). ``nominated_by`` is set when someone else (an organization
    leader or a government focal point) asked for the place on the person's behalf.
    Completion is not a status: an enrolled person completes when their attendance meets
    the offering's threshold, recorded in ``completed_at``.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting IOM approval")
        ENROLLED = "enrolled", _("Enrolled")
        WAITLISTED = "waitlisted", _("On the waiting list")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    #: The one table of the enrollment lifecycle. Staff approve a pending enrollment
    #: (it takes a seat or joins the waiting list) or decline it; a waiting person is
    #: promoted when a seat frees up; anyone active may withdraw; declined and withdrawn
    #: enrollments stay so.
    TRANSITIONS = {
        Status.PENDING: frozenset(
            {Status.ENROLLED, Status.WAITLISTED, Status.DECLINED, Status.WITHDRAWN}
        ),
        Status.ENROLLED: frozenset({Status.WITHDRAWN}),
        Status.WAITLISTED: frozenset({Status.ENROLLED, Status.WITHDRAWN}),
        Status.DECLINED: frozenset(),
        Status.WITHDRAWN: frozenset(),
    }
    CLOSED_STATUSES = (Status.WITHDRAWN, Status.DECLINED)

    offering = models.ForeignKey(
        Offering, verbose_name=_("offering"), on_delete=models.CASCADE, related_name="enrollments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="training_enrollments",
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("nominated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="training_nominations_made",
    )
    created_at = models.DateTimeField(_("asked"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), max_length=1000, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["offering", "user"],
                condition=~Q(status__in=["withdrawn", "declined"]),
                name="trainings_enrollment_one_active_per_person",
                violation_error_message=_(
                    "You are already enrolled or on the waiting list for this offering."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.offering} ({self.status})"

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]


class TrainingMeeting(models.Model):
    """One meeting of an offering (a class, a workshop day), with its times in UTC.

    ``sequence`` rises when the time changes, so reminders scheduled for an earlier
    time are recognised and not sent. ``check_in_code`` lets learners in the room
    record their own attendance while staff keep it open.
    """

    offering = models.ForeignKey(
        Offering, verbose_name=_("offering"), on_delete=models.CASCADE, related_name="meetings"
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    sequence = models.PositiveIntegerField(_("schedule version"), default=0)
    check_in_code = models.CharField(_("check-in code"), max_length=12, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("training meeting")
        verbose_name_plural = _("training meetings")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="trainings_meeting_ends_after_start",
                violation_error_message=_("A meeting must end after it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.offering} — {self.title}"

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600


class MeetingAttendance(models.Model):
    """An enrolled person was present at a training meeting (absence has no row)."""

    class Method(models.TextChoices):
        STAFF = "staff", _("Recorded by staff")
        CODE = "code", _("Checked in with the code")

    meeting = models.ForeignKey(
        TrainingMeeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    enrollment = models.ForeignKey(
        Enrollment,
        verbose_name=_("enrollment"),
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    method = models.CharField(_("recorded how"), max_length=8, choices=Method.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "enrollment"], name="trainings_attendance_once_per_meeting"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrollment.user} @ {self.meeting}"


class TrainingReminder(models.Model):
    """One reminder e-mail owed to one person; the row, not the broker, decides whether
    it went (``sent_at`` is set once, whether it was sent or no longer applied).

    Meeting reminders go to every enrolled learner before each meeting: the periodic
    sweep writes their rows when they fall due, for the meeting's current ``sequence``,
    so a meeting that moves gets new rows and the old ones are never sent. The
    window-closing reminder is asked for by a person on the offering page and falls due
    ``WINDOW_CLOSING_BEFORE`` the offering's current closing time.
    """

    class Kind(models.TextChoices):
        MEETING_24H = "meeting_24h", _("24 hours before a meeting")
        MEETING_1H = "meeting_1h", _("1 hour before a meeting")
        WINDOW_CLOSING = "window_closing", _("Before enrollment closes")

    #: How long before a meeting starts each meeting reminder falls due.
    MEETING_OFFSETS = {
        Kind.MEETING_24H: timedelta(hours=24),
        Kind.MEETING_1H: timedelta(hours=1),
    }
    WINDOW_CLOSING_BEFORE = timedelta(hours=48)

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="training_reminders",
    )
    offering = models.ForeignKey(
        Offering, verbose_name=_("offering"), on_delete=models.CASCADE, related_name="reminders"
    )
    meeting = models.ForeignKey(
        TrainingMeeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="reminders",
        null=True,
        blank=True,
    )
    #: The meeting ``sequence`` this reminder was written for (0 for the window).
    sequence = models.PositiveIntegerField(_("schedule version"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("handled"), null=True, blank=True)

    class Meta:
        verbose_name = _("training reminder")
        verbose_name_plural = _("training reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "user", "meeting", "sequence"],
                condition=Q(meeting__isnull=False),
                name="trainings_meeting_reminder_once",
            ),
            models.UniqueConstraint(
                fields=["kind", "user", "offering"],
                condition=Q(meeting__isnull=True),
                name="trainings_offering_reminder_once",
            ),
        ]
        indexes = [models.Index(fields=["sent_at", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id}"


class TrainingFeedback(models.Model):
    """A learner's ratings (1 to 5) and comment on an offering: one per enrollment,
    edited in place until the feedback period closes. Staff see only the aggregate and
    the comments without names (``trainings.selectors.feedback_summary``)."""

    class Rating(models.IntegerChoices):
        ONE = 1, _("1 – lowest")
        TWO = 2, "2"
        THREE = 3, "3"
        FOUR = 4, "4"
        FIVE = 5, _("5 – highest")

    #: The rated questions, in the order forms and the staff page show them.
    QUESTIONS = (
        ("overall", _("The training overall")),
        ("content", _("The content")),
        ("facilitation", _("The facilitation")),
        ("relevance", _("Relevance to your work")),
    )
    RATING_ERRORS = {"invalid_choice": _("Choose a rating from 1 to 5")}

    enrollment = models.OneToOneField(
        Enrollment,
        verbose_name=_("enrollment"),
        on_delete=models.CASCADE,
        related_name="feedback",
    )
    overall = models.PositiveSmallIntegerField(
        _("overall"), choices=Rating.choices, error_messages=RATING_ERRORS
    )
    content = models.PositiveSmallIntegerField(
        _("content"), choices=Rating.choices, error_messages=RATING_ERRORS
    )
    facilitation = models.PositiveSmallIntegerField(
        _("facilitation"), choices=Rating.choices, error_messages=RATING_ERRORS
    )
    relevance = models.PositiveSmallIntegerField(
        _("relevance to your work"), choices=Rating.choices, error_messages=RATING_ERRORS
    )
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("training feedback")
        verbose_name_plural = _("training feedback")
        constraints = [
            models.CheckConstraint(
                condition=Q(overall__range=(1, 5))
                & Q(content__range=(1, 5))
                & Q(facilitation__range=(1, 5))
                & Q(relevance__range=(1, 5)),
                name="trainings_feedback_ratings_1_to_5",
                violation_error_message=_("Choose a rating from 1 to 5"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrollment.offering} — {self.pk}"


#: Verification codes use letters and digits that cannot be mistaken for one another
#: (no 0/O, 1/I/L); 20 of them carry 100 bits, far beyond guessing.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 20


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_badge_salt() -> str:
    return secrets.token_hex(16)


def normalize_code(typed: str) -> str:
    """A code as typed or read aloud (spaces, dashes, lower case) in its stored form."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


class Certificate(models.Model):
    """The certificate of a completed enrollment, one per enrollment.

    What it certifies is frozen when it is issued (the learner's name as they wrote it,
    the programme, the dates and hours), so later edits change no issued certificate.
    The PDF is a private file built by a task (``pdf_built_at``) and served only to its
    learner and staff. A revoked certificate stops verifying; its badge answers 410.
    """

    enrollment = models.OneToOneField(
        Enrollment,
        verbose_name=_("enrollment"),
        on_delete=models.CASCADE,
        related_name="certificate",
    )
    code = models.CharField(
        _("verification code"), max_length=32, unique=True, default=new_verification_code
    )
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    learner_name = models.CharField(_("learner's name"), max_length=200)
    programme_title = models.CharField(_("programme"), max_length=200)
    offering_title = models.CharField(_("cohort name"), max_length=200)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, validators=[validate_time_zone], default="UTC"
    )
    badge_salt = models.CharField(_("badge salt"), max_length=64, default=new_badge_salt)
    pdf = models.FileField(_("PDF"), upload_to="certificates/%Y/%m/", blank=True)
    pdf_built_at = models.DateTimeField(_("PDF built"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revocation_reason = models.TextField(_("reason for revocation"), max_length=1000, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["issued_at", "pk"]
        indexes = [
            models.Index(
                fields=["issued_at"],
                condition=Q(pdf_built_at__isnull=True, revoked_at__isnull=True),
                name="trainings_certificate_unbuilt",
            )
        ]

    def __str__(self) -> str:
        return f"{self.learner_name} — {self.programme_title} ({self.code})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def code_display(self) -> str:
        """The code in groups of four, easier to read and type: ABCD-EFGH-…"""
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))

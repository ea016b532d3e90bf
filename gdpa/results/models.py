import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def private_storage():
    """Files no URL serves: the portal hands them out through a permission-checked view."""
    return storages["private"]


def donor_report_path(instance, filename: str) -> str:
    """A name the server chooses (nothing the person typed reaches the file system)."""
    return f"donor-reports/{uuid.uuid4().hex}.pdf"


class DonorReport(models.Model):
    """The donor progress report of a period as a PDF, built by a task (heavy queue).

    The row is the source of truth: asking writes a queued row; the build claims it
    (queued -> building) with one conditional UPDATE, so a duplicate message does nothing."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        BUILDING = "building", _("Being built")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    #: The one table of the report's lifecycle. A failed attempt that will be retried, or
    #: a build a lost worker left behind, goes back to the queue.
    TRANSITIONS = {
        Status.QUEUED: frozenset({Status.BUILDING}),
        Status.BUILDING: frozenset({Status.READY, Status.FAILED, Status.QUEUED}),
        Status.READY: frozenset(),
        Status.FAILED: frozenset(),
    }

    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    pdf = models.FileField(
        _("PDF"), upload_to=donor_report_path, storage=private_storage, blank=True
    )
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
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
        verbose_name = _("donor progress report")
        verbose_name_plural = _("donor progress reports")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="results_donor_report_period_order",
                violation_error_message=_("The end of the period must be after its start."),
            )
        ]

    def __str__(self) -> str:
        return str(_("Donor progress report %(start)s – %(end)s")) % {
            "start": self.period_start,
            "end": self.period_end,
        }

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]

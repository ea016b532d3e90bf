import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def export_storage():
    """Where built export files live: the ``exports`` storage when configured, else a
    private folder ``MEDIA_ROOT/exports/`` that no URL serves (files are handed out only
    by the download view, to the staff member who asked)."""
    if "exports" in settings.STORAGES:
        return storages["exports"]
    return FileSystemStorage(location=settings.MEDIA_ROOT / "exports", base_url=None)


def export_file_name(job, filename: str) -> str:
    """A server-made name: nothing of the dataset, the filters or the person leaks into it."""
    return f"{uuid.uuid4().hex}.{job.format}"


class ExportJob(models.Model):
    """A large export, built by a Celery task and fetched through an expiring link."""

    class Format(models.TextChoices):
        CSV = "csv", _("CSV")
        XLSX = "xlsx", _("Excel workbook (XLSX)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being built")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    #: The one table of allowed status changes. A failed or stale running job may be
    #: run again (a crashed worker's job is retried).
    TRANSITIONS = {
        Status.QUEUED: {Status.RUNNING, Status.FAILED},
        Status.RUNNING: {Status.RUNNING, Status.DONE, Status.FAILED},
        Status.FAILED: {Status.RUNNING},
        Status.DONE: {Status.EXPIRED},
        Status.EXPIRED: set(),
    }

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    dataset = models.CharField(_("dataset"), max_length=60)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    filters = models.TextField(_("filters"), blank=True)
    include_personal = models.BooleanField(_("personal fields included"), default=False)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(
        _("file"), storage=export_storage, upload_to=export_file_name, blank=True
    )
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("link expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-pk"]
        permissions = [("export_personal_data", _("Can export personal data"))]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="exports_job_person_recent"),
            models.Index(fields=["status", "expires_at"], name="exports_job_status_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.dataset} ({self.get_format_display()}) #{self.pk}"

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, self.rows_done * 100 // self.rows_total)

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    def is_expired(self, now=None) -> bool:
        if self.status == self.Status.EXPIRED:
            return True
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

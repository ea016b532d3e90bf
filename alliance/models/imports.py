"""Staff imports of organizations and focal points, once confirmed.

The preview before confirmation is not a row (a preview writes nothing to the
database): it is the uploaded file and its checked rows, kept in private storage under a
server-made name (``alliance/imports/previews.py``). Confirming makes a ``StaffImport`` (its
unique token stops a preview from being imported twice) and a task writes the rows; each
row's outcome is a ``StaffImportRow`` written in the same transaction as the row itself,
so a run cut short resumes where it stopped and never writes a row twice.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffImport(models.Model):
    class Kind(models.TextChoices):
        ORGANIZATIONS = "organizations", _("Organizations")
        FOCAL_POINTS = "focal_points", _("Focal points")

    class Status(models.TextChoices):
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")

    token = models.CharField(_("preview"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    total_rows = models.PositiveIntegerField(_("rows in the file"), default=0)
    started_at = models.DateTimeField(_("confirmed"), auto_now_add=True)
    #: When a worker took the run (a lease: a stale one is taken over by the sweep).
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("staff import")
        verbose_name_plural = _("staff imports")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["status", "started_at"], name="alliance_import_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.file_name}"


class StaffImportRow(models.Model):
    """What became of one line of an imported file."""

    run = models.ForeignKey(
        StaffImport, verbose_name=_("import"), on_delete=models.CASCADE, related_name="rows"
    )
    line = models.PositiveIntegerField(_("line"))
    label = models.CharField(_("row"), max_length=300, blank=True)
    created = models.BooleanField(_("created"), default=False)
    object_id = models.PositiveIntegerField(_("created object"), null=True, blank=True)
    reason = models.TextField(_("why it was skipped"), blank=True)

    class Meta:
        verbose_name = _("imported row")
        verbose_name_plural = _("imported rows")
        ordering = ["run", "line"]
        constraints = [
            models.UniqueConstraint(fields=["run", "line"], name="alliance_import_row_once")
        ]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.line}"

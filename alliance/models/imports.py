"""Staff imports of organizations and focal points, once confirmed.

The preview before confirmation is not a row (a preview writes nothing to the
database): it is the uploaded file and its checked rows, kept in private storage under a
server-made name (``alliance/services/imports.py``). Confirming makes this row first;
its unique token is what stops a preview from being imported twice.
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
    started_at = models.DateTimeField(_("confirmed"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    #: {"created": [{"line", "label", "pk"}], "skipped": [{"line", "label", "reason"}]}
    result = models.JSONField(_("result"), default=dict, blank=True)

    class Meta:
        verbose_name = _("staff import")
        verbose_name_plural = _("staff imports")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.file_name}"

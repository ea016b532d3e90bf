from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RetentionRun(models.Model):
    """One pass of the retention rules: the log of what went (kinds and counts only, never
    who or what exactly)."""

    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    deleted_total = models.PositiveIntegerField(_("deleted"), default=0)
    failed_rules = models.PositiveSmallIntegerField(_("rules that failed"), default=0)

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} ({self.deleted_total})"


class RetentionLogEntry(models.Model):
    """What one rule deleted in one run."""

    run = models.ForeignKey(
        RetentionRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="entries"
    )
    rule_key = models.CharField(_("rule"), max_length=60)
    period_days = models.PositiveIntegerField(_("period (days)"))
    cutoff = models.DateTimeField(_("older than"))
    deleted = models.PositiveIntegerField(_("deleted"), default=0)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    #: The exception's kind only (its message may quote personal data); the worker log
    #: has the traceback.
    error = models.CharField(_("error"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("retention log entry")
        verbose_name_plural = _("retention log entries")
        ordering = ["run", "rule_key"]

    def __str__(self) -> str:
        return f"{self.rule_key}: {self.deleted}"

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboundEmail(models.Model):
    """One e-mail to one recipient, written in the same transaction as its cause.

    The row, not the broker, is the source of truth: the send task claims it
    (queued -> sending) before talking to the mail server, so a retried or duplicated
    message never sends it twice, and a lost message is found again by the sweeper.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    to_email = models.EmailField(_("recipient"), max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=100)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    #: One optional text attachment, e.g. an .ics calendar invitation.
    attachment_name = models.CharField(_("attachment"), max_length=100, blank=True)
    attachment_type = models.CharField(max_length=100, blank=True)
    attachment_content = models.TextField(blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} → {self.to_email} ({self.status})"

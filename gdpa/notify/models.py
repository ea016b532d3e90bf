from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboundEmail(models.Model):
    """One e-mail to one recipient, written in the same transaction as its cause.

    The row, not the broker, is the source of truth: the send task claims it
    (queued -> sending) before talking to the mail server, so a retried or duplicated
    message never sends it twice, and a lost message is found again by the sweeper.

    Fan-outs are sent by ``send_email_batch`` (``delivery.emails_deliver``), 100 rows over
    one connection, still row by row: each row is claimed in its own committed
    transaction just before its send and its outcome is written at once, before the next
    row is claimed. Over SMTP (``gdpa.notify.smtp.EmailBackend``) the row is marked *sent*
    around SMTP's final dot, the point where the server accepts the message (marked just
    before it is written, committed just after): a row left *sending* by a killed worker
    was never accepted, and the sweep queues it again (``marked_before_final_dot``). With another backend (an HTTP
    provider, locmem in tests) such a row may have arrived: the sweep marks it failed,
    "delivery unknown", never resent. The rows after it stay *queued* and are sent by
    the redelivered task or the sweep.

    Retention of the bodies (``body_text``, ``body_html``, ``attachment_content``), which
    carry live links (password reset, RSVP, invitations):

    - a *sent* row loses its bodies in the same write that marks it sent;
    - a *failed* row (refused by the mail server, or interrupted, ``MAX_ATTEMPTS`` times,
      or "delivery unknown": the worker stopped mid-send) keeps them so staff can resend it, for
      ``settings.EMAIL_FAILED_BODY_RETENTION_DAYS`` (7) after its last attempt; then the
      periodic ``sweep_emails`` clears them and the row can no longer be resent;
    - *queued* and *sending* rows keep them: they are still to be sent.

    Recipient, kind, subject, language, status, attempts, times and the last error are
    kept. ``bodies_cleared_at`` says when the bodies were dropped.

    Deliverability: a provider's tracking webhook (``gdpa.notify.tracking``) moves a sent
    row to *bounced* (hard bounce), *complained* (marked as spam) or *failed* (the provider
    rejected it). A row for an address on the suppression list (``RecipientAddress``) is
    *suppressed*: never sent, and its bodies are dropped at once. Every status change
    follows ``TRANSITIONS``.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        BOUNCED = "bounced", _("Bounced")
        COMPLAINED = "complained", _("Marked as spam")
        SUPPRESSED = "suppressed", _("Not sent: address suppressed")

    #: The one table of allowed status changes; a change not listed here is refused.
    #: queued -> sending (claimed by the task) or suppressed (the address was suppressed
    #: after the row was queued); sending -> queued (retry), sent, failed; sent -> the
    #: provider's verdict, or back to queued/failed when the SMTP server refused the
    #: message at its final dot (the row is marked sent around it); bounced -> complained (a
    #: later complaint); failed -> queued (staff resend).
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.QUEUED: frozenset({Status.SENDING, Status.SUPPRESSED}),
        Status.SENDING: frozenset({Status.QUEUED, Status.SENT, Status.FAILED}),
        Status.SENT: frozenset({Status.BOUNCED, Status.COMPLAINED, Status.FAILED, Status.QUEUED}),
        Status.BOUNCED: frozenset({Status.COMPLAINED}),
        Status.FAILED: frozenset({Status.QUEUED}),
        Status.COMPLAINED: frozenset(),
        Status.SUPPRESSED: frozenset(),
    }

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
    #: The provider's id for the message (``anymail_status.message_id``); empty for SMTP.
    #: Tracking webhooks find the row by it.
    provider_message_id = models.CharField(
        _("provider's message id"), max_length=255, blank=True, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    #: Set by each claim: whether this send marks the row *sent* at SMTP's final dot
    #: (``gdpa.notify.smtp.EmailBackend``: marked before the dot, committed after it). Then
    #: a row left *sending* was never accepted by the server and is sent again; otherwise
    #: its delivery is unknown.
    marked_before_final_dot = models.BooleanField(default=False, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    #: When the provider reported the message accepted by the recipient's server.
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    bodies_cleared_at = models.DateTimeField(_("content removed"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} → {self.to_email} ({self.status})"

    @classmethod
    def can_move(cls, current: str, new: str) -> bool:
        """Whether ``TRANSITIONS`` allows going from ``current`` to ``new``."""
        return new in cls.TRANSITIONS.get(current, frozenset())

    @property
    def can_resend(self) -> bool:
        """Failed, and its content is still kept: staff may queue it again."""
        return self.status == self.Status.FAILED and self.bodies_cleared_at is None

    @property
    def delivery_unknown(self) -> bool:
        """The worker stopped while sending: the message may or may not have arrived."""
        from .services import DELIVERY_UNKNOWN

        return self.status == self.Status.FAILED and self.last_error == DELIVERY_UNKNOWN


class RecipientAddress(models.Model):
    """What the portal knows about delivering to one address (stored in lower case).

    Hard bounces are counted since the last lift; when they reach
    ``settings.EMAIL_BOUNCE_LIMIT``, or at the first complaint, the address is
    *suppressed* (``suppressed_at`` set): e-mails to it are recorded as suppressed and
    never sent, until staff lift the suppression. The row belongs to the address, not
    to a person: someone who changes their address starts clean on the new one.
    """

    class Reason(models.TextChoices):
        BOUNCED = "bounced", _("Repeated hard bounces")
        COMPLAINED = "complained", _("Marked as spam")

    address = models.EmailField(_("address"), max_length=254, unique=True)
    hard_bounces = models.PositiveSmallIntegerField(_("hard bounces"), default=0)
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices, blank=True)
    suppressed_at = models.DateTimeField(_("suppressed"), null=True, blank=True)
    #: The e-mail whose bounce or complaint suppressed the address.
    cause = models.ForeignKey(
        OutboundEmail,
        verbose_name=_("cause"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("recipient address")
        verbose_name_plural = _("recipient addresses")
        ordering = ["-suppressed_at", "address"]
        indexes = [models.Index(fields=["suppressed_at"])]

    def __str__(self) -> str:
        return self.address

    @property
    def suppressed(self) -> bool:
        return self.suppressed_at is not None

    @staticmethod
    def normalize(address: str) -> str:
        return (address or "").strip().lower()

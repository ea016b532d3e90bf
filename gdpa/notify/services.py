"""Queue and deliver e-mail. Every message is rendered in the recipient's language.

Bodies hold live links (password reset, RSVP, invitations): they are kept only as long
as the message may still be sent. See ``OutboundEmail`` for the retention rules.
"""

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from anymail.exceptions import AnymailRecipientsRefused
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gdpa.audit.services import audit_record

from .dispatch import enqueue_each_on_commit, publish_each
from .dispatch import enqueue_on_commit as enqueue_task_on_commit
from .models import OutboundEmail, RecipientAddress

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
#: A queued row older than this whose task never ran is sent again by the sweeper.
STALE_QUEUED_AFTER = timedelta(minutes=10)
#: A row claimed but never marked sent (worker killed mid-send) is reported, not resent.
STALE_SENDING_AFTER = timedelta(hours=1)
#: Written as ``last_error`` of a row whose worker stopped while sending.
DELIVERY_UNKNOWN = "Delivery unknown: the worker stopped while sending. Not resent."
#: Written as ``last_error`` of a row that was not sent because its address is suppressed.
ADDRESS_SUPPRESSED = "Address suppressed: not sent."


def _move(email: OutboundEmail, new: str) -> None:
    """Set a new status, refusing any change ``OutboundEmail.TRANSITIONS`` does not list."""
    if not OutboundEmail.can_move(email.status, new):
        raise ValidationError(
            _("An e-mail cannot go from %(current)s to %(new)s.")
            % {"current": email.status, "new": new}
        )
    email.status = new


def address_suppressed(address: str) -> bool:
    """Whether e-mail to this address (any case) is suppressed (one query)."""
    return RecipientAddress.objects.filter(
        address=RecipientAddress.normalize(address), suppressed_at__isnull=False
    ).exists()


def failed_body_retention() -> timedelta:
    """How long a failed e-mail keeps its bodies so staff can resend it."""
    return timedelta(days=getattr(settings, "EMAIL_FAILED_BODY_RETENTION_DAYS", 7))


def _enqueue(email_id: int) -> None:
    from .tasks import send_email

    enqueue_task_on_commit(send_email, email_id)


def email_queue(
    *,
    to: str,
    kind: str,
    language: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    user=None,
    attachment: tuple[str, str, str] | None = None,
    enqueue: bool = True,
) -> OutboundEmail:
    """Store an already rendered e-mail and send it once the transaction commits.

    ``attachment`` is ``(filename, content, mimetype)``. Batch senders pass
    ``enqueue=False`` and enqueue the ids themselves (a suppressed row is then never
    claimed: the task finds nothing to do).

    An e-mail to a suppressed address is recorded with status *suppressed*, without its
    bodies, and never sent.
    """
    name, content, mimetype = attachment or ("", "", "")
    subject = " ".join(subject.splitlines()).strip()
    email = OutboundEmail(
        to_email=to,
        user=user,
        kind=kind,
        language=language,
        subject=subject[:255],
        body_text=body_text,
        body_html=body_html,
        attachment_name=name,
        attachment_type=mimetype,
        attachment_content=content,
    )
    if address_suppressed(to):
        email.status = OutboundEmail.Status.SUPPRESSED
        email.last_error = ADDRESS_SUPPRESSED
        _clear_bodies(email, timezone.now())
        email.save()
        logger.info("E-mail %s (%s) not sent: its address is suppressed.", email.pk, kind)
        return email
    email.save()
    if enqueue:
        _enqueue(email.pk)
    return email


def email_render_and_queue(
    *,
    to: str,
    kind: str,
    template: str,
    context: dict,
    language: str,
    user=None,
    time_zone: str | None = None,
    attachment: tuple[str, str, str] | None = None,
    enqueue: bool = True,
) -> OutboundEmail:
    """Render ``<template>_subject.txt``, ``_message.txt`` and ``_message.html``.

    Rendered in the recipient's language and, when given, their time zone.
    """
    context = {"site_url": settings.SITE_URL, **context}
    zone = time_zone or (getattr(user, "time_zone", None) if user else None) or "UTC"
    with translation.override(language), timezone.override(ZoneInfo(zone)):
        subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + render_to_string(
            f"{template}_subject.txt", context
        )
        body_text = render_to_string(f"{template}_message.txt", context)
        body_html = render_to_string(f"{template}_message.html", context)
    return email_queue(
        to=to,
        kind=kind,
        language=language,
        subject=subject,
        body_text=body_text.strip(),
        body_html=body_html.strip(),
        user=user,
        attachment=attachment,
        enqueue=enqueue,
    )


def emails_send_on_commit(email_ids: list[int]) -> None:
    """Send a batch of queued e-mails once the transaction commits."""
    from .tasks import send_email

    enqueue_each_on_commit(send_email, [(email_id,) for email_id in email_ids])


def _claim(email_id: int) -> OutboundEmail | None:
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=OutboundEmail.Status.QUEUED)
            .first()
        )
        if email is None:
            return None
        if address_suppressed(email.to_email):  # suppressed after the row was queued
            _move(email, OutboundEmail.Status.SUPPRESSED)
            email.last_error = ADDRESS_SUPPRESSED
            cleared = _clear_bodies(email, timezone.now())
            email.save(update_fields=["status", "last_error", *cleared])
            return None
        _move(email, OutboundEmail.Status.SENDING)
        email.attempts += 1
        email.claimed_at = timezone.now()
        email.save(update_fields=["status", "attempts", "claimed_at"])
        return email


#: What the message said (it may hold live links). Recipient, kind, subject, language,
#: status, attempts, times and error stay.
BODIES_CLEARED = {"body_text": "", "body_html": "", "attachment_content": ""}


def _clear_bodies(email: OutboundEmail, now) -> list[str]:
    for field, value in BODIES_CLEARED.items():
        setattr(email, field, value)
    email.bodies_cleared_at = now
    return [*BODIES_CLEARED, "bodies_cleared_at"]


def email_deliver(*, email_id: int) -> bool:
    """Send one queued e-mail. Returns True when it should be tried again later.

    Sending is at most once: the row is claimed in its own transaction before the
    mail server is contacted, so a second delivery of the same task finds nothing
    to do. Once sent, the bodies are cleared.
    """
    email = _claim(email_id)
    if email is None:
        return False
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to_email],
        headers={"Content-Language": email.language},
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    if email.attachment_name:
        message.attach(email.attachment_name, email.attachment_content, email.attachment_type)
    try:
        message.send()
        refused = _provider_refused(message)
    except AnymailRecipientsRefused:
        refused = True
    except Exception as exc:  # the mail server refused or was unreachable
        retry = email.attempts < MAX_ATTEMPTS
        # Only the id, kind and error class: a server's message may quote the content.
        logger.warning(
            "Sending e-mail %s (%s) failed on attempt %d of %d: %s",
            email.pk,
            email.kind,
            email.attempts,
            MAX_ATTEMPTS,
            type(exc).__name__,
        )
        _move(email, OutboundEmail.Status.QUEUED if retry else OutboundEmail.Status.FAILED)
        email.last_error = str(exc)[:2000]
        email.save(update_fields=["status", "last_error"])
        return retry
    if refused:  # the provider will not send to this address: trying again cannot help
        logger.warning("The provider refused e-mail %s (%s).", email.pk, email.kind)
        _move(email, OutboundEmail.Status.FAILED)
        email.last_error = PROVIDER_REFUSED
        email.save(update_fields=["status", "last_error"])
        return False
    now = timezone.now()
    _move(email, OutboundEmail.Status.SENT)
    email.sent_at = now
    email.last_error = ""
    email.provider_message_id = provider_message_id(message)
    cleared = _clear_bodies(email, now)
    email.save(update_fields=["status", "sent_at", "last_error", "provider_message_id", *cleared])
    return False


#: Written as ``last_error`` when the provider refused the recipient when sending.
PROVIDER_REFUSED = "Refused by the e-mail provider (invalid or suppressed recipient)."


def provider_message_id(message) -> str:
    """The id an anymail backend gave the message; empty for SMTP (no ``anymail_status``)."""
    status = getattr(message, "anymail_status", None)
    message_id = getattr(status, "message_id", None)
    if isinstance(message_id, set):  # one id per recipient; ours have one recipient
        message_id = next(iter(message_id)) if len(message_id) == 1 else None
    return "" if message_id is None else str(message_id)[:255]


def _provider_refused(message) -> bool:
    """An anymail backend reports a refused recipient as status "rejected" or "invalid"."""
    status = getattr(message, "anymail_status", None)
    statuses = getattr(status, "status", None) or set()
    return bool(statuses) and statuses <= {"rejected", "invalid"}


def emails_sweep(*, now=None) -> int:
    """The outbox's periodic sweep; returns how many lost messages were published again.

    - rows stuck in ``sending`` (the worker stopped mid-send) become ``failed`` with
      "delivery unknown": never resent automatically, staff may resend them;
    - failed rows lose their bodies once ``EMAIL_FAILED_BODY_RETENTION`` has passed
      since their last attempt;
    - rows still ``queued`` after ``STALE_QUEUED_AFTER`` (a lost or unpublished task
      message) are published again; the claim keeps a duplicate from sending twice.
    """
    from .tasks import send_email

    now = now or timezone.now()
    # sending -> failed, as ``OutboundEmail.TRANSITIONS`` allows.
    OutboundEmail.objects.filter(
        status=OutboundEmail.Status.SENDING, claimed_at__lt=now - STALE_SENDING_AFTER
    ).update(status=OutboundEmail.Status.FAILED, last_error=DELIVERY_UNKNOWN)
    cutoff = now - failed_body_retention()
    OutboundEmail.objects.filter(
        Q(claimed_at__lt=cutoff) | Q(claimed_at__isnull=True, created_at__lt=cutoff),
        status=OutboundEmail.Status.FAILED,
        bodies_cleared_at__isnull=True,
    ).update(**BODIES_CLEARED, bodies_cleared_at=now)
    stale_ids = list(
        OutboundEmail.objects.filter(
            status=OutboundEmail.Status.QUEUED, created_at__lt=now - STALE_QUEUED_AFTER
        ).values_list("pk", flat=True)[:1000]
    )
    return publish_each(send_email, [(email_id,) for email_id in stale_ids])


@transaction.atomic
def email_resend(*, actor, email_id: int) -> OutboundEmail:
    """Queue a failed e-mail again, at staff's request (it may arrive twice).

    Raises ``OutboundEmail.DoesNotExist`` for an unknown id and ``ValidationError`` when
    the row is not failed or its bodies were already cleared.
    """
    email = OutboundEmail.objects.select_for_update().get(pk=email_id)
    if not email.can_resend:
        raise ValidationError(
            _("Only a failed e-mail whose content is still kept can be sent again.")
        )
    before = {"status": email.status, "attempts": email.attempts, "last_error": email.last_error}
    _move(email, OutboundEmail.Status.QUEUED)
    email.attempts = 0
    email.claimed_at = None
    email.last_error = ""
    email.save(update_fields=["status", "attempts", "claimed_at", "last_error"])
    audit_record(
        actor=actor,
        action="email.resend",
        target=email,
        before=before,
        after={"status": email.status},
    )
    _enqueue(email.pk)
    return email

"""Queue and deliver e-mail. Every message is rendered in the recipient's language."""

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import OutboundEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
#: A queued row older than this whose task never ran is sent again by the sweeper.
STALE_QUEUED_AFTER = timedelta(minutes=10)
#: A row claimed but never marked sent (worker killed mid-send) is reported, not resent.
STALE_SENDING_AFTER = timedelta(hours=1)


def _enqueue(email_id: int) -> None:
    from .tasks import send_email

    transaction.on_commit(lambda: send_email.delay(email_id))


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
    ``enqueue=False`` and enqueue the ids themselves.
    """
    name, content, mimetype = attachment or ("", "", "")
    subject = " ".join(subject.splitlines()).strip()
    email = OutboundEmail.objects.create(
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


def enqueue_on_commit(email_ids: list[int]) -> None:
    """Send a batch of queued e-mails once the transaction commits."""
    from .tasks import send_email

    ids = list(email_ids)
    transaction.on_commit(lambda: [send_email.delay(email_id) for email_id in ids])


def _claim(email_id: int) -> OutboundEmail | None:
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=OutboundEmail.Status.QUEUED)
            .first()
        )
        if email is None:
            return None
        email.status = OutboundEmail.Status.SENDING
        email.attempts += 1
        email.claimed_at = timezone.now()
        email.save(update_fields=["status", "attempts", "claimed_at"])
        return email


def email_deliver(*, email_id: int) -> bool:
    """Send one queued e-mail. Returns True when it should be tried again later.

    Sending is at most once: the row is claimed in its own transaction before the
    mail server is contacted, so a second delivery of the same task finds nothing
    to do.
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
    except Exception as exc:  # the mail server refused or was unreachable
        logger.warning("Sending e-mail %s failed: %s", email.pk, exc)
        retry = email.attempts < MAX_ATTEMPTS
        email.status = OutboundEmail.Status.QUEUED if retry else OutboundEmail.Status.FAILED
        email.last_error = str(exc)[:2000]
        email.save(update_fields=["status", "last_error"])
        return retry
    email.status = OutboundEmail.Status.SENT
    email.sent_at = timezone.now()
    email.last_error = ""
    email.save(update_fields=["status", "sent_at", "last_error"])
    return False


def emails_sweep() -> int:
    """Re-enqueue queued e-mails whose task was lost; report ones stuck mid-send."""
    now = timezone.now()
    stuck = OutboundEmail.objects.filter(
        status=OutboundEmail.Status.SENDING, claimed_at__lt=now - STALE_SENDING_AFTER
    )
    stuck.update(
        status=OutboundEmail.Status.FAILED,
        last_error="Delivery unknown: the worker stopped while sending. Not resent.",
    )
    stale_ids = list(
        OutboundEmail.objects.filter(
            status=OutboundEmail.Status.QUEUED, created_at__lt=now - STALE_QUEUED_AFTER
        ).values_list("pk", flat=True)[:1000]
    )
    from .tasks import send_email

    for email_id in stale_ids:
        send_email.delay(email_id)
    return len(stale_ids)

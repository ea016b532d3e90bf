"""Queue e-mail (``gdpa.notify.delivery`` sends it). Every message is rendered in the
recipient's language.

Bodies hold live links (password reset, RSVP, invitations): they are kept only as long
as the message may still be sent. See ``OutboundEmail`` for the retention rules.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gdpa.audit.services import audit_record

from .dispatch import enqueue_each_on_commit
from .dispatch import enqueue_on_commit as enqueue_task_on_commit
from .models import OutboundEmail, RecipientAddress
from .rendering import email_render

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
#: A queued row older than this whose task never ran is sent again by the sweeper.
STALE_QUEUED_AFTER = timedelta(minutes=10)
#: A row still *sending* this long after its claim was left by a worker that stopped
#: (killed, or cut off by the task's hard time limit). No live send holds a claim this
#: long: ``send_email_batch`` is killed at ``CELERY_TASK_TIME_LIMIT`` (6 minutes) and
#: each exchange with the mail server gives up after ``EMAIL_TIMEOUT`` (30 s).
STALE_SENDING_AFTER = timedelta(minutes=10)
#: Written as ``last_error`` of a row whose worker stopped while sending through a backend
#: that cannot tell whether the message left (an HTTP provider): failed, not resent.
DELIVERY_UNKNOWN = "Delivery unknown: the worker stopped while sending. Not resent."
#: Written as ``last_error`` of a row whose worker stopped before its mark at SMTP's final
#: dot was committed: the server never accepted the message, so the row is queued again (failed once it has had
#: ``MAX_ATTEMPTS``).
SEND_INTERRUPTED = (
    "Interrupted: the worker stopped before the mail server accepted the message. Not delivered."
)
#: Written as ``last_error`` of a row that was not sent because its address is suppressed.
ADDRESS_SUPPRESSED = "Address suppressed: not sent."


def _refuse_unless_listed(current: str, new: str) -> None:
    """Refuse any change ``OutboundEmail.TRANSITIONS`` does not list."""
    if not OutboundEmail.can_move(current, new):
        raise ValidationError(
            _("An e-mail cannot go from %(current)s to %(new)s.") % {"current": current, "new": new}
        )


def _move(email: OutboundEmail, new: str) -> None:
    """Set a new status, refusing any change ``OutboundEmail.TRANSITIONS`` does not list."""
    _refuse_unless_listed(email.status, new)
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


def email_build(
    *,
    to: str,
    kind: str,
    language: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    user=None,
    attachment: tuple[str, str, str] | None = None,
) -> OutboundEmail:
    """An unsaved row for an already rendered e-mail (``attachment``: name, content, type)."""
    name, content, mimetype = attachment or ("", "", "")
    subject = " ".join(subject.splitlines()).strip()
    return OutboundEmail(
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


def _mark_suppressed(email: OutboundEmail, now) -> None:
    email.status = OutboundEmail.Status.SUPPRESSED
    email.last_error = ADDRESS_SUPPRESSED
    _clear_bodies(email, now)


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

    ``attachment`` is ``(filename, content, mimetype)``. Fan-outs write many rows at once
    with ``emails_queue_many``; ``enqueue=False`` leaves the sending to the caller (a
    suppressed row is then never claimed: the task finds nothing to do).

    An e-mail to a suppressed address is recorded with status *suppressed*, without its
    bodies, and never sent.
    """
    email = email_build(
        to=to,
        kind=kind,
        language=language,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        user=user,
        attachment=attachment,
    )
    if address_suppressed(to):
        _mark_suppressed(email, timezone.now())
        email.save()
        logger.info("E-mail %s (%s) not sent: its address is suppressed.", email.pk, kind)
        return email
    email.save()
    if enqueue:
        _enqueue(email.pk)
    return email


def emails_queue_many(emails: list[OutboundEmail]) -> list[OutboundEmail]:
    """Store a fan-out's rows (from ``email_build``) and send them once the transaction
    commits, in batches of ``SEND_BATCH`` over one connection each.

    Two queries whatever the number: the suppression list, then one INSERT. Rows to a
    suppressed address are stored *suppressed*, without their bodies, and never sent.
    """
    if not emails:
        return emails
    suppressed = _suppressed_addresses({RecipientAddress.normalize(e.to_email) for e in emails})
    now = timezone.now()
    for email in emails:
        if RecipientAddress.normalize(email.to_email) in suppressed:
            _mark_suppressed(email, now)
    OutboundEmail.objects.bulk_create(emails)
    held = sum(email.status == OutboundEmail.Status.SUPPRESSED for email in emails)
    if held:
        logger.info("%d e-mails not sent: their addresses are suppressed.", held)
    emails_send_on_commit(
        [email.pk for email in emails if email.status == OutboundEmail.Status.QUEUED]
    )
    return emails


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
    zone = time_zone or (getattr(user, "time_zone", None) if user else None) or "UTC"
    rendered = email_render(template=template, context=context, language=language, time_zone=zone)
    return email_queue(
        to=to,
        kind=kind,
        language=language,
        subject=rendered.subject,
        body_text=rendered.body_text,
        body_html=rendered.body_html,
        user=user,
        attachment=attachment,
        enqueue=enqueue,
    )


#: E-mails per ``send_email_batch`` task: one connection to the mail server sends them.
SEND_BATCH = 100


def emails_send_on_commit(email_ids: list[int]) -> None:
    """Send queued e-mails once the transaction commits: one ``send_email_batch`` task
    per ``SEND_BATCH`` ids."""
    from .tasks import send_email_batch

    enqueue_each_on_commit(
        send_email_batch,
        [(email_ids[i : i + SEND_BATCH],) for i in range(0, len(email_ids), SEND_BATCH)],
    )


#: What the message said (it may hold live links). Recipient, kind, subject, language,
#: status, attempts, times and error stay.
BODIES_CLEARED = {"body_text": "", "body_html": "", "attachment_content": ""}


def _clear_bodies(email: OutboundEmail, now) -> list[str]:
    for field, value in BODIES_CLEARED.items():
        setattr(email, field, value)
    email.bodies_cleared_at = now
    return [*BODIES_CLEARED, "bodies_cleared_at"]


def _suppressed_addresses(addresses: set[str]) -> set[str]:
    """Which of these (normalized) addresses are suppressed: one query."""
    return set(
        RecipientAddress.objects.filter(
            address__in=addresses, suppressed_at__isnull=False
        ).values_list("address", flat=True)
    )


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

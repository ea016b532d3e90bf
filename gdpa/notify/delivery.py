"""Deliver queued e-mail, exactly once where the mail server allows it.

``gdpa.notify.services`` queues messages (``OutboundEmail`` rows, the source of truth);
this module sends them: ``emails_deliver`` (a batch over one connection, row by row:
claimed, sent, its outcome written), ``email_deliver`` (one), and ``emails_sweep`` (the
periodic sweep of rows left behind). Over SMTP a row is marked sent at the final dot
(``gdpa.notify.smtp``), so a killed worker loses and doubles nothing; other backends are
at most once ("delivery unknown").
"""

import logging
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import partial

from anymail.exceptions import AnymailRecipientsRefused
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from gdpa.prepared import FAR_PAST, PreparedUpdate

from .dispatch import publish_each
from .models import OutboundEmail, RecipientAddress
from .services import (
    ADDRESS_SUPPRESSED,
    BODIES_CLEARED,
    DELIVERY_UNKNOWN,
    MAX_ATTEMPTS,
    SEND_BATCH,
    SEND_INTERRUPTED,
    STALE_QUEUED_AFTER,
    STALE_SENDING_AFTER,
    _clear_bodies,
    _move,
    _refuse_unless_listed,
    _suppressed_addresses,
    failed_body_retention,
)

logger = logging.getLogger(__name__)


def _claim_query(email_id, claimed_at, *, final_dot: bool):
    still_queued = (
        OutboundEmail.objects.select_for_update(skip_locked=True)
        .filter(pk=email_id, status=OutboundEmail.Status.QUEUED)
        .order_by()
        .values("pk")
    )
    return OutboundEmail.objects.filter(pk__in=still_queued), {
        "status": OutboundEmail.Status.SENDING,
        "attempts": F("attempts") + 1,
        "claimed_at": claimed_at,
        "marked_before_final_dot": final_dot,
    }


#: The claim, compiled once (a fan-out claims 10,000 rows): one per ``final_dot``.
_CLAIM = {
    final_dot: PreparedUpdate(
        f"notify.claim(final_dot={final_dot})",
        partial(_claim_query, final_dot=final_dot),
        -1,
        FAR_PAST,
    )
    for final_dot in (True, False)
}


def _claim(email: OutboundEmail, *, final_dot: bool = False) -> bool:
    """queued -> sending, committed, just before the send.

    One UPDATE of the row while it is still *queued*, locked with ``SELECT ... FOR
    UPDATE SKIP LOCKED`` in the same statement, which is its own transaction: a row
    another worker holds or has already claimed is skipped (False), so two workers never
    claim the same row. ``email`` (read *queued*) is updated in memory; its bodies are not
    read again. ``final_dot``: this send marks the row sent at SMTP's final dot
    (``marked_before_final_dot``).
    """
    now = timezone.now()
    if not _CLAIM[final_dot].run(email.pk, now):
        return False
    _move(email, OutboundEmail.Status.SENDING)
    email.attempts += 1
    email.claimed_at = now
    email.marked_before_final_dot = final_dot
    return True


def _message(email: OutboundEmail, connection) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to_email],
        headers={"Content-Language": email.language},
        connection=connection,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    if email.attachment_name:
        message.attach(email.attachment_name, email.attachment_content, email.attachment_type)
    return message


def _connection_lost(exc: Exception) -> bool:
    """The mail server is unreachable or hung up, as opposed to refusing one message
    (an ``smtplib.SMTPException`` is an ``OSError`` too, but a reply code is about the
    message)."""
    if isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def _record_failure(
    email: OutboundEmail, exc: BaseException, *, bodies: dict[str, str] | None = None
) -> bool:
    """sending -> queued (another attempt later) or, after ``MAX_ATTEMPTS``, failed.
    Returns whether it will be tried again.

    A row already marked *sent* at SMTP's final dot, which the server then refused (or
    whose reply never came), goes back the same way (sent -> queued/failed), with
    ``bodies`` (its bodies as read before the send) put back.
    """
    retry = email.attempts < MAX_ATTEMPTS
    taken_back = email.status == OutboundEmail.Status.SENT
    # Only the id, kind and error class: a server's message may quote the content.
    logger.warning(
        "Sending e-mail %s (%s) failed on attempt %d of %d%s: %s",
        email.pk,
        email.kind,
        email.attempts,
        MAX_ATTEMPTS,
        " at the final dot" if taken_back else "",
        type(exc).__name__,
    )
    _move(email, OutboundEmail.Status.QUEUED if retry else OutboundEmail.Status.FAILED)
    email.last_error = str(exc)[:2000]
    fields = ["status", "last_error"]
    if taken_back:
        for field, value in (bodies or {}).items():
            setattr(email, field, value)
        email.sent_at = email.bodies_cleared_at = None
        fields += ["sent_at", *BODIES_CLEARED, "bodies_cleared_at"]
    email.save(update_fields=fields)
    return retry


def _supports_final_dot(connection) -> bool:
    """Whether the backend writes SMTP's final dot inside ``around_final_dot``
    (``gdpa.notify.smtp.EmailBackend``)."""
    return getattr(connection, "supports_around_final_dot", False)


class ClaimLost(Exception):
    """The row is no longer this worker's claim (the sweep gave it up as interrupted):
    the final dot is not written, the message is not sent by this worker."""


#: A claimed row marked sent (bodies cleared), compiled once.
_MARK_SENT = PreparedUpdate(
    "notify.mark_sent",
    lambda email_id, claimed_at, now: (
        OutboundEmail.objects.filter(
            pk=email_id, status=OutboundEmail.Status.SENDING, claimed_at=claimed_at
        ),
        {
            "status": OutboundEmail.Status.SENT,
            "sent_at": now,
            "last_error": "",
            "provider_message_id": "",
            **BODIES_CLEARED,
            "bodies_cleared_at": now,
        },
    ),
    -1,
    FAR_PAST,
    FAR_PAST + timedelta(days=1),
)


@contextmanager
def _marked_sent_at_final_dot(email: OutboundEmail) -> Iterator[None]:
    """sending -> sent around the write of SMTP's final dot (``gdpa.notify.smtp``).

    On entering, after the message has been written to the server: one UPDATE marks the
    row sent and clears its bodies, in a transaction left open, so the row is locked and
    nothing is committed yet; only while the row is still this claim (*sending*, same
    ``claimed_at``), else ``ClaimLost`` and the dot is never written. The backend then
    writes the final dot, and leaving commits. A worker stopped before the commit (a kill,
    the database gone) leaves the row *sending*, so it is sent again; that is right unless
    it stopped in the instant between writing the dot and sending COMMIT, or the database
    failed that very COMMIT: the server had the message, which then arrives twice.

    Committing before the dot instead would turn that instant into a loss, and a longer
    one: the database commits an UPDATE it has received even if the worker dies while
    waiting for the answer (the round trip and the WAL flush, milliseconds, not an
    instant; the fault benchmark lost 1 of 5,000 that way).
    """
    now = timezone.now()
    with transaction.atomic():
        if not _MARK_SENT.run(email.pk, email.claimed_at, now):
            raise ClaimLost(f"E-mail {email.pk} is no longer this worker's claim.")
        yield  # the final dot is written here
    _move(email, OutboundEmail.Status.SENT)
    email.sent_at = now
    email.last_error = email.provider_message_id = ""
    _clear_bodies(email, now)


def _send_until_final_dot(email: OutboundEmail, message, connection) -> tuple[bool, bool]:
    """``_send_claimed`` over SMTP: the row is marked *sent* around the final dot (see
    ``_marked_sent_at_final_dot``); if the server then refuses the message, or the
    connection drops before its reply, the row goes back to *queued* (or *failed*)."""
    bodies = {field: getattr(email, field) for field in BODIES_CLEARED}
    message.around_final_dot = partial(_marked_sent_at_final_dot, email)
    try:
        message.send()
    except ClaimLost:
        # The connection was closed without the final dot; the row is someone else's.
        logger.warning("E-mail %s (%s) was taken over before its final dot.", email.pk, email.kind)
        return False, True
    except Exception as exc:
        # Before the commit (row *sending*): the dot was not written. After it (row
        # *sent*): refused, or the reply was lost with the connection; an MTA sends again
        # then too.
        retry = _record_failure(email, exc, bodies=bodies)
        if isinstance(exc, SoftTimeLimitExceeded):
            raise
        return retry, _connection_lost(exc) or not connection.connected
    return False, False


def _send_claimed(email: OutboundEmail, connection) -> tuple[bool, bool]:
    """Send one claimed row on the open ``connection`` and write its outcome at once
    (its own write, committed before the next row is claimed).

    Returns ``(retry, connection_lost)``: whether the row went back to *queued* for a
    later attempt, and whether the server is gone (the batch stops there).
    """
    message = _message(email, connection)
    if _supports_final_dot(connection):
        return _send_until_final_dot(email, message, connection)
    try:
        message.send()
        refused = _provider_refused(message)
    except AnymailRecipientsRefused:
        refused = True
    except SoftTimeLimitExceeded:
        # The message may have left (no final dot to go by here): the row stays *sending*
        # ("delivery unknown" once swept) rather than risk sending it twice.
        raise
    except Exception as exc:  # the mail server refused the message or went away
        return _record_failure(email, exc), _connection_lost(exc)
    if refused:  # the provider will not send to this address: trying again cannot help
        logger.warning("The provider refused e-mail %s (%s).", email.pk, email.kind)
        _move(email, OutboundEmail.Status.FAILED)
        email.last_error = PROVIDER_REFUSED
        email.save(update_fields=["status", "last_error"])
        return False, False
    now = timezone.now()
    _move(email, OutboundEmail.Status.SENT)
    email.sent_at = now
    email.last_error = ""
    email.provider_message_id = provider_message_id(message)
    cleared = _clear_bodies(email, now)
    email.save(update_fields=["status", "sent_at", "last_error", "provider_message_id", *cleared])
    return False, False


def _drop_suppressed(emails: list[OutboundEmail]) -> list[OutboundEmail]:
    """Queued rows whose address was suppressed after they were queued become
    *suppressed* (bodies dropped) in one UPDATE; returns the others."""
    suppressed = _suppressed_addresses({RecipientAddress.normalize(e.to_email) for e in emails})
    hit = {e.pk for e in emails if RecipientAddress.normalize(e.to_email) in suppressed}
    if not hit:
        return emails
    if not OutboundEmail.can_move(OutboundEmail.Status.QUEUED, OutboundEmail.Status.SUPPRESSED):
        raise ValidationError(_("A queued e-mail cannot be marked suppressed."))
    OutboundEmail.objects.filter(pk__in=hit, status=OutboundEmail.Status.QUEUED).update(
        status=OutboundEmail.Status.SUPPRESSED,
        last_error=ADDRESS_SUPPRESSED,
        **BODIES_CLEARED,
        bodies_cleared_at=timezone.now(),
    )
    logger.info("%d e-mails not sent: their addresses are suppressed.", len(hit))
    return [e for e in emails if e.pk not in hit]


def _queued_rows(email_ids: list[int]) -> list[OutboundEmail]:
    return list(
        OutboundEmail.objects.filter(pk__in=email_ids, status=OutboundEmail.Status.QUEUED).order_by(
            "pk"
        )
    )


def emails_deliver(*, email_ids: list[int]) -> list[int]:
    """Send the queued e-mails among ``email_ids`` over ONE connection to the mail
    server. Returns the ids to try again later (the server refused them or went away).

    Exactly once, row by row (``OutboundEmail`` is the source of truth):

    1. one query reads the rows still *queued*, with their bodies; rows already
       claimed, sent, failed or suppressed are left alone, so a batch run twice sends
       nothing the second time. Only when some are not *queued*: rows among them that
       an SMTP send left *sending* longer than ``STALE_SENDING_AFTER`` (its worker
       stopped before committing the final dot) are queued again first, as the sweep does;
    2. rows whose address is now suppressed become *suppressed* and are not sent;
    3. for each row in turn: it is claimed (queued -> sending, SKIP LOCKED, its own
       committed transaction), sent on the open connection, and its outcome written at
       once: *sent* (bodies cleared), *queued* again (refused, attempts below
       ``MAX_ATTEMPTS``) or *failed*.

    Over SMTP (``gdpa.notify.smtp.EmailBackend``) step 3 marks the row *sent* around
    SMTP's final dot, which is what makes the server accept the message: after the message
    has been written, one UPDATE marks it in a transaction left open, the final dot is
    written, and the transaction commits (``_marked_sent_at_final_dot``). So a row in
    *sent* had its final dot written; a row in *sending* was never accepted and is safe to
    send again, unless its worker died in the instant between writing the dot and sending
    COMMIT (then the message arrives twice; nothing is ever lost to a kill). When the
    server refuses the message at the final dot, or the connection drops before its reply,
    the row goes back to *queued* (or *failed*) with the reason in ``last_error`` (after a
    lost reply it may arrive twice, as with any mail server that retries).

    A worker killed mid-batch therefore leaves at most the one row it was sending in
    *sending*: ``emails_sweep`` queues it again once ``STALE_SENDING_AFTER`` has passed.
    With another backend (an HTTP provider's API, locmem in tests) nothing tells whether
    such a message left: the sweep marks it failed, "delivery unknown", and never resends
    it. The rows after it are still *queued*: the redelivered task (acks late) or the
    sweep sends them. When the server cannot be reached or hangs up, the batch stops;
    the rows not tried stay *queued* and are returned with the failed one.
    """
    emails = _queued_rows(email_ids)
    if len(emails) < len(set(email_ids)) and _requeue_interrupted(
        OutboundEmail.objects.filter(pk__in=email_ids), now=timezone.now()
    ):
        emails = _queued_rows(email_ids)
    if not emails:
        return []
    emails = _drop_suppressed(emails)
    retry: list[int] = []
    connection = get_connection()
    final_dot = _supports_final_dot(connection)
    opened = False
    try:
        for index, email in enumerate(emails):
            if not _claim(email, final_dot=final_dot):
                continue
            if not opened:
                try:
                    connection.open()  # once per batch
                except Exception as exc:  # unreachable: this row counts one attempt
                    again, lost = _record_failure(email, exc), True
                else:
                    opened = True
            if opened:
                again, lost = _send_claimed(email, connection)
            if again:
                retry.append(email.pk)
            if lost:
                return retry + [e.pk for e in emails[index + 1 :]]
    finally:
        if opened:
            connection.close()
    return retry


def email_deliver(*, email_id: int) -> bool:
    """Send one queued e-mail (``emails_deliver`` of one id). Returns True when it
    should be tried again later."""
    return bool(emails_deliver(email_ids=[email_id]))


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


def _requeue_interrupted(rows, *, now) -> int:
    """Among ``rows``, those an SMTP send left *sending* longer than
    ``STALE_SENDING_AFTER`` (``marked_before_final_dot``: the worker stopped before
    committing its final dot, so the server never accepted the message) go back to *queued*, or to
    *failed* once they have had ``MAX_ATTEMPTS``, with ``SEND_INTERRUPTED``. One UPDATE;
    returns how many rows it moved."""
    for new in (OutboundEmail.Status.QUEUED, OutboundEmail.Status.FAILED):
        _refuse_unless_listed(OutboundEmail.Status.SENDING, new)
    moved = rows.filter(
        status=OutboundEmail.Status.SENDING,
        marked_before_final_dot=True,
        claimed_at__lt=now - STALE_SENDING_AFTER,
    ).update(
        status=Case(
            When(attempts__lt=MAX_ATTEMPTS, then=Value(OutboundEmail.Status.QUEUED)),
            default=Value(OutboundEmail.Status.FAILED),
        ),
        last_error=SEND_INTERRUPTED,
    )
    if moved:
        logger.warning(
            "%d e-mails interrupted before the mail server accepted them: sent again.", moved
        )
    return moved


def emails_sweep(*, now=None) -> int:
    """The outbox's periodic sweep; returns how many queued e-mails were published again.

    - rows stuck in ``sending`` for ``STALE_SENDING_AFTER`` (the worker stopped
      mid-send): an SMTP send's (``marked_before_final_dot``) never committed its final
      dot, so the server never accepted it: it goes back to ``queued`` (``failed`` after
      ``MAX_ATTEMPTS``) and is sent again below; any other backend's may have arrived: it
      becomes ``failed`` with "delivery unknown", never resent automatically, staff may
      resend it;
    - failed rows lose their bodies once ``EMAIL_FAILED_BODY_RETENTION`` has passed
      since their last attempt;
    - rows still ``queued`` after ``STALE_QUEUED_AFTER`` (a lost or unpublished task
      message, or the rest of a batch whose worker was killed) are published again, in
      batches; the claim keeps a duplicate from sending twice.
    """
    from .tasks import send_email_batch

    now = now or timezone.now()
    _requeue_interrupted(OutboundEmail.objects.all(), now=now)
    # sending -> failed, as ``OutboundEmail.TRANSITIONS`` allows.
    OutboundEmail.objects.filter(
        status=OutboundEmail.Status.SENDING,
        marked_before_final_dot=False,
        claimed_at__lt=now - STALE_SENDING_AFTER,
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
    batches = [stale_ids[i : i + SEND_BATCH] for i in range(0, len(stale_ids), SEND_BATCH)]
    published = publish_each(send_email_batch, [(batch,) for batch in batches])
    return sum(len(batch) for batch in batches[:published])

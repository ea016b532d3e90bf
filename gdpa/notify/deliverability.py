"""Deliverability: what the provider reports about a sent e-mail, and the suppression list.

A report (from the tracking webhook, ``gdpa.notify.tracking``) names the message by the
provider's id recorded when it was sent. A report for an unknown message, or one that
does not fit the message's status (a late or repeated webhook), is logged and ignored.

Status changes are recorded in the audit log (actor "the portal"), not in a separate
e-mail event table: the staff page of an e-mail already shows its audit history, the
log is append-only and searchable in one place, and only the few changes that matter
are written (a bounce, a complaint, a rejection; not every "delivered" or "opened").
"""

import logging
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gdpa.audit.services import audit_record

from .models import OutboundEmail, RecipientAddress

logger = logging.getLogger(__name__)

#: What the provider says happened, in the portal's words.
DELIVERED = "delivered"
HARD_BOUNCE = "hard_bounce"
SOFT_BOUNCE = "soft_bounce"
COMPLAINED = "complained"
REJECTED = "rejected"
VERDICTS = (DELIVERED, HARD_BOUNCE, SOFT_BOUNCE, COMPLAINED, REJECTED)

_NEW_STATUS = {
    HARD_BOUNCE: OutboundEmail.Status.BOUNCED,
    COMPLAINED: OutboundEmail.Status.COMPLAINED,
    REJECTED: OutboundEmail.Status.FAILED,
}


def bounce_limit() -> int:
    return max(1, getattr(settings, "EMAIL_BOUNCE_LIMIT", 2))


@transaction.atomic
def email_delivery_report(
    *, message_id: str, verdict: str, detail: str = "", at: datetime | None = None
) -> OutboundEmail | None:
    """Apply the provider's report about one message; return the e-mail it changed.

    - delivered: the e-mail stays *sent*; ``delivered_at`` is recorded;
    - soft bounce: nothing changes (the provider tries again; a final failure comes as a
      hard bounce);
    - hard bounce: *bounced*, and the address's hard bounces are counted: at
      ``EMAIL_BOUNCE_LIMIT`` it is suppressed;
    - complaint: *complained*, and the address is suppressed at once;
    - rejected: *failed* (the provider refused to send it).
    """
    if verdict not in VERDICTS:
        raise ValueError(f"unknown verdict {verdict!r}")
    email = (
        OutboundEmail.objects.select_for_update()
        .defer("body_text", "body_html", "attachment_content")
        .filter(provider_message_id=message_id)
        .first()
        if message_id
        else None
    )
    if email is None:
        logger.info("Delivery report (%s) for an unknown message ignored.", verdict)
        return None
    if verdict == DELIVERED:
        if email.status == OutboundEmail.Status.SENT and email.delivered_at is None:
            email.delivered_at = at or timezone.now()
            email.save(update_fields=["delivered_at"])
        return email
    if verdict == SOFT_BOUNCE:
        logger.info(
            "E-mail %s (%s) bounced softly; the provider tries again.", email.pk, email.kind
        )
        return None
    new = _NEW_STATUS[verdict]
    if not OutboundEmail.can_move(email.status, new):
        logger.info(
            "Delivery report (%s) for e-mail %s in status %s ignored.",
            verdict,
            email.pk,
            email.status,
        )
        return None
    before = {"status": email.status, "last_error": email.last_error}
    email.status = new
    email.last_error = (detail or "").strip()[:2000]
    email.save(update_fields=["status", "last_error"])
    audit_record(
        actor=None,
        action=f"email.{new}",
        target=email,
        before=before,
        after={"status": email.status, "last_error": email.last_error},
    )
    if verdict == HARD_BOUNCE:
        _count_hard_bounce(email)
    elif verdict == COMPLAINED:
        _suppress(
            _address_row(email.to_email), reason=RecipientAddress.Reason.COMPLAINED, cause=email
        )
    return email


def _address_row(address: str) -> RecipientAddress:
    row, _created = RecipientAddress.objects.select_for_update().get_or_create(
        address=RecipientAddress.normalize(address)
    )
    return row


def _count_hard_bounce(email: OutboundEmail) -> None:
    row = _address_row(email.to_email)
    row.hard_bounces += 1
    row.save(update_fields=["hard_bounces", "updated_at"])
    if row.hard_bounces >= bounce_limit():
        _suppress(row, reason=RecipientAddress.Reason.BOUNCED, cause=email)


def _suppress(row: RecipientAddress, *, reason: str, cause: OutboundEmail) -> None:
    if row.suppressed:
        return
    row.reason = reason
    row.suppressed_at = timezone.now()
    row.cause = cause
    row.full_clean()
    row.save()
    logger.warning("An address was suppressed after e-mail %s (%s).", cause.pk, reason)
    audit_record(
        actor=None,
        action="email.address_suppressed",
        target=row,
        after={"reason": row.reason, "hard_bounces": row.hard_bounces},
    )


@transaction.atomic
def address_suppression_lift(*, actor, address_id: int) -> RecipientAddress:
    """Staff lift a suppression: e-mail to the address is sent again, and its hard
    bounces are counted afresh. Raises ``RecipientAddress.DoesNotExist`` for an unknown
    id and ``ValidationError`` when the address is not suppressed."""
    row = RecipientAddress.objects.select_for_update().get(pk=address_id)
    if not row.suppressed:
        raise ValidationError(_("E-mail to this address is not suppressed."))
    before = {"reason": row.reason, "hard_bounces": row.hard_bounces}
    _clear(row)
    audit_record(
        actor=actor,
        action="email.suppression_lifted",
        target=row,
        before=before,
        after={"reason": row.reason, "hard_bounces": row.hard_bounces},
    )
    return row


def _clear(row: RecipientAddress) -> None:
    row.reason = ""
    row.suppressed_at = None
    row.hard_bounces = 0
    row.cause = None
    row.full_clean()
    row.save()


@transaction.atomic
def address_confirmed(*, user, address: str) -> RecipientAddress | None:
    """The person confirmed ``address`` by following the link mailed to it: mail reaches
    it, so its earlier hard bounces no longer count and a bounce suppression is lifted.
    A complaint suppression stays until staff lift it (the person asked for no mail).
    Suppressions belong to addresses: another address of the person is not touched."""
    row = (
        RecipientAddress.objects.select_for_update()
        .filter(address=RecipientAddress.normalize(address))
        .first()
    )
    if row is None or row.reason == RecipientAddress.Reason.COMPLAINED:
        return None
    if not row.hard_bounces and not row.suppressed:
        return None
    before = {"reason": row.reason, "hard_bounces": row.hard_bounces}
    _clear(row)
    audit_record(
        actor=user,
        action="email.address_confirmed",
        target=row,
        before=before,
        after={"reason": row.reason, "hard_bounces": row.hard_bounces},
    )
    return row

"""Outgoing e-mail's personal data: the messages sent to the person and what the
portal knows about delivering to their addresses."""

from django.db.models import Q

from gdpa.privacy.registry import (
    PersonalData,
    erased_email,
    former_addresses,
    register_personal_data,
)

from .models import OutboundEmail, RecipientAddress


def _theirs(user, addresses=None) -> Q:
    addresses = addresses if addresses is not None else {user.email.lower()}
    query = Q(user=user)
    for address in addresses:
        query |= Q(to_email__iexact=address)
    return query


def _emails_export(user) -> list[dict]:
    return [
        {
            "to": e.to_email,
            "kind": e.kind,
            "subject": e.subject,
            "status": e.status,
            "created_at": e.created_at.isoformat(),
            "sent_at": e.sent_at.isoformat() if e.sent_at else None,
        }
        for e in OutboundEmail.objects.filter(_theirs(user))
        .order_by("pk")
        .only("to_email", "kind", "subject", "status", "created_at", "sent_at")
    ]


def _emails_anonymize(user) -> int:
    """The rows stay (staff's delivery figures), without address, subject or bodies."""
    return (
        OutboundEmail.objects.filter(_theirs(user, former_addresses(user)))
        .exclude(to_email=erased_email(user))
        .update(
            to_email=erased_email(user),
            subject="",
            body_text="",
            body_html="",
            attachment_name="",
            attachment_type="",
            attachment_content="",
            last_error="",
        )
    )


def _addresses_export(user) -> list[dict]:
    return [
        {
            "address": a.address,
            "hard_bounces": a.hard_bounces,
            "suppressed_at": a.suppressed_at.isoformat() if a.suppressed_at else None,
        }
        for a in RecipientAddress.objects.filter(address=user.email.lower())
    ]


def _addresses_anonymize(user) -> int:
    return RecipientAddress.objects.filter(address__in=former_addresses(user)).delete()[0]


def register() -> None:
    register_personal_data(
        PersonalData(
            "notify.OutboundEmail",
            (
                "user",
                "to_email",
                "subject",
                "body_text",
                "body_html",
                "attachment_name",
                "attachment_content",
            ),
            _emails_export,
            _emails_anonymize,
            order=30,
            owners=("user",),
        )
    )
    register_personal_data(
        PersonalData(
            "notify.RecipientAddress",
            ("address", "reason"),
            _addresses_export,
            _addresses_anonymize,
            order=31,
        )
    )

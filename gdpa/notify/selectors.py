from django.db.models import QuerySet

from .models import OutboundEmail, RecipientAddress

#: The bodies are never read to list or show a message: they may hold live links.
BODY_FIELDS = ("body_text", "body_html", "attachment_content")


def outbound_emails(
    *, status: str = "", kind: str = "", recipient: str = ""
) -> QuerySet[OutboundEmail]:
    """Newest first; ``recipient`` is part of the address, any case."""
    qs = OutboundEmail.objects.defer(*BODY_FIELDS).order_by("-created_at", "-pk")
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if recipient:
        qs = qs.filter(to_email__icontains=recipient)
    return qs


def outbound_email(*, email_id: int) -> OutboundEmail | None:
    return OutboundEmail.objects.defer(*BODY_FIELDS).filter(pk=email_id).first()


def failed_count() -> int:
    """How many e-mails failed for good (the staff to-do list; one query)."""
    return OutboundEmail.objects.filter(status=OutboundEmail.Status.FAILED).count()


def own_address_suppression(user) -> RecipientAddress | None:
    """The suppression of the person's current address, if e-mail to it is stopped."""
    if not getattr(user, "is_authenticated", False) or not user.email:
        return None
    return RecipientAddress.objects.filter(
        address=RecipientAddress.normalize(user.email), suppressed_at__isnull=False
    ).first()


def suppressed_addresses(*, address: str = "", reason: str = "") -> QuerySet[RecipientAddress]:
    """Suppressed addresses, most recent first; ``address`` is part of it, any case."""
    qs = (
        RecipientAddress.objects.filter(suppressed_at__isnull=False)
        .select_related("cause")
        .defer(*(f"cause__{name}" for name in BODY_FIELDS))
        .order_by("-suppressed_at", "pk")
    )
    if address:
        qs = qs.filter(address__contains=RecipientAddress.normalize(address))
    if reason:
        qs = qs.filter(reason=reason)
    return qs


def recipient_address(*, address_id: int) -> RecipientAddress | None:
    return RecipientAddress.objects.filter(pk=address_id).first()


def address_suppression_for(email: OutboundEmail) -> RecipientAddress | None:
    return RecipientAddress.objects.filter(
        address=RecipientAddress.normalize(email.to_email), suppressed_at__isnull=False
    ).first()


def outbound_emails_to(user) -> QuerySet[OutboundEmail]:
    """What was sent to one person: to their account, or to their address before it was
    linked to one. Newest first."""
    from django.db.models import Q

    return (
        OutboundEmail.objects.defer(*BODY_FIELDS)
        .filter(Q(user=user) | Q(to_email__iexact=user.email))
        .order_by("-created_at", "-pk")
    )

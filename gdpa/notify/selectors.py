from django.db.models import QuerySet

from .models import OutboundEmail

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


def outbound_emails_to(user) -> QuerySet[OutboundEmail]:
    """What was sent to one person: to their account, or to their address before it was
    linked to one. Newest first."""
    from django.db.models import Q

    return (
        OutboundEmail.objects.defer(*BODY_FIELDS)
        .filter(Q(user=user) | Q(to_email__iexact=user.email))
        .order_by("-created_at", "-pk")
    )

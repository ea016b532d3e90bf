from django.db.models import QuerySet

from .models import OutboundEmail


def outbound_emails(*, status: str = "") -> QuerySet[OutboundEmail]:
    qs = OutboundEmail.objects.defer("body_text", "body_html").order_by("-created_at", "-pk")
    if status:
        qs = qs.filter(status=status)
    return qs

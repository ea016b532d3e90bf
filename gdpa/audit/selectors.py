from django.db.models import QuerySet

from .models import AuditEntry


def audit_entries(*, action: str = "") -> QuerySet[AuditEntry]:
    qs = AuditEntry.objects.select_related("target_type").order_by("-at", "-pk")
    if action:
        qs = qs.filter(action__startswith=action)
    return qs

import datetime as dt

from django.db.models import Q, QuerySet

from . import registry
from .models import AuditEntry


def audit_entries(
    *,
    action: str = "",
    actor: str = "",
    target_type: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """Newest first. ``action``: a registered code matches itself, anything else is a
    prefix. Dates are whole days in the reader's time zone, both included."""
    qs = AuditEntry.objects.select_related("target_type").order_by("-at", "-pk")
    if action:
        if registry.action(action) is not None:
            qs = qs.filter(action=action)
        else:
            qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(Q(actor_label__icontains=actor) | Q(actor__email__iexact=actor))
    if target_type:
        qs = qs.filter(target_type_id=target_type)
    if start:
        qs = qs.filter(at__date__gte=start)
    if end:
        qs = qs.filter(at__date__lte=end)
    return qs


def audit_entries_for(target) -> QuerySet[AuditEntry]:
    """The entries about one object, oldest first: its history."""
    from django.contrib.contenttypes.models import ContentType

    return AuditEntry.objects.filter(
        target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk)
    ).order_by("at", "pk")

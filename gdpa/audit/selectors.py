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


def about_objects(queryset) -> Q:
    """Entries whose target is one of ``queryset``'s objects (as a subquery, not a list:
    one query whatever their number). ``target_id`` is text, so the keys are cast."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import CharField
    from django.db.models.functions import Cast

    keys = queryset.order_by().annotate(_audit_key=Cast("pk", CharField())).values("_audit_key")
    return Q(target_type=ContentType.objects.get_for_model(queryset.model), target_id__in=keys)


def about_object(target) -> Q:
    """Entries whose target is ``target``."""
    from django.contrib.contenttypes.models import ContentType

    return Q(target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk))


def audit_entries_where(condition: Q) -> QuerySet[AuditEntry]:
    """The entries matching ``condition`` (built with ``about_object``, ``about_objects``
    and plain ``Q`` on actor or action), newest first: a record's audit trail."""
    return AuditEntry.objects.filter(condition).select_related("target_type").order_by("-at", "-pk")

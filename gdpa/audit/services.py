"""Write audit entries. Services call ``audit_record`` inside their transaction."""

from django.contrib.contenttypes.models import ContentType
from django.forms.models import model_to_dict

from .models import AuditEntry


def snapshot(instance, fields: list[str]) -> dict:
    """The audited fields of an instance, as JSON-friendly values."""
    return {k: _plain(v) for k, v in model_to_dict(instance, fields=fields).items()}


def _plain(value):
    if hasattr(value, "pk"):
        return value.pk
    if hasattr(value, "code"):  # django-countries Country
        return value.code
    if isinstance(value, str | int | float | bool | type(None) | dict):
        return value
    if hasattr(value, "__iter__"):  # lists, querysets, multiple-country values
        return sorted(str(_plain(v)) for v in value)
    return str(value)


def audit_record(
    *, actor, action: str, target=None, before: dict | None = None, after: dict | None = None
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=(f"{actor} <{actor.email}>" if getattr(actor, "pk", None) else "system")[:300],
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:300] if target is not None else "",
        before=before,
        after=after,
    )

"""An audit entry in words: its action's label and its changes, field by field."""

from dataclasses import dataclass

from . import formatters, registry
from .models import AuditEntry

EMPTY = "—"


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: str | None  # None: the entry has no "before" side (a creation)
    after: str | None  # None: the entry has no "after" side (a removal)


@dataclass(frozen=True)
class Described:
    entry: AuditEntry
    label: str
    changes: list[Change]


def comparable(value):
    """The real value behind a JSON one, so "10:00Z" and "10:00+00:00" are equal and a
    list's order does not count as a change."""
    if isinstance(value, str):
        when = formatters.as_datetime(value)
        if when is not None:
            return when
        return value.strip()
    if isinstance(value, list | tuple):
        return tuple(sorted(str(comparable(v)) for v in value))
    if isinstance(value, dict):
        return tuple(sorted((k, str(comparable(v))) for k, v in value.items()))
    return value


def _model_label(entry: AuditEntry) -> str:
    ct = entry.target_type
    return f"{ct.app_label}.{ct.model}" if ct is not None else ""


def _show(value, spec: registry.Field | None, labels: dict) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if spec is not None and spec.formatter is not None:
        return str(spec.formatter(value))
    if labels:
        if isinstance(value, list | tuple):
            return ", ".join(str(labels.get(str(v), v)) for v in value)
        return str(labels.get(str(value), value))
    return formatters.text(value)


def _pair(before, after, spec, labels) -> tuple[str, str]:
    """Two datetimes on the same day: the second shows only its time."""
    shown_before, shown_after = _show(before, spec, labels), _show(after, spec, labels)
    if spec is not None and spec.formatter is formatters.datetime:
        a, b = formatters.as_datetime(before), formatters.as_datetime(after)
        if a and b:
            from django.utils import timezone

            if timezone.localtime(a).date() == timezone.localtime(b).date():
                shown_after = formatters.time(after)
    return shown_before, shown_after


def changed_fields(entry: AuditEntry) -> list[str]:
    before, after = entry.before or {}, entry.after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    keys = sorted(set(before) | set(after))
    if entry.before is None or entry.after is None:
        # A creation or a removal: its values, leaving out the empty ones.
        return [
            k
            for k in keys
            if (before.get(k) if entry.after is None else after.get(k)) not in (None, "", [], {})
        ]
    return [k for k in keys if comparable(before.get(k)) != comparable(after.get(k))]


def describe(entry: AuditEntry) -> Described:
    names = changed_fields(entry)
    in_scopes = registry.scopes(model_label=_model_label(entry), action_code=entry.action)
    before = entry.before if isinstance(entry.before, dict) else None
    after = entry.after if isinstance(entry.after, dict) else None
    changes = []
    for name in names:
        spec = registry.field(name, in_scopes)
        labels = registry.value_labels(name, in_scopes)
        label = str(spec.label) if spec is not None else name
        old = before.get(name) if before is not None else None
        new = after.get(name) if after is not None else None
        if before is not None and after is not None:
            shown_old, shown_new = _pair(old, new, spec, labels)
        else:
            shown_old = _show(old, spec, labels) if before is not None else None
            shown_new = _show(new, spec, labels) if after is not None else None
        changes.append(Change(name, label, shown_old, shown_new))
    return Described(entry, registry.action_label(entry.action, names), changes)

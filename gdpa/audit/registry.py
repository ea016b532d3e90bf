"""The audit log's vocabulary: what each action, field and value means in words.

The kernel does not know the apps. Each app registers, in its ``AppConfig.ready()``, the
actions it records and how to show the fields of its before/after snapshots::

    register_action("session.update", _("Session updated"), refine=...)
    register_field("session", "ends_at", _("end time"), formatters.datetime)
    register_value("notify.outboundemail", "kind", "session_invitation", _("Session invitation"))

A field is looked up by the entry's object type (``"alliance.alliancesession"``), then by
the action and its prefixes (``"session.update"``, ``"session"``), then under ``"*"``. What
nobody registered is shown as its raw code, never hidden.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

ANY = "*"


@dataclass(frozen=True)
class Action:
    code: str
    label: object
    #: Given the names of the changed fields, a more specific label or None.
    refine: Callable[[frozenset[str]], object | None] | None = None


@dataclass(frozen=True)
class Field:
    label: object
    #: value -> text; None shows the value through the registered value labels.
    formatter: Callable[[object], object] | None = None


_actions: dict[str, Action] = {}
_fields: dict[tuple[str, str], Field] = {}
_values: dict[tuple[str, str], dict[str, object]] = {}


def register_action(code: str, label, *, refine=None) -> None:
    _actions[code] = Action(code, label, refine)


def register_field(scope: str, field: str, label, formatter=None) -> None:
    """``scope`` is a model label in lower case (``"alliance.organization"``), an action
    or action prefix (``"session"``), or ``ANY``."""
    _fields[(scope.lower(), field)] = Field(label, formatter)


def register_value(scope: str, field: str, value: str, label) -> None:
    """A label for one value of a field (an e-mail kind, a code stored as text)."""
    _values.setdefault((scope.lower(), field), {})[value] = label


def register_values(scope: str, field: str, choices: Iterable[tuple[str, object]]) -> None:
    for value, label in choices:
        register_value(scope, field, value, label)


def action(code: str) -> Action | None:
    return _actions.get(code)


def action_label(code: str, changed: Iterable[str] = ()) -> str:
    found = _actions.get(code)
    if found is None:
        return code
    if found.refine is not None:
        refined = found.refine(frozenset(changed))
        if refined:
            return str(refined)
    return str(found.label)


def action_choices() -> list[tuple[str, str]]:
    """Every registered action as (code, label in the active language), by label."""
    return sorted(((c, str(a.label)) for c, a in _actions.items()), key=lambda x: x[1].lower())


def scopes(*, model_label: str = "", action_code: str = "") -> list[str]:
    """Where to look a field up, most specific first."""
    found = [model_label.lower()] if model_label else []
    parts = action_code.split(".") if action_code else []
    found += [".".join(parts[:i]) for i in range(len(parts), 0, -1)]
    return [*found, ANY]


def field(name: str, in_scopes: list[str]) -> Field | None:
    for scope in in_scopes:
        found = _fields.get((scope, name))
        if found is not None:
            return found
    return None


def value_labels(name: str, in_scopes: list[str]) -> dict[str, object]:
    for scope in in_scopes:
        found = _values.get((scope, name))
        if found is not None:
            return found
    return {}


def value_choices(scope: str, name: str) -> list[tuple[str, str]]:
    """The registered values of one field as (value, label), by label."""
    labels = _values.get((scope.lower(), name), {})
    return sorted(((v, str(lbl)) for v, lbl in labels.items()), key=lambda x: x[1].lower())


def value_label(scope: str, name: str, value: str) -> str:
    return str(_values.get((scope.lower(), name), {}).get(value, value))

"""Personal data, by model. The kernel knows no app: each app registers, in its
``AppConfig.ready()`` (from its own ``personal_data.py``), one handler per model that
holds a person's data::

    register_personal_data(
        PersonalData(
            model_label="trainings.TrainingFeedback",
            fields=("comment",),
            export=feedback_export,        # (user) -> list[dict] | dict
            anonymize=feedback_anonymize,  # (user) -> int (rows changed or deleted)
        )
    )

``fields`` names every field of the model that is personal or points to the person (a
foreign key to the user counts: erasure keeps the row pointing at the anonymized
account, or deletes the row). ``export`` runs a fixed number of queries and returns
JSON-friendly values; ``anonymize`` runs inside ``person_erase``'s transaction, after the
account itself has been renamed, so handlers may read ``erased_label(user)`` and
``erased_email(user)`` and the addresses the person had from ``former_addresses(user)``.
The test ``tests/gdpa/test_privacy.py`` asks every model of the project with a foreign
key to the user, or a field named like personal data, whether a handler lists it.
"""

from collections.abc import Callable
from dataclasses import dataclass

#: What replaces free text a person wrote where the row itself must stay.
REMOVED_TEXT = "[removed at the author's request]"


@dataclass(frozen=True)
class PersonalData:
    model_label: str  # "app_label.ModelName"
    fields: tuple[str, ...]
    export: Callable[..., list[dict] | dict]
    anonymize: Callable[..., int]
    #: Handlers run in this order (export and erasure).
    order: int = 100
    #: The lookups (``"user"``, ``"enrollment__user"``) that make a row the person's own;
    #: the audit log then scrubs the entries about those rows. ``None``: every foreign
    #: key to the user that ``fields`` lists; ``()``: no row is the person's own (an
    #: organization they registered, say).
    owners: tuple[str, ...] | None = None


_handlers: dict[str, PersonalData] = {}


def register_personal_data(handler: PersonalData) -> None:
    _handlers[handler.model_label] = handler


def handler_for(model_label: str) -> PersonalData | None:
    return _handlers.get(model_label)


def handlers() -> list[PersonalData]:
    return sorted(_handlers.values(), key=lambda h: (h.order, h.model_label))


def erased_label(user) -> str:
    """The name an erased account is known by (not translated: it is stored)."""
    return f"Erased person #{user.pk}"


def erased_email(user) -> str:
    """A unique address that can never receive mail (RFC 6761 reserves ``.invalid``)."""
    return f"erased-{user.pk}@invalid"


def former_addresses(user) -> set[str]:
    """The e-mail addresses the person had before erasure, lower-cased; set by
    ``person_erase`` before any handler runs."""
    return set(getattr(user, "_privacy_former_addresses", ()) or ())


def person_rows(user) -> dict[str, set[str]]:
    """Per model label, the pks (as text) of the rows that pointed to the person before
    erasure (through a foreign key a handler lists)."""
    return dict(getattr(user, "_privacy_rows", {}) or {})


def former_identity(user) -> dict:
    """The name and addresses the person had (for handlers that scrub snapshots)."""
    return dict(getattr(user, "_privacy_former_identity", {}) or {})


def plain(value):
    """A JSON-friendly form of a field value (dates, decimals, countries, files)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "code"):  # django-countries Country
        return value.code
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return str(value)


def model_handler(
    model_label: str,
    *,
    owner: str | tuple[str, ...],
    fields: tuple[str, ...],
    export_fields: tuple[str, ...],
    replace: Callable[..., dict] | dict | None = None,
    delete: bool = False,
    files: tuple[str, ...] = (),
    order: int = 100,
) -> PersonalData:
    """A handler for the common case: the rows whose ``owner`` field(s) point to the
    person are exported (``export_fields``, which may follow relations:
    ``"session__title"``) in one query, and on erasure either deleted or updated with
    ``replace`` (a dict, or a callable taking the user). ``files`` are file fields whose
    files are deleted once the erasure commits (the fields are blanked or the row goes).
    """
    owners = (owner,) if isinstance(owner, str) else owner

    def _model():
        from django.apps import apps

        return apps.get_model(model_label)

    def _rows(user):
        from django.db.models import Q

        query = Q()
        for name in owners:
            query |= Q(**{name: user})
        return _model()._default_manager.filter(query)

    def export(user) -> list[dict]:
        return [
            {k.replace("__", "."): plain(v) for k, v in row.items()}
            for row in _rows(user).order_by("pk").values(*export_fields)
        ]

    def anonymize(user) -> int:
        from django.db import transaction

        rows = _rows(user)
        if files:
            model = _model()
            names = []
            for row in rows.values_list(*files):
                for field_name, name in zip(files, row, strict=True):
                    if name:
                        names.append((model._meta.get_field(field_name).storage, name))

            def remove():
                for storage, name in names:
                    storage.delete(name)

            transaction.on_commit(remove)
        if delete:
            return rows.delete()[0]
        values = replace(user) if callable(replace) else dict(replace or {})
        values.update(dict.fromkeys(files, ""))
        return rows.update(**values) if values else 0

    return PersonalData(model_label, fields, export, anonymize, order, owners=owners)

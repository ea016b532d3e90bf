"""The audit log's personal data. Entries are kept (the record of who changed what must
survive an erasure), but the erased person's name and addresses are scrubbed from the
labels and before/after snapshots: the entries then point to the anonymized account."""

import re

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from gdpa.privacy.registry import (
    REMOVED_TEXT,
    PersonalData,
    erased_email,
    erased_label,
    former_identity,
    handler_for,
    person_rows,
    register_personal_data,
)

from .models import AuditEntry

#: Names shorter than this are not searched for inside other text (too many false hits).
MIN_NAME = 4


def _export(user) -> list[dict]:
    # What the person did and to what kind of record; not the records' labels, which
    # may name other people.
    return [
        {"at": at.isoformat(), "action": action, "record": f"{model or ''} #{target_id}"}
        for at, action, model, target_id in AuditEntry.objects.filter(actor=user)
        .order_by("pk")
        .values_list("at", "action", "target_type__model", "target_id")
    ]


def _scrubber(user):
    identity = former_identity(user)
    pairs = [(a, erased_email(user)) for a in identity.get("addresses", ()) if a]
    name = (identity.get("name") or "").strip()
    if len(name) >= MIN_NAME:
        pairs.append((name, erased_label(user)))
    patterns = [(re.compile(re.escape(old), re.IGNORECASE), new) for old, new in pairs]

    def scrub(value):
        if isinstance(value, str):
            for pattern, new in patterns:
                value = pattern.sub(new, value)
            return value
        if isinstance(value, dict):
            return {k: scrub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [scrub(v) for v in value]
        return value

    return [old for old, _ in pairs], scrub


def _anonymize(user) -> int:
    olds, scrub = _scrubber(user)
    about_user = Q(target_type__app_label="accounts", target_type__model="user") & Q(
        target_id=str(user.pk)
    )
    query = Q(actor=user) | about_user
    for old in olds:
        query |= (
            Q(actor_label__icontains=old)
            | Q(target_label__icontains=old)
            | Q(before__icontains=old)
            | Q(after__icontains=old)
        )
    changed = []
    # Entries about the person's own rows (a story, an input, an enrollment): the
    # personal fields of their snapshots go, and the label becomes "<type> #<id>".
    own = {}
    rows = {label: pks for label, pks in person_rows(user).items() if pks}
    models = {label: apps.get_model(label) for label in rows}
    # One query for every type not cached yet, not one per type.
    types = ContentType.objects.get_for_models(*models.values(), for_concrete_models=False)
    for label, pks in rows.items():
        content_type = types[models[label]]
        own[content_type.pk] = (label, pks)
        query |= Q(target_type=content_type, target_id__in=pks)
    user_type = ContentType.objects.get_for_model(type(user))
    entries = AuditEntry.objects.filter(query).select_related("target_type")
    for entry in entries.iterator(chunk_size=500):
        entry.is_about_user = entry.target_type_id == user_type.pk and entry.target_id == str(
            user.pk
        )
        new = {
            "actor_label": (
                erased_label(user) if entry.actor_id == user.pk else scrub(entry.actor_label)
            ),
            "target_label": (
                erased_label(user) if entry.is_about_user else scrub(entry.target_label)
            ),
            "before": scrub(entry.before),
            "after": scrub(entry.after),
        }
        mine = own.get(entry.target_type_id)
        if mine and entry.target_id in mine[1]:
            listed = set(handler_for(mine[0]).fields)
            new["target_label"] = f"{entry.target_type.model} #{entry.target_id}"
            for side in ("before", "after"):
                if isinstance(new[side], dict):
                    new[side] = {
                        k: (REMOVED_TEXT if k in listed and isinstance(v, str) and v else v)
                        for k, v in new[side].items()
                    }
        if any(getattr(entry, k) != v for k, v in new.items()):
            for k, v in new.items():
                setattr(entry, k, v)
            changed.append(entry)
    AuditEntry.objects.bulk_update(
        changed, ["actor_label", "target_label", "before", "after"], batch_size=500
    )
    return len(changed)


def register() -> None:
    register_personal_data(
        PersonalData(
            "audit.AuditEntry",
            ("actor", "actor_label", "target_label", "before", "after"),
            _export,
            _anonymize,
            order=1000,  # last: scrubs the entries the erasure itself wrote
            owners=(),
        )
    )

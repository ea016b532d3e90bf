"""What changed between two versions of a recommendation, word by word, for readers.

Versions are django-simple-history records (``Recommendation.history``). The diff works
on the words of the sanitized text (markup dropped), so a reader sees wording changes, not
tag changes; each change is a list of (kind, words) runs, kind being "same", "removed"
or "added", rendered with <del>/<ins> and their meaning in words for screen readers."""

import difflib
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from gdpa.portal.richtext import plain_text

from .models import Recommendation

#: Fields whose changes readers see, in reading order, with their labels.
SHOWN_FIELDS = [
    ("title_en", _("Title (English)")),
    ("title_fr", _("Title (French)")),
    ("title_es", _("Title (Spanish)")),
    ("text_en", _("Text (English)")),
    ("text_fr", _("Text (French)")),
    ("text_es", _("Text (Spanish)")),
    ("rationale", _("Rationale")),
    ("status", _("Status")),
]


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    runs: list[tuple[str, str]]


def versions_of(recommendation: Recommendation):
    """Every version, newest first, with who made it (one query)."""
    return recommendation.history.select_related("history_user").order_by(
        "-history_date", "-history_id"
    )


def word_runs(old: str, new: str) -> list[tuple[str, str]]:
    before, after = plain_text(old).split(), plain_text(new).split()
    runs: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            runs.append(("same", " ".join(before[a1:a2])))
            continue
        if a2 > a1:
            runs.append(("removed", " ".join(before[a1:a2])))
        if b2 > b1:
            runs.append(("added", " ".join(after[b1:b2])))
    return runs


def changes_between(older, newer) -> list[FieldChange]:
    """The shown fields that differ between two history records, as word runs."""
    changed = {c.field for c in newer.diff_against(older).changes}
    result = []
    for field, label in SHOWN_FIELDS:
        if field not in changed:
            continue
        old, new = getattr(older, field) or "", getattr(newer, field) or ""
        if field == "status":
            old = Recommendation.Status(old).label if old else ""
            new = Recommendation.Status(new).label
        result.append(FieldChange(field, str(label), word_runs(str(old), str(new))))
    return result

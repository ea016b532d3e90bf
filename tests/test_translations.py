"""French and Spanish catalogues translate every string of the portal."""

from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("language", ["fr", "es"])
def test_every_message_is_translated(language):
    path = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
    catalogue = polib.pofile(str(path))
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert not untranslated, f"{len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"
    assert len(catalogue) > 100


@pytest.mark.parametrize("language", ["fr", "es"])
def test_placeholders_survive_translation(language):
    import re

    catalogue = polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
    pattern = re.compile(r"%\(\w+\)s|\{\{ ?\w+ ?\}\}")
    for entry in catalogue.translated_entries():
        if entry.msgid_plural:
            continue
        assert sorted(pattern.findall(entry.msgid)) == sorted(pattern.findall(entry.msgstr)), (
            entry.msgid
        )

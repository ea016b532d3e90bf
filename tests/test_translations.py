"""French and Spanish catalogues translate every string of the portal."""

import os
import shutil
import subprocess
import sys
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


# --- The catalogues cover what the code says today ------------------------------------

#: The same as the Makefile's ``messages`` target.
IGNORED = [".venv", "var", "bench", "tests"]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[tuple]:
    """Every message the code marks for translation, extracted afresh by makemessages.

    Runs on a copy of the sources with an empty locale directory, so nothing in the
    working tree (or its catalogues) is touched.
    """
    if shutil.which("xgettext") is None:
        if os.environ.get("GDPA_REQUIRE_SERVICES") == "1":
            pytest.fail("GNU gettext (xgettext) is required: apt-get install gettext")
        pytest.skip("GNU gettext (xgettext) is not installed: apt-get install gettext")
    copy = tmp_path_factory.mktemp("sources") / "portal"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            *IGNORED,
            ".git",
            ".tools",
            "locale",
            "media",
            "node_modules",
            "__pycache__",
            "*.sqlite3",
        ),
    )
    (copy / "locale").mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gdpa.settings.test",
        "PYTHONPATH": str(copy),
    }
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "--locale=fr",
            "--no-obsolete",
            "--ignore=.venv",
            "--ignore=var",
            "--ignore=bench",
            "--ignore=tests",
        ],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    fresh = polib.pofile(str(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    messages = {_key(entry) for entry in fresh if not entry.obsolete}
    assert len(messages) > 100, "makemessages found almost nothing: is the copy complete?"
    return messages


def _key(entry) -> tuple:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


@pytest.mark.parametrize("language", ["fr", "es"])
def test_every_string_of_the_code_is_in_the_catalogue(language, extracted):
    catalogue = polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
    present = {_key(entry) for entry in catalogue if not entry.obsolete}
    missing = sorted(extracted - present)
    assert not missing, (
        f"{len(missing)} strings of the code are not in the {language} catalogue "
        f"(run `make messages` and translate them), e.g. {[m[1] for m in missing[:5]]}"
    )

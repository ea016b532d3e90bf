"""Compile every locale/*/LC_MESSAGES/*.po into its .mo with polib (no GNU gettext needed).

``make run``, ``make test`` and the Docker build call this, so a fresh machine needs
only Python. Updating the .po files (``make messages``) still uses Django's
makemessages, which needs gettext.
"""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    compiled = 0
    for po_path in ROOT.glob("locale/*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        compiled += 1
    print(f"Compiled {compiled} message catalogue(s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())

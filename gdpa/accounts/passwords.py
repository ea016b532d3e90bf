"""Password validators: a length ceiling and a check against breached passwords, offline.

``BreachedPasswordValidator`` looks the password's SHA-1 up in ``BREACHED_PASSWORDS_FILE``:
a text file with one upper-case hexadecimal SHA-1 per line, optionally followed by
``:COUNT``, sorted by hash — the format of Have I Been Pwned's "ordered by hash" download.
The file is searched by bisecting byte offsets, so even the full list (some 40 GB) is read
with a few dozen seeks and never loaded into memory. Without a configured file the small
sample in ``gdpa/accounts/data/`` is used (tests, development); docs/security.md says how
operators install the full list.
"""

import hashlib
import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

#: Hashes of well-known breached passwords, enough to prove the check in tests.
SAMPLE_FILE = Path(__file__).resolve().parent / "data" / "breached-passwords-sample.txt"
_HASH_LENGTH = 40


class MaximumLengthValidator:
    """Refuse passwords longer than ``max_length`` characters: hashing work stays bounded."""

    def __init__(self, max_length: int = 256):
        self.max_length = max_length

    def validate(self, password: str, user=None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "This password is too long. Use at most %(max_length)d character.",
                    "This password is too long. Use at most %(max_length)d characters.",
                    self.max_length,
                ),
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self) -> str:
        return ngettext(
            "Your password can be up to %(max_length)d character long.",
            "Your password can be up to %(max_length)d characters long.",
            self.max_length,
        ) % {"max_length": self.max_length}


def breached_passwords_file() -> Path:
    configured = getattr(settings, "BREACHED_PASSWORDS_FILE", "")
    path = Path(configured) if configured else SAMPLE_FILE
    if not path.is_file():
        raise ImproperlyConfigured(
            f"BREACHED_PASSWORDS_FILE points to {path}, which is not a readable file "
            "(see docs/security.md, 'Passwords')."
        )
    return path


def _line_at(handle, offset: int) -> tuple[bytes, int]:
    """The first whole line starting at or after ``offset``, and the offset after it."""
    handle.seek(max(offset - 1, 0))
    if offset:
        handle.readline()  # up to the end of the line holding offset - 1
    start = handle.tell()
    line = handle.readline()
    return line, start + len(line)


def sha1_in_sorted_file(path: Path, digest: str) -> bool:
    """Whether the upper-case hex ``digest`` is a line (or a line's ``HASH:`` prefix) of the
    sorted file at ``path``."""
    target = digest.upper().encode()
    with path.open("rb") as handle:
        low, high = 0, os.fstat(handle.fileno()).st_size
        # Invariant: every line starting before `low` is smaller than the target, every
        # line starting at or after `high` is larger.
        while low < high:
            middle = (low + high) // 2
            line, end = _line_at(handle, middle)
            key = line[:_HASH_LENGTH].upper()
            if not line or key > target:
                high = middle
            elif key < target:
                low = end
            else:
                return True
        return False


class BreachedPasswordValidator:
    """Refuse a password that appears in a breached-password list (no network needed)."""

    def validate(self, password: str, user=None) -> None:
        digest = hashlib.sha1(password.encode(), usedforsecurity=False).hexdigest()
        if sha1_in_sorted_file(breached_passwords_file(), digest):
            raise ValidationError(
                _(
                    "This password has appeared in a data breach, so attackers try it first. "
                    "Choose another one, for example a few unrelated words."
                ),
                code="password_breached",
            )

    def get_help_text(self) -> str:
        return _("Your password cannot be one that has appeared in a known data breach.")

"""The kept preview: the uploaded file and its checked rows in private storage, under a
server-made token, bound to the staff member who uploaded it."""

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils import timezone

from .rows import DUPLICATE, INVALID, NEW

# The kept preview -------------------------------------------------------------------------

PREVIEW_LIFETIME = timedelta(hours=2)
STORAGE_PREFIX = "imports/"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


class PreviewUnavailable(ValidationError):
    """The preview expired, or was already confirmed."""


@dataclass
class ImportPreview:
    token: str
    kind: str
    owner_id: int
    file_name: str
    file_format: str
    sha256: str
    created_at: str  # ISO 8601, UTC
    columns: list[str]
    ignored: list[str]
    rows: list[dict]
    importable: list[int] = field(default_factory=list)

    @property
    def started(self) -> datetime:
        return datetime.fromisoformat(self.created_at)

    @property
    def expires_at(self) -> datetime:
        return self.started + PREVIEW_LIFETIME

    @property
    def expired(self) -> bool:
        return timezone.now() >= self.expires_at

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r["status"] == status)

    @property
    def counts(self) -> dict[str, int]:
        return {s: self.count(s) for s in (NEW, DUPLICATE, INVALID)}


def preview_path(token: str, suffix: str) -> str:
    return f"{STORAGE_PREFIX}{token}.{suffix}"


def preview_get(token: str) -> ImportPreview | None:
    """The kept preview, or None (never made, or already swept away)."""
    if not _TOKEN.match(token or ""):
        return None
    try:
        with default_storage.open(preview_path(token, "json")) as stored:
            return ImportPreview(**json.loads(stored.read()))
    except (FileNotFoundError, OSError, ValueError, TypeError):
        return None

"""What the portal deletes by itself, and after how long.

Each app registers its rules in ``AppConfig.ready()`` (from its own ``retention.py``); the
kernel's periodic task (``gdpa.retention.tasks.apply_retention``) runs every registered rule
and never imports an app.

A rule's ``purge(now, cutoff)`` deletes what is older than ``cutoff`` and no longer needed
and returns how many rows went. It runs inside a transaction of its own; files are deleted
with :func:`delete_file_on_commit`, so a rule that fails (and is rolled back) never leaves a
row without its file, and a dry run (rolled back on purpose) deletes no file.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction


@dataclass(frozen=True)
class RetentionRule:
    key: str
    label: str
    #: The key of ``settings.RETENTION_DAYS`` that sets the period.
    period_setting: str
    default_days: int
    purge: Callable[[datetime, datetime], int]
    #: What is kept although older (shown on the staff page), in words.
    keeps: str = ""

    @property
    def days(self) -> int:
        """The period in days; 0 turns the rule off."""
        configured = getattr(settings, "RETENTION_DAYS", {}) or {}
        return max(0, int(configured.get(self.period_setting, self.default_days)))

    @property
    def environment_variable(self) -> str:
        """The variable the settings read the period from (``gdpa/settings/base.py``)."""
        return f"RETENTION_{self.period_setting.upper()}_DAYS"

    def cutoff(self, now: datetime) -> datetime | None:
        return now - timedelta(days=self.days) if self.days else None


_RULES: dict[str, RetentionRule] = {}


def register_rule(rule: RetentionRule) -> None:
    if rule.key in _RULES and _RULES[rule.key] != rule:
        raise ValueError(f"Retention rule {rule.key!r} registered twice")
    _RULES[rule.key] = rule


def unregister_rule(key: str) -> None:
    """For tests."""
    _RULES.pop(key, None)


def rules() -> list[RetentionRule]:
    return sorted(_RULES.values(), key=lambda r: r.key)


def get_rule(key: str) -> RetentionRule | None:
    return _RULES.get(key)


def delete_file_on_commit(fieldfile) -> None:
    """Delete a stored file once the surrounding transaction commits (never on rollback)."""
    if fieldfile:
        delete_path_on_commit(fieldfile.storage, fieldfile.name)


def delete_path_on_commit(storage, name: str) -> None:
    transaction.on_commit(partial(_delete_quietly, storage, name))


def _delete_quietly(storage, name: str) -> None:
    with suppress(OSError):  # already gone: nothing left to delete
        storage.delete(name)

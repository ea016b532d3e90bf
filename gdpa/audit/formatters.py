"""Ways to show a before/after value in words, in the reader's language and time zone.

Snapshots store plain JSON: datetimes as text (``"2026-03-02 10:00:00+00:00"`` or ISO
``"2026-03-02T10:00:00Z"``), country codes, choice values, booleans, lists of codes. A
formatter turns one such value into text; the app that owns the field picks the formatter.
"""

import datetime as dt

from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django_countries import countries as _countries


def as_datetime(value) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = parse_datetime(value.strip())
        except ValueError:
            return None
    else:
        return None
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, dt.UTC)
    return parsed


def as_date(value) -> dt.date | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return parse_date(value.strip())
        except ValueError:
            return None
    return None


def text(value) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return boolean(value)
    return str(value)


def datetime(value) -> str:
    """In the reader's time zone, in the portal's date format."""
    parsed = as_datetime(value)
    if parsed is None:
        return text(value)
    return formats.date_format(timezone.localtime(parsed), "DATETIME_FORMAT")


def time(value) -> str:
    parsed = as_datetime(value)
    if parsed is None:
        return text(value)
    return formats.time_format(timezone.localtime(parsed), "TIME_FORMAT")


def date(value) -> str:
    parsed = as_date(value)
    if parsed is None:
        return text(value)
    return formats.date_format(parsed, "DATE_FORMAT")


def boolean(value) -> str:
    if value in (True, "True", "true", 1):
        return _("Yes")
    if value in (False, "False", "false", 0):
        return _("No")
    return str(value)


def country(value) -> str:
    name = _countries.name(str(value)) if value else ""
    return str(name) or text(value)


def countries(value) -> str:
    codes = value if isinstance(value, list | tuple) else [value]
    return ", ".join(sorted(country(code) for code in codes))


def choices(pairs):
    """A formatter showing a choice's label: ``choices(Organization.Kind.choices)``."""
    labels = dict(pairs)

    def show(value) -> str:
        if isinstance(value, list | tuple):
            return ", ".join(str(labels.get(v, v)) for v in value)
        return str(labels.get(value, value))

    return show

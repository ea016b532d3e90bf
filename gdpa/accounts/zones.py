"""Time zones as people know them: localized names from Babel (CLDR), the IANA code second.

Stored values stay IANA codes ("Pacific/Fiji"); only what people read changes:
"Fiji Time — Pacific/Fiji" in a picker, "Fiji Time (Pacific/Fiji)" beside a session time,
"heure des îles Fidji (Pacific/Fiji)" for a French reader.
"""

import datetime
import functools
import unicodedata
import zoneinfo

from babel import Locale, UnknownLocaleError
from babel.dates import get_timezone_name
from django.conf import settings
from django.utils import translation

#: Names of the one zone CLDR treats as a metazone of its own (Babel says "Unknown Region").
UTC_ALIASES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "Etc/Universal", "Etc/Zulu", "UCT", "Zulu"})


def _babel_locale(language: str | None = None) -> Locale:
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    try:
        return Locale.parse(translation.to_locale(language))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def _zone_key(zone) -> str:
    # Accepts "Pacific/Fiji" and ZoneInfo("Pacific/Fiji") (what {% get_current_timezone %} gives).
    return getattr(zone, "key", None) or str(zone)


@functools.lru_cache(maxsize=4096)
def _localized_name(key: str, locale: Locale) -> str:
    if key in UTC_ALIASES:
        return locale.time_zones.get("Etc/UTC", {}).get("long", {}).get("standard") or "UTC"
    try:
        return get_timezone_name(key, width="long", locale=locale)
    except LookupError:
        return key


def zone_name(zone, language: str | None = None) -> str:
    """The zone's name in the reader's language, e.g. "Fiji Time" or "heure des îles Fidji"."""
    key = _zone_key(zone)
    if not key:
        return ""
    return _localized_name(key, _babel_locale(language))


def zone_display(zone, language: str | None = None) -> str:
    """The localized name with the IANA code second: "Fiji Time (Pacific/Fiji)"."""
    key = _zone_key(zone)
    if not key:
        return ""
    name = zone_name(key, language)
    return key if name == key else f"{name} ({key})"


def offset_label(offset: datetime.timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "\u2212"  # a real minus sign, read as "minus"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def _sort_key(text: str) -> str:
    # Accent- and case-insensitive order ("Île" sorts with "I"), good enough for en/fr/es.
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def picker_zones() -> list[str]:
    """The IANA codes a person can choose (the same set the portal always offered)."""
    return sorted(
        z
        for z in zoneinfo.available_timezones()
        if "/" in z and not z.startswith(("Etc/", "SystemV/"))
    )


@functools.lru_cache(maxsize=16)
def _grouped_choices(locale: Locale, day: datetime.date) -> list:
    now = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
    groups: dict[datetime.timedelta, list[tuple[str, str]]] = {}
    for key in picker_zones():
        offset = now.astimezone(zoneinfo.ZoneInfo(key)).utcoffset()
        groups.setdefault(offset, []).append((key, f"{_localized_name(key, locale)} — {key}"))
    choices: list = [("UTC", f"{_localized_name('UTC', locale)} — UTC")]
    for offset in sorted(groups):
        options = sorted(groups[offset], key=lambda c: (_sort_key(c[1]), c[0]))
        choices.append((offset_label(offset), options))
    return choices


def time_zone_choices(language: str | None = None) -> list:
    """Choices for a time-zone picker in the active language.

    UTC first, then one group per current UTC offset (west to east), each sorted by the
    localized name: ``("UTC+12:00", [("Pacific/Fiji", "Fiji Time — Pacific/Fiji"), ...])``.
    The value stays the IANA code. Cached per language and day (offsets move with summer time).
    """
    return _grouped_choices(_babel_locale(language), datetime.datetime.now(datetime.UTC).date())

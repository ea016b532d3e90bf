"""Country names in the reader's language, computed once per language per process.

django-countries translates a name on every lookup; a page listing 250 countries (a
filter) or 175 member states paid for 400 translations each time. Names do not change
while the process runs, so they are kept per language here."""

from functools import lru_cache

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_countries import countries


@lru_cache(maxsize=8)
def _names(language: str) -> dict[str, str]:
    return {code: str(name) for code, name in countries}  # sorted by name in ``language``


def country_names() -> dict[str, str]:
    """``{code: name}`` in the active language, in that language's alphabetical order."""
    return _names(get_language() or "en")


def country_choices(codes=None) -> list[tuple[str, str]]:
    """(code, name) by name: every country, or those of ``codes`` (unknown codes last)."""
    names = country_names()
    if codes is None:
        return list(names.items())
    wanted = set(codes)
    known = [(code, name) for code, name in names.items() if code in wanted]
    return known + sorted((code, code) for code in wanted - names.keys())


def any_country_choices() -> list[tuple[str, str]]:
    """A filter's choices: "Any country", then every country by name (for ``QuickSelect``,
    which draws them once per language: the list only changes with the language)."""
    return [("", _("Any country")), *country_choices()]


any_country_choices.same_per_language = True

"""Form widgets shared by the apps (patterns recorded in docs/design.md)."""

import functools
import json

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext
from django_countries import countries

AUTOCOMPLETE = "vendor/accessible-autocomplete-3.0.1"


class CountrySelectMultiple(forms.SelectMultiple):
    """Several countries out of ~250: a plain ``<select multiple>`` that works without
    JavaScript, enhanced by ``static/js/autocomplete.js`` into GOV.UK's accessible
    autocomplete (type "Fij", arrows, Enter) that adds each chosen country to a list of
    "Remove Fiji" buttons; the hidden original select still carries the values.

    Choices are ISO codes; their names are read from django-countries when the widget is
    drawn, so they are in the reader's language and sorted in it (a field's ``choices=countries``
    is fixed, in English, when the module is imported).

    The script's words come translated from here (a ``data-autocomplete-texts`` JSON
    attribute), so the lead's usual ``makemessages`` covers them.
    """

    template_name = "django/forms/widgets/country_select_multiple.html"

    def __init__(self, attrs=None, choices=()):
        super().__init__({"size": 8, "data-autocomplete-multiple": "", **(attrs or {})}, choices)

    class Media:
        css = {"all": [f"{AUTOCOMPLETE}/accessible-autocomplete.min.css"]}
        js = [
            forms.Script(f"{AUTOCOMPLETE}/accessible-autocomplete.min.js", defer=True),
            forms.Script("js/autocomplete.js", defer=True),
        ]

    @staticmethod
    def texts() -> dict[str, str]:
        results = "%(count)s result is available.", "%(count)s results are available."
        return {
            "noResults": gettext("No country found"),
            "statusNoResults": gettext("No search results"),
            # The script only needs one and many: a list of results is never empty here.
            "statusResultsOne": ngettext(*results, 1),
            "statusResultsOther": ngettext(*results, 2),
            "statusSelected": gettext("%(option)s, %(position)s of %(count)s, is highlighted."),
            "assistiveHint": gettext(
                "Type the start of a country's name. When results appear, use the up and down "
                "arrows to review them and Enter to choose one. Touch device users, explore "
                "by touch or with swipe gestures."
            ),
            "chosen": gettext("Chosen countries"),
            "noneChosen": gettext("No country chosen yet."),
            "remove": gettext("Remove %(country)s"),
            "added": gettext("%(country)s added."),
            "removed": gettext("%(country)s removed."),
        }

    def localized_choices(self) -> list[tuple[str, str]]:
        labels = dict(self.choices)
        named = [(country.code, country.name) for country in countries if country.code in labels]
        known = {code for code, _name in named}
        return named + [(code, label) for code, label in self.choices if code not in known]

    def optgroups(self, name, value, attrs=None):
        fixed = self.choices
        self.choices = self.localized_choices()
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = fixed

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["texts"] = json.dumps(self.texts(), ensure_ascii=False)
        element_id = widget["attrs"].get("id")
        if element_id:
            # Without JavaScript the "hold Ctrl" note describes the plain select too.
            widget["nojs_id"] = f"{element_id}_nojs"
            described = widget["attrs"].get("aria-describedby", "")
            widget["attrs"]["aria-describedby"] = f"{described} {widget['nojs_id']}".strip()
        return context


class QuickSelect(forms.Select):
    """A single ``<select>`` with hundreds of options (countries, member states) drawn in
    Python. Django draws every option through a template, which made a filter form of
    250 countries and 175 member states most of a directory page's time; this is the same
    markup (attributes from ``build_attrs``, escaped labels, ``selected``) at a small
    fraction of the cost. Grouped choices are not supported (use ``forms.Select``).

    Choices given as a function marked ``same_per_language`` (the country lists) are
    drawn once per language and process; only ``selected`` is placed per render."""

    def _flat_choices(self):
        # Choices given as a function are read as it returns them: Django would normalize
        # each of the 250 pairs again on every render, and once more for ``required``.
        func = getattr(self.choices, "func", None)
        return func() if callable(func) else self.choices

    def _options(self) -> list[tuple[str, str]]:
        """(value, ``<option value="…">label</option>`` without ``selected``) per choice."""
        func = getattr(self.choices, "func", None)
        if getattr(func, "same_per_language", False):
            return _drawn_options(func, get_language())
        return _draw_options(self._flat_choices())

    def use_required_attribute(self, initial):
        first = next(iter(self._flat_choices()), None)
        return (
            forms.Widget.use_required_attribute(self, initial)
            and first is not None
            and self._choice_has_empty_value(first)
        )

    def render(self, name, value, attrs=None, renderer=None):
        final = {"name": name, **self.build_attrs(self.attrs, attrs)}
        chosen = set(self.format_value(value))
        options = "".join(
            drawn.replace(">", " selected>", 1) if code in chosen else drawn
            for code, drawn in self._options()
        )
        return format_html("<select{}>{}</select>", flatatt(final), mark_safe(options))  # noqa: S308


def _draw_options(choices) -> list[tuple[str, str]]:
    options = []
    for option_value, label in choices:
        if isinstance(label, list | tuple):
            raise TypeError("QuickSelect draws flat choices only.")
        code = "" if option_value is None else str(option_value)
        options.append((code, f'<option value="{escape(code)}">{escape(label)}</option>'))
    return options


@functools.lru_cache(maxsize=32)
def _drawn_options(func, language: str) -> list[tuple[str, str]]:
    return _draw_options(func())

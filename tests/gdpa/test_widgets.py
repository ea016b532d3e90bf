"""The quick select draws what Django's own select draws, escaped, with the choice marked."""

import re

from django import forms
from django.test import override_settings
from django.utils import translation

from gdpa.portal.countries import any_country_choices, country_choices, country_names
from gdpa.portal.widgets import QuickSelect

CHOICES = [("", "All"), ("FJ", "Fiji"), ("X<", "Tom & <Jerry>")]


def test_quick_select_draws_the_same_options_as_djangos_select():
    quick = QuickSelect(choices=CHOICES).render("country", "FJ", {"id": "id_country"})
    plain = forms.Select(choices=CHOICES).render("country", "FJ", {"id": "id_country"})
    squash = lambda html: "".join(html.split())  # noqa: E731 - Django's template adds newlines
    assert squash(quick).split(">", 1)[1] == squash(plain).split(">", 1)[1]  # the options
    opening = lambda html: sorted(re.findall(r'(\w+)="([^"]*)"', html.split(">", 1)[0]))  # noqa: E731
    assert opening(quick) == opening(plain) == [("id", "id_country"), ("name", "country")]
    assert '<option value="FJ" selected>Fiji</option>' in quick
    assert "Tom &amp; &lt;Jerry&gt;" in quick and "<Jerry>" not in quick


@override_settings(LANGUAGE_CODE="en")
def test_country_names_follow_the_readers_language():
    with translation.override("fr"):
        assert country_names()["DE"] == "Allemagne"
        assert country_choices(["PE", "DE", "ZZ"]) == [
            ("DE", "Allemagne"),
            ("PE", "Pérou"),
            ("ZZ", "ZZ"),
        ]
    with translation.override("es"):
        assert country_names()["DE"] == "Alemania"


class _CountryFilter(forms.Form):
    country = forms.ChoiceField(required=False, choices=any_country_choices, widget=QuickSelect)


class _RequiredChoice(forms.Form):
    kind = forms.ChoiceField(choices=CHOICES, widget=QuickSelect)


def test_the_country_filter_is_drawn_in_each_readers_language_with_their_choice():
    with translation.override("en"):
        english = str(_CountryFilter({"country": "DE"})["country"])
    with translation.override("fr"):
        french = str(_CountryFilter({"country": "PE"})["country"])
    assert '<option value="DE" selected>Germany</option>' in english
    assert '<option value="PE">Peru</option>' in english
    assert '<option value="DE">Allemagne</option>' in french
    assert '<option value="PE" selected>Pérou</option>' in french
    assert '<option value="" selected>' not in french and "Any country" not in french


def test_required_is_announced_only_when_the_field_must_be_chosen():
    # Django's rule: required fields whose first option is the empty one.
    assert " required" in str(_RequiredChoice()["kind"])
    assert " required" not in str(_CountryFilter()["country"])

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from alliance.forms import TranslatedChoiceField
from alliance.selectors import sectors


class YouthJoinForm(forms.Form):
    birth_year = forms.IntegerField(label=_("Year of birth"), min_value=1900, max_value=2100)
    heritage_countries = forms.MultipleChoiceField(
        label=_("Countries of heritage"),
        choices=countries,
        help_text=_("Where you or your family come from. Hold Ctrl (or ⌘) to choose several."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    interests = TranslatedChoiceField(
        label=_("Sectors you care about"),
        queryset=sectors(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    about = forms.CharField(
        label=_("About you"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that IOM processes this information to involve me in the alliance's "
            "youth activities. I can withdraw at any time."
        ),
        required=True,
    )

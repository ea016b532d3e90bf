from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from .models import User
from .zones import time_zone_choices

#: Messages in the GOV.UK style (say what to do); docs/design.md, "Error summary and field errors".
CHOOSE_FROM_LIST = _("Choose one of the options in the list")
TIME_ZONE_ERRORS = {
    "required": _("Choose your time zone"),
    "invalid_choice": _("Choose your time zone from the list"),
}


class SignupDetailsForm(forms.Form):
    """Extra fields on allauth's sign-up form (allauth calls ``signup``)."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        help_text=_("As you would like it to appear to other members. Any script is welcome."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Enter your full name")},
    )
    country_of_residence = LazyTypedChoiceField(
        label=_("Country of residence"),
        choices=[("", "—"), *countries],
        required=False,
        error_messages={"invalid_choice": CHOOSE_FROM_LIST},
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        initial="UTC",
        help_text=_("Session times are shown to you in this time zone."),
        error_messages=TIME_ZONE_ERRORS,
    )
    field_order = [
        "full_name",
        "email",
        "password1",
        "password2",
        "country_of_residence",
        "time_zone",
    ]

    def signup(self, request, user: User) -> None:
        user.full_name = self.cleaned_data["full_name"].strip()
        user.country_of_residence = self.cleaned_data.get("country_of_residence") or ""
        user.time_zone = self.cleaned_data["time_zone"]
        language = translation.get_language() or settings.LANGUAGE_CODE
        user.preferred_language = language[:2] if language[:2] in dict(settings.LANGUAGES) else "en"
        user.save()


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=time_zone_choices, error_messages=TIME_ZONE_ERRORS
    )

    class Meta:
        model = User
        fields = [
            "full_name",
            "preferred_language",
            "time_zone",
            "country_of_residence",
            "gender",
            "gender_self_description",
        ]
        help_texts = {
            "gender": _("Optional. Used only, without names, in participation statistics."),
            "gender_self_description": _("Only if you chose to describe yourself."),
        }
        error_messages = {
            "full_name": {"required": _("Enter your full name")},
            "preferred_language": {
                "required": _("Choose your language"),
                "invalid_choice": CHOOSE_FROM_LIST,
            },
            "country_of_residence": {"invalid_choice": CHOOSE_FROM_LIST},
            "gender": {"invalid_choice": CHOOSE_FROM_LIST},
        }


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        error_messages={
            "required": _("Choose a language"),
            "invalid_choice": _("Choose a language from the list"),
        },
    )
    next = forms.CharField(required=False)

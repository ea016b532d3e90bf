from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from alliance.forms import TranslatedChoiceField
from alliance.selectors import sectors
from gdpa.portal.widgets import CountrySelectMultiple

from .age import validate_date_of_birth
from .models import CONSENT_TEXTS, CONSENT_VERSION

ISO_DATE = "%Y-%m-%d"  # what a browser's date input sends


class YouthJoinForm(forms.Form):
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        input_formats=[ISO_DATE],
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format=ISO_DATE),
        error_messages={
            "required": _("Enter your date of birth"),
            "invalid": _(
                "Enter your date of birth as a real date: year, month and day, "
                "for example 2001-03-27."
            ),
        },
    )
    heritage_countries = forms.MultipleChoiceField(
        label=_("Countries of heritage"),
        choices=countries,
        help_text=_("Where you or your family come from."),
        widget=CountrySelectMultiple,
        error_messages={
            "required": _("Choose at least one country of heritage"),
            "invalid_choice": _("Choose countries from the list"),
        },
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
        label=CONSENT_TEXTS[CONSENT_VERSION],
        required=True,
        help_text=format_lazy(
            _('How we use and protect your data: read the <a href="{url}">privacy notice</a>.'),
            url=reverse_lazy("portal:privacy"),
        ),
        error_messages={"required": _("Tick the box to give your consent")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date_of_birth"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_date_of_birth(self):
        date_of_birth = self.cleaned_data["date_of_birth"]
        validate_date_of_birth(date_of_birth, timezone.localdate())
        return date_of_birth


class YouthConsentWithdrawForm(forms.Form):
    understood = forms.BooleanField(
        label=_(
            "I understand that I will no longer be a youth participant and that my youth "
            "profile will be deleted."
        ),
        required=True,
        error_messages={"required": _("Tick the box to confirm that you want to withdraw.")},
    )

import datetime

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance import selectors as alliance_selectors
from alliance.forms import CHOOSE_FROM_LIST, TranslatedChoiceField
from gdpa.accounts.forms import time_zone_choices

from .models import Offering, TrainingProgramme


class UtcDateTimeField(forms.DateTimeField):
    """A date and time typed and shown in UTC, whatever the reader's own zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def to_python(self, value):
        with timezone.override(datetime.UTC):
            return super().to_python(value)

    def prepare_value(self, value):
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            return value.astimezone(datetime.UTC).replace(tzinfo=None)
        return value


class ProgrammeForm(forms.ModelForm):
    sectors = TranslatedChoiceField(
        label=_("Sectors"),
        queryset=alliance_selectors.sectors(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = TrainingProgramme
        fields = [
            "title",
            "summary",
            "learning_objectives",
            "audience",
            "sectors",
            "language",
            "mode",
            "published",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "learning_objectives": forms.Textarea(attrs={"rows": 5}),
        }
        error_messages = {
            "title": {"required": _("Enter the title")},
            "summary": {"required": _("Enter a summary of the programme")},
            "learning_objectives": {"required": _("Enter the learning objectives")},
            "audience": {
                "required": _("Choose who the programme is for"),
                "invalid_choice": CHOOSE_FROM_LIST,
            },
            "language": {
                "required": _("Choose the language of the programme"),
                "invalid_choice": CHOOSE_FROM_LIST,
            },
            "mode": {
                "required": _("Choose how the programme is taught"),
                "invalid_choice": CHOOSE_FROM_LIST,
            },
        }


class OfferingForm(forms.ModelForm):
    join_url = forms.URLField(
        label=_("Join link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        error_messages={
            "invalid": _(
                "Enter the join link in the correct format, like https://meet.example.org/abc"
            )
        },
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        help_text=_("The zone the training's days and meetings are in."),
        error_messages={
            "required": _("Choose the offering's time zone"),
            "invalid_choice": CHOOSE_FROM_LIST,
        },
    )
    enrollment_opens_at = UtcDateTimeField(
        label=_("Enrollment opens"),
        help_text=_("In UTC, for example 2027-03-01 09:00."),
        error_messages={
            "required": _("Enter when enrollment opens"),
            "invalid": _("Enter the date and time like 2027-03-01 09:00"),
        },
    )
    enrollment_closes_at = UtcDateTimeField(
        label=_("Enrollment closes"),
        help_text=_("In UTC, for example 2027-03-31 17:00."),
        error_messages={
            "required": _("Enter when enrollment closes"),
            "invalid": _("Enter the date and time like 2027-03-31 17:00"),
        },
    )

    class Meta:
        model = Offering
        fields = [
            "title",
            "starts_on",
            "ends_on",
            "time_zone",
            "venue",
            "join_url",
            "capacity",
            "enrollment_opens_at",
            "enrollment_closes_at",
            "needs_approval",
            "status",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        error_messages = {
            "title": {"required": _("Enter the cohort name")},
            "starts_on": {
                "required": _("Enter the first day"),
                "invalid": _("Enter the first day as a date, like 2027-04-12"),
            },
            "ends_on": {
                "required": _("Enter the last day"),
                "invalid": _("Enter the last day as a date, like 2027-04-16"),
            },
            "capacity": {
                "required": _("Enter the number of seats"),
                "invalid": _("Enter the capacity as a whole number, like 25"),
                "min_value": _("The capacity must be 1 or more"),
            },
            "status": {
                "required": _("Choose the offering's status"),
                "invalid_choice": CHOOSE_FROM_LIST,
            },
        }

    def __init__(self, *args, offering: Offering | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["capacity"].min_value = 1
        self.fields["capacity"].widget.attrs["min"] = 1
        current = offering.status if offering else None
        allowed = (
            {current, *Offering.TRANSITIONS[Offering.Status(current)]}
            if current
            else {Offering.Status.DRAFT, Offering.Status.OPEN}
        )
        self.fields["status"].choices = [c for c in Offering.Status.choices if c[0] in allowed]


class CatalogueFilterForm(forms.Form):
    audience = forms.ChoiceField(
        label=_("Audience"),
        required=False,
        choices=[("", _("Any audience")), *TrainingProgramme.Audience.choices],
        error_messages={"invalid_choice": CHOOSE_FROM_LIST},
    )
    sector = forms.ModelChoiceField(
        label=_("Sector"),
        required=False,
        queryset=alliance_selectors.sectors(),
        empty_label=_("Any sector"),
        error_messages={"invalid_choice": CHOOSE_FROM_LIST},
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Any language")), *settings.LANGUAGES],
        error_messages={"invalid_choice": CHOOSE_FROM_LIST},
    )

    def filters(self) -> dict:
        """The valid filters; an unreadable one is left out (its message shows)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "audience": data.get("audience", ""),
            "sector": data.get("sector"),
            "language": data.get("language", ""),
        }


class VerifyCodeForm(forms.Form):
    """The public verification page's one field; the code is read however it was typed
    (spaces, dashes, lower case)."""

    code = forms.CharField(
        label=_("Verification code"),
        max_length=64,
        help_text=_("Printed on the certificate, for example ABCD-EFGH-JKMN-PQRS-TUVW."),
        error_messages={
            "required": _("Enter the verification code printed on the certificate"),
            "max_length": _("A verification code is 20 letters and digits"),
        },
    )

    def clean_code(self) -> str:
        from .models import normalize_code

        code = normalize_code(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError(_("Enter the verification code printed on the certificate"))
        return code


class CertificateRevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revoking"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Published with the revocation, in the learner's badge. Do not include "
            "personal details."
        ),
        error_messages={
            "required": _("Enter the reason for revoking the certificate"),
            "max_length": _("The reason must be 1,000 characters or fewer"),
        },
    )

"""Input validation of the youth app's pages."""

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from alliance.forms import TranslatedChoiceField
from alliance.models import Organization
from alliance.selectors import sectors
from gdpa.accounts.forms import CHOOSE_FROM_LIST, ProfileForm
from gdpa.accounts.models import Gender
from gdpa.portal.widgets import CountrySelectMultiple

from .age import validate_date_of_birth
from .models import CONSENT_TEXTS, CONSENT_VERSION, PUBLIC_CONSENT_TEXTS, PUBLIC_CONSENT_VERSION
from .selectors import youth_organizations_for

ISO_DATE = "%Y-%m-%d"  # what a browser's date input sends
PRIVACY_HELP = format_lazy(
    _('How we use and protect your data: read the <a href="{url}">privacy notice</a>.'),
    url=reverse_lazy("portal:privacy"),
)
PUBLIC_CONSENT_HELP = _(
    "Optional. Without it you still take part, and nothing about you is shown publicly. "
    "You can give it later, or withdraw it, on your consent page."
)
TICK_TO_CONSENT = _("Tick the box to give your consent")


def public_consent_field(*, required: bool) -> forms.BooleanField:
    """The consent to public display: an unticked box labelled with its full current text."""
    return forms.BooleanField(
        label=PUBLIC_CONSENT_TEXTS[PUBLIC_CONSENT_VERSION],
        required=required,
        help_text=PUBLIC_CONSENT_HELP if not required else PRIVACY_HELP,
        error_messages={"required": TICK_TO_CONSENT},
    )


class YouthJoinForm(forms.Form):
    """Joining as a youth participant. The gender is the account's own (the same choices
    and self-description as on the profile page); the organization can only be one of the
    person's verified diaspora organizations."""

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
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=Gender.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Used only, without names, in participation figures. It is saved on your "
            "account, where you can change it."
        ),
        error_messages={
            "required": _('Choose your gender, or "Prefer not to say"'),
            "invalid_choice": CHOOSE_FROM_LIST,
        },
    )
    gender_self_description = forms.CharField(
        label=_("Gender, in your own words"),
        max_length=100,
        required=False,
        help_text=ProfileForm._meta.help_texts["gender_self_description"],
    )
    heritage_countries = forms.MultipleChoiceField(
        label=_("Countries of origin"),
        choices=countries,
        help_text=_("Where you or your family come from."),
        widget=CountrySelectMultiple,
        error_messages={
            "required": _("Choose at least one country of origin"),
            "invalid_choice": _("Choose countries from the list"),
        },
    )
    country_of_residence = LazyTypedChoiceField(
        label=_("Country of residence"),
        choices=[("", "—"), *countries],
        error_messages={
            "required": _("Choose the country you live in"),
            "invalid_choice": CHOOSE_FROM_LIST,
        },
    )
    diaspora_community = forms.CharField(
        label=_("Diaspora community"),
        max_length=200,
        required=False,
        help_text=_('In your own words, for example "Georgian community in Greece".'),
    )
    interests = TranslatedChoiceField(
        label=_("Sectors of interest"),
        queryset=sectors(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.CharField(
        label=_("Languages you speak"),
        max_length=200,
        required=False,
        help_text=_("For example: Spanish, English."),
    )
    organization = forms.ModelChoiceField(
        label=_("Your diaspora organization"),
        queryset=None,
        required=False,
        empty_label=_("None"),
        help_text=_(
            "Optional. You can link your participation to a verified diaspora organization "
            "you are a member of."
        ),
        error_messages={"invalid_choice": _("Choose one of your organizations from the list")},
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
        help_text=PRIVACY_HELP,
        error_messages={"required": TICK_TO_CONSENT},
    )
    public_consent = public_consent_field(required=False)

    def __init__(self, *args, user=None, **kwargs):
        initial = kwargs.pop("initial", {})
        if user is not None:
            initial = {
                "gender": user.gender or None,
                "gender_self_description": user.gender_self_description,
                "country_of_residence": user.country_of_residence,
                **initial,
            }
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["date_of_birth"].widget.attrs["max"] = timezone.localdate().isoformat()
        organizations = self.fields["organization"]
        organizations.queryset = (
            youth_organizations_for(user) if user is not None else Organization.objects.none()
        )
        if not organizations.queryset.exists():
            # Nothing to offer: the field stays (a posted id is still refused) but unseen.
            organizations.widget = forms.HiddenInput()

    def clean_date_of_birth(self):
        date_of_birth = self.cleaned_data["date_of_birth"]
        validate_date_of_birth(date_of_birth, timezone.localdate())
        return date_of_birth

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("gender") == Gender.SELF_DESCRIBED
            and not (cleaned.get("gender_self_description") or "").strip()
        ):
            self.add_error(
                "gender_self_description",
                _("Describe your gender in your own words, or choose another option"),
            )
        return cleaned


class YouthPublicConsentForm(forms.Form):
    """Giving the consent to public display later, on the consent page."""

    public_consent = public_consent_field(required=True)


class YouthConsentWithdrawForm(forms.Form):
    understood = forms.BooleanField(
        label=_(
            "I understand that I will no longer be a youth participant and that my youth "
            "profile will be deleted."
        ),
        required=True,
        error_messages={"required": _("Tick the box to confirm that you want to withdraw.")},
    )


AGE_HELP = _("In whole years, from 13 to 99.")


class YouthSettingsForm(forms.Form):
    """The youth age range staff set: both ages included, on the day a person joins."""

    min_age = forms.IntegerField(
        label=_("Youngest age"),
        min_value=13,
        max_value=99,
        help_text=AGE_HELP,
        error_messages={
            "required": _("Enter the youngest age"),
            "invalid": _("Enter the youngest age as a whole number, like 18"),
            "min_value": _("Enter a youngest age from 13 to 99"),
            "max_value": _("Enter a youngest age from 13 to 99"),
        },
    )
    max_age = forms.IntegerField(
        label=_("Oldest age"),
        min_value=13,
        max_value=99,
        help_text=AGE_HELP,
        error_messages={
            "required": _("Enter the oldest age"),
            "invalid": _("Enter the oldest age as a whole number, like 35"),
            "min_value": _("Enter an oldest age from 13 to 99"),
            "max_value": _("Enter an oldest age from 13 to 99"),
        },
    )

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_age"), cleaned.get("max_age")
        if low is not None and high is not None and high < low:
            self.add_error("max_age", _("The oldest age cannot be below the youngest"))
        return cleaned

"""Input validation of the trainings pages: authoring, the catalogue filter,
nominations and the approval queue."""

import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from alliance import selectors as alliance_selectors
from alliance.forms import CHOOSE_COUNTRIES, CHOOSE_FROM_LIST, TranslatedChoiceField, WallClockField
from alliance.member_directory import IdsField
from alliance.models import Organization
from gdpa.accounts import roles
from gdpa.accounts.forms import time_zone_choices
from gdpa.portal.countries import any_country_choices
from gdpa.portal.widgets import CountrySelectMultiple, QuickSelect

from .eligibility import LEARNER_ORG_KINDS, LEARNER_ROLES
from .models import Offering, TrainingFeedback, TrainingProgramme


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
    countries = forms.MultipleChoiceField(
        label=_("Countries"),
        choices=countries,
        required=False,
        help_text=_("Where it is held or the member states it is for; leave empty for everyone."),
        widget=CountrySelectMultiple,
        error_messages={"invalid_choice": CHOOSE_COUNTRIES},
    )
    eligible_roles = forms.MultipleChoiceField(
        label=_("Roles that may enroll"),
        choices=[(role, roles.LABELS[role]) for role in LEARNER_ROLES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Leave empty to admit everyone in the programme's audience. A person qualifies "
            "by holding one of the roles or by belonging to one of the organization kinds below."
        ),
        error_messages={"invalid_choice": _("Choose roles from the list")},
    )
    eligible_org_kinds = forms.MultipleChoiceField(
        label=_("Organization kinds that may enroll"),
        choices=[(kind, Organization.Kind(kind).label) for kind in LEARNER_ORG_KINDS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Members of verified organizations of these kinds. Leave empty to admit everyone "
            "in the programme's audience."
        ),
        error_messages={"invalid_choice": _("Choose organization kinds from the list")},
    )

    class Meta:
        model = Offering
        fields = [
            "title",
            "starts_on",
            "ends_on",
            "time_zone",
            "venue",
            "countries",
            "join_url",
            "capacity",
            "enrollment_opens_at",
            "enrollment_closes_at",
            "needs_approval",
            "eligible_roles",
            "eligible_org_kinds",
            "completion_threshold",
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
            "completion_threshold": {
                "required": _("Enter the attendance needed to complete, from 1 to 100"),
                "invalid": _("Enter the attendance as a whole number from 1 to 100, like 80"),
                "min_value": _("Enter a percentage from 1 to 100"),
                "max_value": _("Enter a percentage from 1 to 100"),
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
        # An offering's countries come as django-countries objects; the select wants codes.
        if self.initial.get("countries"):
            self.initial["countries"] = [
                getattr(c, "code", c) for c in list(self.initial["countries"])
            ]
        threshold = self.fields["completion_threshold"]
        threshold.min_value, threshold.max_value = 1, 100
        threshold.widget.attrs.update({"min": 1, "max": 100})
        current = offering.status if offering else None
        allowed = (
            {current, *Offering.TRANSITIONS[Offering.Status(current)]}
            if current
            else {Offering.Status.DRAFT, Offering.Status.OPEN}
        )
        self.fields["status"].choices = [c for c in Offering.Status.choices if c[0] in allowed]


ISO_DATE = "%Y-%m-%d"  # what a browser's date input sends


def _rating(label, required: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=TrainingFeedback.Rating.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": required,
            "invalid_choice": _("Choose a rating from 1 to 5"),
        },
    )


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
    country = forms.ChoiceField(
        label=_("Country"),
        required=False,
        choices=any_country_choices,
        widget=QuickSelect,
        help_text=_("Offerings held in or for this country, and offerings open to every country."),
        error_messages={"invalid_choice": CHOOSE_FROM_LIST},
    )
    starts_from = forms.DateField(
        label=_("Starting from"),
        required=False,
        input_formats=[ISO_DATE],
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
        help_text=_("For example 2027-04-12."),
        error_messages={"invalid": _("Enter the date like 2027-04-12")},
    )
    starts_until = forms.DateField(
        label=_("Starting until"),
        required=False,
        input_formats=[ISO_DATE],
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
        help_text=_("For example 2027-06-30."),
        error_messages={"invalid": _("Enter the date like 2027-06-30")},
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_from"), data.get("starts_until")
        if start and end and end < start:
            self.add_error("starts_until", _('Enter a date on or after the "starting from" date'))
        return data

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
            "country": data.get("country", ""),
            "starts_from": data.get("starts_from"),
            "starts_until": data.get("starts_until"),
        }


class OrganizationChoiceForm(forms.Form):
    """Which of their organizations a nominator puts members forward from (a GET form)."""

    organization = forms.TypedChoiceField(
        label=_("Organization"),
        coerce=int,
        error_messages={
            "required": _("Choose the organization"),
            "invalid_choice": _("Choose one of your organizations from the list"),
        },
    )

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(o.pk, o.name) for o in organizations]


class NominationForm(forms.Form):
    """The person a leader or focal point nominates; the choices are the eligible members
    they may nominate, but the service decides (a forged id gets a message, not a place)."""

    person = forms.IntegerField(
        label=_("Person to nominate"),
        widget=forms.Select,
        error_messages={
            "required": _("Choose the person to nominate"),
            "invalid": _("Choose a person from the list"),
        },
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].widget.choices = [
            ("", _("Choose a person")),
            *((u.pk, f"{u.full_name} ({u.email})") for u in candidates),
        ]


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the person by e-mail and shown on their dashboard."),
        error_messages={
            "required": _("Enter the reason for declining"),
            "max_length": _("Keep the reason to 1000 characters or fewer"),
        },
    )


class ApprovalFilterForm(forms.Form):
    """The approval queue's filter: one offering (always oldest request first)."""

    offering = forms.TypedChoiceField(
        label=_("Offering"),
        coerce=int,
        required=False,
        error_messages={"invalid_choice": CHOOSE_FROM_LIST},
    )

    def __init__(self, *args, offering_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offering"].choices = [("", _("All offerings")), *offering_choices]


# Meetings, check-in and reminders -------------------------------------------------------


class OfferingWallClockField(WallClockField):
    """A date and time as read on a clock in the offering's time zone (the form's
    ``zone``), which the hint names; the form turns it into UTC."""

    def get_bound_field(self, form, field_name):
        bound = forms.BoundField(form, self, field_name)
        bound.help_text = self.hint(form.zone)
        return bound


class MeetingForm(forms.Form):
    #: The service's UTC fields and the wall-clock fields that stand for them here.
    SERVICE_FIELDS = {"starts_at": "start", "ends_at": "end"}

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={"required": _("Enter the meeting's title")},
    )
    start = OfferingWallClockField(
        label=_("Start"),
        error_messages={
            "required": _("Enter the meeting's start time"),
            "invalid": _("Enter the start as a date and a time, like 2027-12-25 14:30"),
        },
    )
    end = OfferingWallClockField(
        label=_("End"),
        error_messages={
            "required": _("Enter the meeting's end time"),
            "invalid": _("Enter the end as a date and a time, like 2027-12-25 16:00"),
        },
    )

    def __init__(self, *args, offering: Offering | None = None, meeting=None, **kwargs):
        self.zone = offering.time_zone if offering else "UTC"
        self.meeting = meeting
        if meeting is not None and "initial" not in kwargs:
            zone = ZoneInfo(self.zone)
            kwargs["initial"] = {
                "title": meeting.title,
                "start": meeting.starts_at.astimezone(zone).replace(tzinfo=None),
                "end": meeting.ends_at.astimezone(zone).replace(tzinfo=None),
            }
        super().__init__(*args, **kwargs)

    def clean(self):
        from alliance.services.sessions import local_to_utc

        data = super().clean()
        for field, target in self.SERVICE_FIELDS.items():
            wall_clock = data.get(target)
            if wall_clock is None:
                continue
            kept = self._unchanged(wall_clock, field)
            if kept is not None:
                data[field] = kept
                continue
            try:
                data[field] = local_to_utc(wall_clock, self.zone, target)
            except forms.ValidationError as error:
                self.add_error(target, error.error_dict[target])
        return data

    def _unchanged(self, wall_clock: datetime.datetime, field: str):
        """The meeting's own time when the form shows it unchanged (the form has no
        seconds, so re-reading the minute must not count as a new time)."""
        if self.meeting is None:
            return None
        current = getattr(self.meeting, field)
        shown = current.astimezone(ZoneInfo(self.zone)).replace(
            tzinfo=None, second=0, microsecond=0
        )
        return current if wall_clock == shown else None

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {"title": data["title"], "starts_at": data["starts_at"], "ends_at": data["ends_at"]}


class CheckinCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code shown in the room"),
        max_length=12,
        error_messages={
            "required": _("Enter the code shown in the room"),
            "max_length": _("Enter the code shown in the room, like K7M2QP"),
        },
    )


class WindowReminderForm(forms.Form):
    remind = forms.ChoiceField(
        choices=[("on", _("Remind me")), ("off", _("Don't remind me"))],
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose whether to be reminded"),
            "invalid_choice": CHOOSE_FROM_LIST,
        },
    )


class FeedbackForm(forms.Form):
    """A learner's ratings (1 to 5, radio groups) and optional comment on an offering."""

    overall = _rating(
        _("How do you rate the training overall?"),
        _("Choose how you rate the training overall"),
    )
    content = _rating(_("How do you rate the content?"), _("Choose how you rate the content"))
    facilitation = _rating(
        _("How do you rate the facilitation?"), _("Choose how you rate the facilitation")
    )
    relevance = _rating(
        _("How relevant was it to your work?"), _("Choose how relevant it was to your work")
    )
    comment = forms.CharField(
        label=_("Comments (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Up to 2,000 characters. Staff read comments without your name; leave out "
            "anything that says who you are if you want to stay anonymous."
        ),
        error_messages={"max_length": _("Enter a comment of 2,000 characters or fewer")},
    )


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


class StaffNominationForm(forms.Form):
    """IOM staff nominate the people chosen in the member directory (``person``
    repeated) for an open offering."""

    person = IdsField(error_messages={"required": _("Select at least one person.")})
    offering = forms.ModelChoiceField(
        label=_("Offering"),
        queryset=Offering.objects.none(),
        required=False,
        empty_label=_("Choose an open offering"),
        error_messages={"invalid_choice": _("Choose one of the open offerings in the list.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        now = timezone.now()
        self.fields["offering"].queryset = (
            Offering.objects.filter(
                status=Offering.Status.OPEN,
                enrollment_opens_at__lte=now,
                enrollment_closes_at__gt=now,
            )
            .select_related("programme")
            .order_by("starts_on", "pk")
        )
        self.fields["offering"].label_from_instance = lambda o: f"{o.programme.title} – {o.title}"

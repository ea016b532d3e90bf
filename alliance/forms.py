import datetime
import zoneinfo
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from gdpa.accounts.forms import time_zone_choices
from gdpa.portal.richtext import ALLOWED_TAGS
from gdpa.portal.widgets import CountrySelectMultiple

from . import authoring_selectors, selectors
from .frameworks import gcm_choices, sdg_choices
from .models import AllianceSession, Membership, MemberState, Organization, Participant
from .models.recommendations import LANGUAGE_CODES, Recommendation

#: Messages shared by several forms (GOV.UK style: say what to do). Each required field
#: has its own "required" message (tests/gdpa/test_forms_pattern.py checks it).
EMAIL_INVALID = _("Enter an e-mail address in the correct format, like name@example.org")
WEBSITE_INVALID = _("Enter the website address in the correct format, like https://www.example.org")
CHOOSE_FROM_LIST = _("Choose one of the options in the list")
CHOOSE_COUNTRIES = _("Choose countries from the list")


class TranslatedChoiceField(forms.ModelMultipleChoiceField):
    default_error_messages = {
        "invalid_choice": CHOOSE_FROM_LIST,
        "invalid_pk_value": CHOOSE_FROM_LIST,
        "invalid_list": CHOOSE_FROM_LIST,
    }

    def label_from_instance(self, obj) -> str:
        return obj.name


class OrganizationRegistrationForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of organization"),
        choices=[(k.value, k.label) for k in Organization.SELF_REGISTERED_KINDS],
        error_messages={
            "required": _("Choose the kind of organization"),
            "invalid_choice": CHOOSE_FROM_LIST,
        },
    )
    name = forms.CharField(
        label=_("Name of the organization"),
        max_length=200,
        error_messages={"required": _("Enter the name of the organization")},
    )
    country = LazyTypedChoiceField(
        label=_("Country where it is based"),
        choices=[("", "—"), *countries],
        error_messages={
            "required": _("Choose the country where the organization is based"),
            "invalid_choice": CHOOSE_FROM_LIST,
        },
    )
    countries_of_origin = forms.MultipleChoiceField(
        label=_("Diaspora countries of origin"),
        choices=countries,
        required=False,
        help_text=_("The countries your members or their families come from."),
        widget=CountrySelectMultiple,
        error_messages={"invalid_choice": CHOOSE_COUNTRIES},
    )
    countries_of_residence = forms.MultipleChoiceField(
        label=_("Countries of residence"),
        choices=countries,
        required=False,
        help_text=_("Where your members live."),
        widget=CountrySelectMultiple,
        error_messages={"invalid_choice": CHOOSE_COUNTRIES},
    )
    sectors = TranslatedChoiceField(
        label=_("Sectors"),
        queryset=selectors.sectors(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    capitals = TranslatedChoiceField(
        label=_("Diaspora capitals you work on"),
        queryset=selectors.capitals(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The four capitals of the Dublin Declaration."),
    )
    description = forms.CharField(
        label=_("What the organization does"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    website = forms.URLField(
        label=_("Website"),
        required=False,
        assume_scheme="https",
        error_messages={"invalid": WEBSITE_INVALID},
    )
    contact_email = forms.EmailField(
        label=_("Contact e-mail"),
        error_messages={
            "required": _("Enter the contact e-mail address"),
            "invalid": EMAIL_INVALID,
        },
    )
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)


class GovernmentOrganizationForm(forms.Form):
    member_state = forms.ModelChoiceField(
        label=_("Member state"),
        queryset=MemberState.objects.order_by("country"),
        error_messages={
            "required": _("Choose the member state"),
            "invalid_choice": CHOOSE_FROM_LIST,
        },
    )
    name = forms.CharField(
        label=_("Name of the government body"),
        max_length=200,
        help_text=_("For example the ministry or office responsible for diaspora affairs."),
        error_messages={"required": _("Enter the name of the government body")},
    )
    contact_email = forms.EmailField(
        label=_("Contact e-mail"),
        error_messages={
            "required": _("Enter the contact e-mail address"),
            "invalid": EMAIL_INVALID,
        },
    )
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    website = forms.URLField(
        label=_("Website"),
        required=False,
        assume_scheme="https",
        error_messages={"invalid": WEBSITE_INVALID},
    )


class MemberStateForm(forms.ModelForm):
    class Meta:
        model = MemberState
        fields = ["country", "joined_on", "is_benefiting"]
        widgets = {"joined_on": forms.DateInput(attrs={"type": "date"})}
        error_messages = {
            "country": {
                "required": _("Choose the country"),
                "invalid_choice": CHOOSE_FROM_LIST,
                "unique": _("This country is already a member state"),
            },
            "joined_on": {
                "required": _("Enter the date the country joined the alliance"),
                "invalid": _("Enter the date it joined as a real date, like 2024-03-27"),
            },
        }


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        error_messages={
            "required": _("Enter the e-mail address of the person to invite"),
            "invalid": EMAIL_INVALID,
        },
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Membership.Role.choices,
        initial=Membership.Role.MEMBER,
        error_messages={"required": _("Choose a role"), "invalid_choice": CHOOSE_FROM_LIST},
    )

    def __init__(self, *args, admin_roles: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not admin_roles:
            # Delegates invite plain members only.
            self.fields["role"].choices = [(Membership.Role.MEMBER, Membership.Role.MEMBER.label)]


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Membership.Role.choices,
        error_messages={"required": _("Choose a role"), "invalid_choice": CHOOSE_FROM_LIST},
    )


class ManageRightForm(forms.Form):
    allowed = forms.BooleanField(label=_("May invite and manage members"), required=False)


class RejectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejection"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the applicant by e-mail."),
        error_messages={"required": _("Enter the reason for rejection")},
    )


class OrganizationFilterForm(forms.Form):
    """The staff organization directory's filters; ``country_choices`` are the
    countries organizations are based in (``selectors.organization_countries``)."""

    q = forms.CharField(label=_("Name or e-mail"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *Organization.Kind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All statuses")), *Organization.Status.choices],
        required=False,
    )
    country = forms.ChoiceField(label=_("Country"), required=False)

    def __init__(self, *args, country_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("All countries")), *country_choices]


class VerificationFilterForm(forms.Form):
    """Filters of the verification queue (always oldest first)."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *Organization.Kind.choices], required=False
    )
    country = forms.ChoiceField(label=_("Country"), required=False)

    def __init__(self, *args, country_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("All countries")), *country_choices]


class MemberStateFilterForm(forms.Form):
    q = forms.CharField(label=_("Country"), required=False, max_length=100)


class MemberFilterForm(forms.Form):
    """Filters of an organization's member list; only people who manage the members
    (and see their e-mail addresses) may search by name or e-mail."""

    role = forms.ChoiceField(
        label=_("Role"), choices=[("", _("All roles")), *Membership.Role.choices], required=False
    )
    q = forms.CharField(label=_("Name or e-mail"), required=False, max_length=100)

    def __init__(self, *args, search: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not search:
            del self.fields["q"]


class SwitchOrganizationForm(forms.Form):
    organization = forms.IntegerField(
        error_messages={
            "required": _("Choose an organization"),
            "invalid": _("Choose an organization"),
        }
    )
    next = forms.CharField(required=False)


# Alliance sessions ------------------------------------------------------------------------


class WallClockInput(forms.DateTimeInput):
    """``datetime-local`` input; its script keeps the zone named in the hint in step with
    the zone select (without JavaScript the hint names the zone the page was shown with)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")

    class Media:
        js = [forms.Script("js/zone-hint.js", defer=True)]


class WallClockBoundField(forms.BoundField):
    """Its hint shows the format to type in the reader's language and names the session's
    zone as chosen in the form (the submitted or initial value of ``field.zone_field``)."""

    def __init__(self, form, field, name):
        super().__init__(form, field, name)
        zone_field = form[field.zone_field] if field.zone_field in form.fields else None
        self.help_text = field.hint(
            zone_field.value() if zone_field else None,
            zone_select_id=zone_field.auto_id if zone_field else "",
        )


class WallClockField(forms.DateTimeField):
    """A date and time as read on a clock in the session's time zone (kept naive here;
    the form turns it into UTC with the session's zone).

    Browsers with ``datetime-local`` send ISO ``2027-12-25T14:30`` and show the date in their
    own locale's format; typed text is read in the active language's formats too
    (``25/12/2027 14:30`` in French or Spanish), so a browser without the date picker works.
    """

    widget = WallClockInput
    ISO_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")
    #: The example in the hint: a day above 12 shows which number is the day.
    EXAMPLE = datetime.datetime(2027, 12, 25, 14, 30)

    def __init__(self, *args, zone_field: str = "time_zone", **kwargs):
        self.zone_field = zone_field
        super().__init__(*args, **kwargs)

    @staticmethod
    def localized_formats() -> list[str]:
        """The active language's date-and-time input formats (Django's locale data) that
        carry a time, except month-first ones: in an international portal "05/06/2027"
        must not silently mean May 6 (English keeps the unambiguous ISO forms)."""
        return [
            fmt
            for fmt in formats.get_format("DATETIME_INPUT_FORMATS")
            if "%H" in fmt and not fmt.startswith("%m")
        ]

    def input_formats_for_language(self) -> list[str]:
        return list(dict.fromkeys([*self.ISO_FORMATS, *self.localized_formats()]))

    def example(self) -> str:
        typed = [f for f in self.localized_formats() if "%S" not in f and not f.startswith("%Y")]
        return self.EXAMPLE.strftime(typed[0] if typed else "%Y-%m-%d %H:%M")

    def hint(self, zone, *, zone_select_id: str = ""):
        from gdpa.accounts.zones import zone_display

        if zone and zone in zoneinfo.available_timezones():
            return format_html(
                _("For example {example}, in {zone}."),
                example=self.example(),
                zone=format_html(
                    '<span data-zone-hint="{}">{}</span>', zone_select_id, zone_display(zone)
                ),
            )
        return _("For example %(example)s.") % {"example": self.example()}

    def get_bound_field(self, form, field_name):
        return WallClockBoundField(form, self, field_name)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.replace(tzinfo=None)
        text = " ".join(str(value).split())
        for fmt in self.input_formats_for_language():
            try:
                return datetime.datetime.strptime(text, fmt)
            except ValueError:
                continue
        raise forms.ValidationError(
            _("Enter the date and time like %(example)s."),
            code="invalid",
            params={"example": self.example()},
        )


class SessionForm(forms.Form):
    #: The service's UTC fields and the wall-clock fields that stand for them here.
    SERVICE_FIELDS = {"starts_at": "start", "ends_at": "end"}

    title = forms.CharField(
        label=_("Title"), max_length=200, error_messages={"required": _("Enter the title")}
    )
    kind = forms.ChoiceField(
        label=_("Kind of session"),
        choices=AllianceSession.Kind.choices,
        error_messages={
            "required": _("Choose the kind of session"),
            "invalid_choice": CHOOSE_FROM_LIST,
        },
    )
    sectors = TranslatedChoiceField(
        label=_("Sectors"),
        queryset=selectors.sectors(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    time_zone = forms.ChoiceField(
        label=_("Session time zone"),
        choices=time_zone_choices,
        help_text=_("The start and end below are in this time zone."),
        error_messages={
            "required": _("Choose the session's time zone"),
            "invalid_choice": CHOOSE_FROM_LIST,
        },
    )
    start = WallClockField(
        label=_("Start"),
        error_messages={
            "required": _("Enter the session's start time"),
            "invalid": _("Enter the start as a date and a time, like 2026-03-27 14:30"),
        },
    )
    end = WallClockField(
        label=_("End"),
        error_messages={
            "required": _("Enter the session's end time"),
            "invalid": _("Enter the end as a date and a time, like 2026-03-27 16:00"),
        },
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=AllianceSession.Format.choices,
        error_messages={
            "required": _("Choose the format of the session"),
            "invalid_choice": CHOOSE_FROM_LIST,
        },
    )
    join_url = forms.URLField(
        label=_("Join link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("Shown only to accepted participants, from 30 minutes before the start."),
        error_messages={
            "invalid": _(
                "Enter the join link in the correct format, like https://meet.example.org/abc"
            )
        },
    )
    venue = forms.CharField(label=_("Venue"), max_length=300, required=False)
    capacity = forms.IntegerField(
        label=_("Capacity"),
        min_value=1,
        required=False,
        help_text=_("Leave empty for no limit."),
        error_messages={
            "invalid": _("Enter the capacity as a whole number, like 40"),
            "min_value": _("The capacity must be 1 or more"),
        },
    )
    language = forms.ChoiceField(
        label=_("Language of the session"),
        choices=settings.LANGUAGES,
        required=False,
        help_text=_("Invitations to people without an account are written in it by default."),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=AllianceSession.Status.choices,
        help_text=_("Invitations can be sent once the session is scheduled."),
        error_messages={
            "required": _("Choose the status of the session"),
            "invalid_choice": CHOOSE_FROM_LIST,
        },
    )

    #: The statuses this form moves a session to; cancelling and marking as held have
    #: their own actions (they tell participants).
    FORM_STATUSES = (AllianceSession.Status.DRAFT, AllianceSession.Status.SCHEDULED)

    def __init__(self, *args, session: AllianceSession | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        # Offer the current status and those the lifecycle allows from it; anything
        # else posted is refused by the service with a message next to this field.
        if session is None:
            offered = list(self.FORM_STATUSES)
        else:
            offered = [session.status] + [
                s for s in session.next_statuses if s in self.FORM_STATUSES
            ]
        labels = dict(AllianceSession.Status.choices)
        self.fields["status"].widget.choices = [(s, labels[s]) for s in offered]

    def clean(self):
        from .services import local_to_utc

        data = super().clean()
        zone = data.get("time_zone")
        for field, target in (("start", "starts_at"), ("end", "ends_at")):
            if zone and data.get(field):
                kept = self._unchanged(zone, data[field], target)
                if kept is not None:
                    data[target] = kept
                    continue
                try:
                    data[target] = local_to_utc(data[field], zone, field)
                except forms.ValidationError as error:
                    self.add_error(field, error.error_dict[field])
        return data

    def _unchanged(self, zone: str, wall_clock: datetime.datetime, target: str):
        """The session's own time when the form shows it unchanged (the form has no
        seconds, so re-reading the minute must not count as a new time)."""
        if self.session is None or zone != self.session.time_zone:
            return None
        current = getattr(self.session, target)
        shown = current.astimezone(ZoneInfo(zone)).replace(tzinfo=None, second=0, microsecond=0)
        return current if wall_clock == shown else None

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "kind": data["kind"],
            "description": data["description"],
            "time_zone": data["time_zone"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "format": data["format"],
            "join_url": data["join_url"],
            "venue": data["venue"],
            "capacity": data["capacity"],
            "status": data["status"],
            # Left out, the session keeps its language (new sessions: the model's default).
            **({"language": data["language"]} if data.get("language") else {}),
        }

    @classmethod
    def initial_for(cls, session: AllianceSession) -> dict:
        zone = ZoneInfo(session.time_zone)
        return {
            "title": session.title,
            "kind": session.kind,
            "sectors": list(session.sectors.all()),
            "description": session.description,
            "time_zone": session.time_zone,
            "start": session.starts_at.astimezone(zone).replace(tzinfo=None),
            "end": session.ends_at.astimezone(zone).replace(tzinfo=None),
            "format": session.format,
            "join_url": session.join_url,
            "venue": session.venue,
            "capacity": session.capacity,
            "language": session.language,
            "status": session.status,
        }


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Agenda item"), max_length=200, required=False)
    speaker = forms.CharField(label=_("Speaker"), max_length=200, required=False)
    duration_minutes = forms.IntegerField(
        label=_("Minutes"),
        min_value=1,
        max_value=600,
        required=False,
        initial=15,
        error_messages={
            "invalid": _("Enter the minutes as a whole number, like 15"),
            "min_value": _("An agenda item lasts 1 minute or more"),
            "max_value": _("An agenda item lasts 600 minutes or fewer"),
        },
    )


class BaseAgendaFormSet(forms.BaseFormSet):
    """Agenda rows: one empty row to start with; "Add an agenda item" adds one more in
    place and each row's "Remove" box takes it off (docs/design.md, "Agenda rows")."""

    default_error_messages = {
        "too_many_forms": ngettext_lazy(
            "An agenda has at most %(num)d item", "An agenda has at most %(num)d items", "num"
        ),
        "missing_management_form": _("The agenda could not be read: reload the page and try again"),
    }

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields[forms.formsets.DELETION_FIELD_NAME].label = _("Remove this item")

    def with_another_row(self, data):
        """The posted ``data`` with room for one more (empty) row, up to the maximum."""
        data = data.copy()
        count = min(self.total_form_count() + 1, self.max_num)
        data[self.management_form.add_prefix(forms.formsets.TOTAL_FORM_COUNT)] = str(count)
        return data


AgendaFormSet = forms.formset_factory(
    AgendaItemForm,
    formset=BaseAgendaFormSet,
    extra=1,
    max_num=40,
    validate_max=True,
    can_delete=True,
)


def agenda_items(formset) -> list[dict]:
    return [
        {
            "title": f.cleaned_data["title"],
            "speaker": f.cleaned_data.get("speaker", ""),
            "duration_minutes": f.cleaned_data.get("duration_minutes") or 15,
        }
        for f in formset.forms
        if f.cleaned_data.get("title") and not f.cleaned_data.get("DELETE")
    ]


class SessionInviteForm(forms.Form):
    member_states = forms.ModelMultipleChoiceField(
        label=_("Focal points of these member states"),
        queryset=MemberState.objects.order_by("country"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    org_kinds = forms.MultipleChoiceField(
        label=_("Members of verified organizations of these kinds"),
        choices=[c for c in Organization.Kind.choices if c[0] != Organization.Kind.IOM],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sectors = TranslatedChoiceField(
        label=_("…working in these sectors"),
        queryset=selectors.sectors(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    countries = forms.MultipleChoiceField(
        label=_("…based in these countries"),
        choices=countries,
        required=False,
        widget=CountrySelectMultiple,
        error_messages={"invalid_choice": CHOOSE_COUNTRIES},
    )
    include_youth = forms.BooleanField(label=_("All youth participants"), required=False)
    emails = forms.CharField(
        label=_("Individual e-mail addresses"),
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line or separated by commas. People without an account can sign up."),
    )
    guest_language = forms.ChoiceField(
        label=_("Language of the e-mail to addresses without an account"),
        choices=settings.LANGUAGES,
        required=False,
        help_text=_("People with an account get it in the language they chose."),
    )

    def clean_emails(self) -> list[str]:
        import re

        return [e for e in re.split(r"[\s,;]+", self.cleaned_data["emails"]) if e]


class RsvpForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Your answer"),
        choices=[
            (Participant.Rsvp.ACCEPTED, _("Accept")),
            (Participant.Rsvp.TENTATIVE, _("Tentative")),
            (Participant.Rsvp.DECLINED, _("Decline")),
        ],
        error_messages={
            "required": _("Choose your answer: accept, tentative or decline"),
            "invalid_choice": _("Choose your answer: accept, tentative or decline"),
        },
    )


class CheckinForm(forms.Form):
    code = forms.CharField(
        label=_("Code shown in the room"),
        max_length=8,
        error_messages={"required": _("Enter the code shown in the room")},
    )


class SummaryForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary / minutes"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Enter the summary or minutes")},
    )


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Word, Excel or PowerPoint, at most 10 MB."),
        error_messages={
            "required": _("Choose a file to add"),
            "invalid": _("Choose a file to add"),
            "missing": _("Choose a file to add"),
            "empty": _("The chosen file is empty: choose another one"),
        },
    )


class SectorForm(forms.Form):
    name_en = forms.CharField(
        label=_("Name in English"),
        max_length=120,
        error_messages={"required": _("Enter the name in English")},
    )
    name_fr = forms.CharField(label=_("Name in French"), max_length=120, required=False)
    name_es = forms.CharField(label=_("Name in Spanish"), max_length=120, required=False)


# Recommendations: staff authoring -------------------------------------------------------

RICH_TEXT_HELP = _(
    "Plain text, or HTML with only these tags: {tags}. Links keep http, https and "
    "mailto addresses; anything else (scripts, styles, images) is removed when saved."
)


def rich_text_help() -> str:
    tags = format_html_join(", ", "<code>&lt;{}&gt;</code>", ((t,) for t in sorted(ALLOWED_TAGS)))
    return format_html(RICH_TEXT_HELP, tags=tags)


class SectorChoiceField(forms.ModelChoiceField):
    default_error_messages = {"invalid_choice": CHOOSE_FROM_LIST}

    def label_from_instance(self, obj) -> str:
        return obj.name


class SessionChoiceField(forms.ModelMultipleChoiceField):
    """Alliance sessions by title and day (in the reader's time zone)."""

    default_error_messages = {
        "invalid_choice": CHOOSE_FROM_LIST,
        "invalid_pk_value": CHOOSE_FROM_LIST,
        "invalid_list": CHOOSE_FROM_LIST,
    }

    def label_from_instance(self, obj) -> str:
        from django.utils import timezone

        day = formats.date_format(timezone.localtime(obj.starts_at), "DATE_FORMAT")
        return f"{obj.title} — {day}"


class TrackForm(forms.Form):
    sector = SectorChoiceField(
        label=_("Sector"),
        queryset=selectors.sectors(),
        help_text=_("Sectors are added on the Sectors page of the staff workspace."),
        error_messages={"required": _("Choose the sector")},
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={"required": _("Enter the title of the track")},
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    sessions = SessionChoiceField(
        label=_("Sessions that discuss it"),
        queryset=authoring_selectors.sessions_to_link(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (or ⌘) to choose several."),
    )

    @classmethod
    def initial_for(cls, track) -> dict:
        return {
            "sector": track.sector_id,
            "title": track.title,
            "description": track.description,
            "sessions": list(track.sessions.all()),
        }


class TrackFilterForm(forms.Form):
    sector = SectorChoiceField(
        label=_("Sector"),
        queryset=selectors.sectors(),
        required=False,
        empty_label=_("All sectors"),
    )


def _language_name(code: str) -> str:
    return dict(settings.LANGUAGES)[code]


class RecommendationForm(forms.Form):
    """A recommendation's wording in each language and its tags. The texts are sanitized
    by the service (gdpa.portal.richtext); the original language needs a title and a text."""

    original_language = forms.ChoiceField(
        label=_("Original language"),
        choices=settings.LANGUAGES,
        help_text=_("The language it is written in; readers see it where their own is missing."),
        error_messages={
            "required": _("Choose the original language"),
            "invalid_choice": CHOOSE_FROM_LIST,
        },
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    capitals = TranslatedChoiceField(
        label=_("Diaspora capitals"),
        queryset=selectors.capitals(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The four capitals of the Dublin Declaration."),
    )
    sdg_goals = forms.TypedMultipleChoiceField(
        label=_("Sustainable Development Goals"),
        choices=sdg_choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose goals from 1 to 17")},
    )
    gcm_objectives = forms.TypedMultipleChoiceField(
        label=_("Global Compact for Migration objectives"),
        choices=gcm_choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Objective 19 is about diaspora contributions."),
        error_messages={"invalid_choice": _("Choose objectives from 1 to 23")},
    )
    nexus_pillar = forms.ChoiceField(
        label=_("Humanitarian-development-peace nexus"),
        choices=[("", _("Not set")), *Recommendation.Nexus.choices],
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": CHOOSE_FROM_LIST},
    )

    #: The fields of each language, in the order of the page's fieldsets.
    LANGUAGE_FIELDS = {code: (f"title_{code}", f"text_{code}") for code in LANGUAGE_CODES}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, (title, text) in self.LANGUAGE_FIELDS.items():
            language = _language_name(code)
            # lang on the inputs (not the fieldset): the labels stay in the reader's language.
            self.fields[title] = forms.CharField(
                label=_("Title in %(language)s") % {"language": language},
                max_length=300,
                required=False,
                widget=forms.TextInput(attrs={"lang": code}),
            )
            self.fields[text] = forms.CharField(
                label=_("Text in %(language)s") % {"language": language},
                max_length=20000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 8, "lang": code}),
                help_text=rich_text_help(),
            )
        self.fields["rationale"].help_text = rich_text_help()
        self.order_fields(
            [
                "original_language",
                *(name for pair in self.LANGUAGE_FIELDS.values() for name in pair),
            ]
        )

    def language_groups(self) -> list[dict]:
        """Per language: its name, code and bound title and text fields (one fieldset)."""
        return [
            {"code": code, "name": _language_name(code), "title": self[title], "text": self[text]}
            for code, (title, text) in self.LANGUAGE_FIELDS.items()
        ]

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("capitals")
        return data

    @classmethod
    def initial_for(cls, recommendation: Recommendation) -> dict:
        fields = ["original_language", "rationale", "sdg_goals", "gcm_objectives", "nexus_pillar"]
        for title, text in cls.LANGUAGE_FIELDS.values():
            fields += [title, text]
        return {
            **{name: getattr(recommendation, name) for name in fields},
            "capitals": list(recommendation.capitals.all()),
        }


class ViewerWallClockField(WallClockField):
    """A date and time as read on a clock in the form's ``zone`` (the staff member's own),
    which the hint names; the form turns it into UTC."""

    def get_bound_field(self, form, field_name):
        bound = forms.BoundField(form, self, field_name)
        bound.help_text = self.hint(form.zone)
        return bound


class RecommendationTransitionForm(forms.Form):
    """Moving a recommendation to its next status; opening it for input asks when input
    closes, typed in the staff member's own time zone."""

    input_closes = ViewerWallClockField(
        label=_("Input closes"),
        error_messages={
            "required": _("Enter the date and time input closes"),
            "invalid": _("Enter the closing time as a date and a time, like 2027-12-25 17:00"),
        },
    )

    def __init__(self, *args, zone: str = "UTC", asks_closing_date: bool = True, **kwargs):
        self.zone = zone
        super().__init__(*args, **kwargs)
        if not asks_closing_date:
            del self.fields["input_closes"]

    def clean(self):
        from .services import local_to_utc

        data = super().clean()
        if data.get("input_closes") is not None:
            try:
                data["input_closes_at"] = local_to_utc(
                    data["input_closes"], self.zone, "input_closes"
                )
            except forms.ValidationError as error:
                self.add_error("input_closes", error.error_dict["input_closes"])
        return data


# Recommendations: reading them and taking part --------------------------------------------


class RecommendationFilterForm(forms.Form):
    """The recommendation list's filters; ``status_choices`` are the statuses the reader
    may see, as (value, label) pairs."""

    sector = forms.ModelChoiceField(
        label=_("Sector"),
        required=False,
        queryset=selectors.sectors(),
        empty_label=_("All sectors"),
        error_messages={"invalid_choice": CHOOSE_FROM_LIST},
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, error_messages={"invalid_choice": CHOOSE_FROM_LIST}
    )

    def __init__(self, *args, status_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All statuses")), *status_choices]
        if len(status_choices) < 2:
            del self.fields["status"]

    def filters(self) -> dict:
        """The valid filters; an unreadable one is left out (its message shows)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"sector": data.get("sector"), "status": data.get("status", "")}


class RecommendationInputForm(forms.Form):
    """A comment or a proposed amendment; ``organizations`` are those the person may speak
    for (their verified organizations)."""

    kind = forms.ChoiceField(
        label=_("Kind of input"),
        choices=[
            ("comment", _("Comment")),
            ("amendment", _("Proposed amendment")),
        ],
        initial="comment",
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a comment or a proposed amendment"),
            "invalid_choice": _("Choose a comment or a proposed amendment"),
        },
    )
    text = forms.CharField(
        label=_("Your comment"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For an amendment, say why you propose it."),
        error_messages={
            "required": _("Enter your comment"),
            "max_length": _("Keep your comment to 5,000 characters or fewer"),
        },
    )
    proposed_text = forms.CharField(
        label=_("The wording you propose"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Only for a proposed amendment: the text as you would have it read."),
        error_messages={"max_length": _("Keep the wording to 20,000 characters or fewer")},
    )
    organization = forms.TypedChoiceField(
        label=_("On behalf of"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Leave it on “Myself” to speak for yourself."),
        error_messages={"invalid_choice": CHOOSE_FROM_LIST},
    )

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organizations = {org.pk: org for org in organizations}
        if self.organizations:
            self.fields["organization"].choices = [
                ("", _("Myself")),
                *((org.pk, org.name) for org in organizations),
            ]
        else:
            del self.fields["organization"]

    def clean(self):
        data = super().clean()
        if data.get("kind") == "amendment" and not (data.get("proposed_text") or "").strip():
            self.add_error("proposed_text", _("Enter the wording you propose"))
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "text": data["text"],
            "proposed_text": data["proposed_text"] if data["kind"] == "amendment" else "",
            "organization": self.organizations.get(data.get("organization")),
        }


class InputResponseForm(forms.Form):
    """Staff's answer to one input: taken up, merged or not taken up, with a reason."""

    status = forms.ChoiceField(
        label=_("Answer"),
        choices=[
            ("taken_up", _("Taken up")),
            ("merged", _("Merged")),
            ("not_taken_up", _("Not taken up")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose taken up, merged or not taken up"),
            "invalid_choice": _("Choose taken up, merged or not taken up"),
        },
    )
    response = forms.CharField(
        label=_("Reason for the author"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The author sees it next to their input."),
        error_messages={
            "required": _("Give the author a short reason"),
            "max_length": _("Keep the reason to 1,000 characters or fewer"),
        },
    )


class SupportForm(forms.Form):
    """An organization's support for a recommendation: given ("yes") or taken back ("no")."""

    support = forms.ChoiceField(
        label=_("Support"),
        choices=[("yes", _("Supports it")), ("no", _("Does not support it"))],
        error_messages={
            "required": _("Say whether the organization supports the recommendation"),
            "invalid_choice": _("Say whether the organization supports the recommendation"),
        },
    )


class ReportRequestForm(forms.Form):
    """Staff ask for a PDF report of published recommendations."""

    title = forms.CharField(
        label=_("Title of the report"),
        max_length=200,
        error_messages={"required": _("Enter the title of the report")},
    )
    sectors = TranslatedChoiceField(
        label=_("Sectors"),
        queryset=selectors.sectors(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave every box empty for a report of all sectors."),
    )
    language = forms.ChoiceField(
        label=_("Language of the report"),
        choices=settings.LANGUAGES,
        help_text=_(
            "Recommendations not translated into this language are shown in their original "
            "language, marked as such."
        ),
        error_messages={
            "required": _("Choose the language of the report"),
            "invalid_choice": CHOOSE_FROM_LIST,
        },
    )
    period_start = forms.DateField(
        label=_("Published from"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Optional. For example 2027-01-15."),
        error_messages={"invalid": _("Enter the date like 2027-01-15")},
    )
    period_end = forms.DateField(
        label=_("Published until"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Optional. For example 2027-12-31."),
        error_messages={"invalid": _("Enter the date like 2027-12-31")},
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The end of the period must be after its start"))
        return data


# Public alliance directory ----------------------------------------------------------------


class OrganizationListingForm(forms.Form):
    listed = forms.BooleanField(
        label=_("Show us in the public alliance directory"),
        required=False,
        help_text=_(
            "Everyone may then see the organization's name, kind, countries, sectors, diaspora "
            "capitals and website; never its people or contact details."
        ),
    )


class DirectoryFilterForm(forms.Form):
    """Filters of the public alliance directory (a GET form, swapped with htmx)."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Any kind")), *Organization.Kind.choices],
        error_messages={"invalid_choice": CHOOSE_FROM_LIST},
    )
    country = forms.ChoiceField(
        label=_("Country"),
        required=False,
        help_text=_("Based in this country, or with diaspora from it."),
        error_messages={"invalid_choice": CHOOSE_FROM_LIST},
    )
    sector = forms.ModelChoiceField(
        label=_("Sector"),
        required=False,
        queryset=selectors.sectors(),
        empty_label=_("Any sector"),
        error_messages={"invalid_choice": CHOOSE_FROM_LIST},
    )
    capital = forms.ModelChoiceField(
        label=_("Diaspora capital"),
        required=False,
        queryset=selectors.capitals(),
        empty_label=_("Any capital"),
        error_messages={"invalid_choice": CHOOSE_FROM_LIST},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The countries of the listed organizations, read once (checked and drawn).
        self.fields["country"].choices = [
            ("", _("Any country")),
            *selectors.directory_countries(),
        ]

    def filters(self) -> dict:
        """The valid filters; an unreadable one is left out (its message shows)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "kind": data.get("kind", ""),
            "country": data.get("country", ""),
            "sector": data.get("sector"),
            "capital": data.get("capital"),
        }


# Staff imports ----------------------------------------------------------------------------


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=[
            ("organizations", _("Organizations")),
            ("focal_points", _("Focal points (each is invited to their government body)")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what the file holds"),
            "invalid_choice": CHOOSE_FROM_LIST,
        },
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8, comma or semicolon) or XLSX, at most 10 MB and 5,000 rows."),
        widget=forms.FileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
        error_messages={
            "required": _("Choose the CSV or XLSX file to import"),
            "invalid": _("Choose the CSV or XLSX file to import"),
            "missing": _("Choose the CSV or XLSX file to import"),
            "empty": _("The chosen file is empty: choose another one"),
        },
    )

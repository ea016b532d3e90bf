"""Time zones named as people know them, dates typed in the person's format, country pickers
that work without JavaScript (issue 7)."""

import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core import mail
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from alliance.forms import OrganizationRegistrationForm, SessionForm, SessionInviteForm
from gdpa.accounts.forms import ProfileForm, time_zone_choices
from tests import factories
from youth.forms import YouthJoinForm


def flat(choices):
    for value, label in choices:
        if isinstance(label, list | tuple):
            yield from label
        else:
            yield value, label


def label_of(zone, language):
    with translation.override(language):
        return dict(flat(time_zone_choices()))[zone]


# Time zones ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "name"),
    [("en", "Fiji Time"), ("fr", "Fidji"), ("es", "Fiyi")],
)
def test_time_zone_labels_are_localized_with_the_iana_code_second(language, name):
    label = label_of("Pacific/Fiji", language)
    assert name in label
    assert label.endswith(" — Pacific/Fiji")


def test_time_zone_choices_keep_iana_values_grouped_by_offset():
    with translation.override("fr"):
        choices = time_zone_choices()
    assert choices[0] == ("UTC", "temps universel coordonné — UTC")
    groups = [group for group, _options in choices[1:]]
    offsets = [(-1 if g[3] == "\u2212" else 1) * (int(g[4:6]) * 60 + int(g[7:9])) for g in groups]
    assert offsets == sorted(offsets) and len(set(offsets)) == len(offsets)
    values = [value for value, _label in flat(choices)]
    assert "Pacific/Fiji" in values and "Europe/Paris" in values
    assert all("/" in v or v == "UTC" for v in values)


def test_profile_form_stores_the_iana_code_and_validates_it(db):
    user = factories.make_user()
    data = {
        "full_name": "A Person",
        "preferred_language": "fr",
        "time_zone": "Pacific/Fiji",
        "country_of_residence": "",
        "gender": "",
        "gender_self_description": "",
    }
    with translation.override("fr"):
        form = ProfileForm(data, instance=user)
        assert form.is_valid(), form.errors
        assert form.cleaned_data["time_zone"] == "Pacific/Fiji"
        assert 'value="Pacific/Fiji"' in str(form["time_zone"])
        assert "heure des îles Fidji — Pacific/Fiji" in str(form["time_zone"])
        assert "<optgroup" in str(form["time_zone"])
        assert not ProfileForm({**data, "time_zone": "Mars/Olympus"}, instance=user).is_valid()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Fiji Time (Pacific/Fiji)"),
        ("fr", "heure des îles Fidji (Pacific/Fiji)"),
        ("es", "hora de Fiyi (Pacific/Fiji)"),
    ],
)
def test_zone_name_filter(language, expected):
    template = Template("{% load zones %}{{ zone|zone_name }}")
    with translation.override(language):
        assert template.render(Context({"zone": "Pacific/Fiji"})) == expected
        # ``{% get_current_timezone %}`` gives a ZoneInfo: it is named the same way.
        assert template.render(Context({"zone": ZoneInfo("Pacific/Fiji")})) == expected
    assert Template("{% load zones %}{{ zone|zone_name }}").render(Context({"zone": ""})) == ""


def test_session_detail_shows_the_localized_zone_name(client, staff, scheduled, focal_point):
    from alliance import services

    services.session_invite(actor=staff, session=scheduled, emails=[focal_point.email])
    focal_point.time_zone = "Europe/Paris"
    focal_point.preferred_language = "fr"
    focal_point.save()
    client.force_login(focal_point)
    page = client.get(reverse("alliance:session", args=[scheduled.pk])).content.decode()
    assert "heure des îles Fidji (Pacific/Fiji)" in page
    assert "heure d’Europe centrale (Europe/Paris)" in page


def test_session_emails_show_the_localized_zone_name(
    staff, scheduled, django_capture_on_commit_callbacks
):
    from alliance import services

    person = factories.make_user(preferred_language="es", time_zone="America/El_Salvador")
    with django_capture_on_commit_callbacks(execute=True):
        services.session_invite(actor=staff, session=scheduled, emails=[person.email])
    message = mail.outbox[-1]
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert "hora de Fiyi (Pacific/Fiji)" in body
        assert "(America/El_Salvador)" in body and "hora " in body


# Dates and times -----------------------------------------------------------------------


def session_data(**overrides):
    return {
        "title": "Climate Action plenary",
        "kind": "plenary",
        "time_zone": "Pacific/Fiji",
        "start": "2027-12-25T14:30",
        "end": "2027-12-25T16:00",
        "format": "online",
        "join_url": "https://meet.example.org/climate",
        "status": "scheduled",
        **overrides,
    }


@pytest.mark.parametrize("language", ["fr", "es"])
def test_a_french_or_spanish_person_types_the_date_in_their_format(db, language):
    with translation.override(language):
        form = SessionForm(session_data(start="25/12/2027 14:30", end=" 25/12/2027  16:00 "))
        assert form.is_valid(), form.errors
    assert form.cleaned_data["start"] == datetime.datetime(2027, 12, 25, 14, 30)
    # Read as a wall clock in the session zone (Fiji, UTC+12 in December).
    assert form.cleaned_data["starts_at"] == datetime.datetime(
        2027, 12, 25, 2, 30, tzinfo=datetime.UTC
    )


def test_the_browser_datetime_local_value_is_accepted_in_every_language(db):
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            form = SessionForm(session_data())
            assert form.is_valid(), (language, form.errors)
            assert form.cleaned_data["start"] == datetime.datetime(2027, 12, 25, 14, 30)


def test_month_first_dates_are_refused_with_an_example_in_the_persons_format(db):
    with translation.override("en"):
        form = SessionForm(session_data(start="12/25/2027 14:30"))
        assert not form.is_valid()
        assert form.errors["start"] == ["Enter the date and time like 2027-12-25 14:30."]
    with translation.override("fr"):
        form = SessionForm(session_data(start="2027/25/12 14h30"))
        assert not form.is_valid()
        assert "25/12/2027 14:30" in form.errors["start"][0]


@pytest.mark.parametrize(
    ("language", "example", "zone"),
    [
        ("en", "2027-12-25 14:30", "Fiji Time (Pacific/Fiji)"),
        ("fr", "25/12/2027 14:30", "heure des îles Fidji (Pacific/Fiji)"),
        ("es", "25/12/2027 14:30", "hora de Fiyi (Pacific/Fiji)"),
    ],
)
def test_start_and_end_hints_show_the_format_and_the_zone(language, example, zone):
    with translation.override(language):
        for form in (
            SessionForm(initial={"time_zone": "Pacific/Fiji"}),
            SessionForm(session_data()),
        ):
            html = form["start"].as_field_group()
            hint = re.search(r'id="id_start_helptext">(.*?)</div>', html, re.S).group(1)
            assert example in hint
            assert f'<span data-zone-hint="id_time_zone">{zone}</span>' in hint
            assert 'aria-describedby="id_start_helptext"' in html
            assert 'type="datetime-local"' in html
        assert "zone-hint.js" in str(form.media)
        assert finders.find("js/zone-hint.js")


def test_the_session_form_page_loads_the_zone_hint_script(client, staff):
    client.force_login(staff)
    page = client.get(reverse("alliance:session_create")).content.decode()
    assert "js/zone-hint.js" in page
    assert "Coordinated Universal Time (UTC)" in page  # the initial zone, named


# Country autocomplete ------------------------------------------------------------------


COUNTRY_FIELDS = [
    (OrganizationRegistrationForm, "countries_of_origin"),
    (OrganizationRegistrationForm, "countries_of_residence"),
    (SessionInviteForm, "countries"),
    (YouthJoinForm, "heritage_countries"),
]


@pytest.mark.parametrize(("form_class", "name"), COUNTRY_FIELDS)
def test_country_pickers_are_plain_multiple_selects_enhanced_by_script(db, form_class, name):
    with translation.override("fr"):
        form = form_class(data={name: ["FJ", "SN"]})
        html = str(form[name])
    select = re.search(r"<select[^>]*>", html).group(0)
    assert "multiple" in select and f'name="{name}"' in select
    assert "data-autocomplete-multiple" in select
    assert html.count("<option") >= 240
    assert re.search(r'<option value="FJ"[^>]*selected[^>]*>Fidji</option>', html)
    assert re.search(r'<option value="SN"[^>]*selected[^>]*>Sénégal</option>', html)
    assert "Ctrl" not in str(form[name].help_text)
    media = str(form.media)
    for asset in (
        "vendor/accessible-autocomplete-3.0.1/accessible-autocomplete.min.js",
        "vendor/accessible-autocomplete-3.0.1/accessible-autocomplete.min.css",
        "js/autocomplete.js",
    ):
        assert asset in media
        assert finders.find(asset), asset


def test_vendored_autocomplete_keeps_its_licence():
    licence = Path(settings.BASE_DIR, "static/vendor/accessible-autocomplete-3.0.1/LICENSE.txt")
    assert "MIT" in licence.read_text() or "Permission is hereby granted" in licence.read_text()


def test_pages_with_country_pickers_load_the_autocomplete(client, staff, scheduled):
    pages = [
        (factories.make_user(), reverse("alliance:organization_register")),
        (factories.make_user(), reverse("youth:join")),
        (staff, reverse("alliance:session_invite", args=[scheduled.pk])),
    ]
    for user, url in pages:
        client.force_login(user)
        page = client.get(url).content.decode()
        assert "data-autocomplete-multiple" in page, url
        assert "js/autocomplete.js" in page, url
        assert "accessible-autocomplete.min.css" in page, url
        assert "Ctrl" in page  # the note for browsers without JavaScript, hidden by the script

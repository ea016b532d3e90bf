"""Time zones named as people know them (issue 7)."""

import datetime

import pytest
from django.core import mail
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from gdpa.accounts.forms import ProfileForm, time_zone_choices
from tests import factories


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
        assert (
            template.render(Context({"zone": datetime.datetime.now().astimezone().tzinfo}))
            is not None
        )
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

"""The GOV.UK form pattern (docs/design.md, "Error summary and field errors" and "Agenda
rows"): an error summary linking to each field, "Error:" in the title, specific messages,
novalidate, and agenda rows added and removed without losing what was typed."""

import importlib
import inspect
import re
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.urls import reverse

from alliance.forms import AgendaFormSet, OrganizationRegistrationForm
from alliance.models import AllianceSession, Organization
from gdpa.portal.templatetags.form_errors import form_problems

GENERIC_REQUIRED = str(forms.Field.default_error_messages["required"])


def project_form_classes():
    """Every Form class defined in a ``forms`` module of the project's own apps."""
    found = []
    for config in apps.get_app_configs():
        if not Path(config.path).is_relative_to(settings.BASE_DIR) or ".venv" in config.path:
            continue
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                found.append(cls)
    return found


def default_messages(field) -> dict[str, str]:
    """The messages Django gives this kind of field when the project says nothing."""
    defaults: dict[str, str] = {}
    for klass in reversed(type(field).__mro__):
        if klass.__module__.startswith("django."):
            defaults.update(
                {k: str(v) for k, v in getattr(klass, "default_error_messages", {}).items()}
            )
    return defaults


def test_the_project_has_forms_to_check():
    names = {cls.__name__ for cls in project_form_classes()}
    assert {"SessionForm", "OrganizationRegistrationForm", "ProfileForm", "YouthJoinForm"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", project_form_classes(), ids=lambda cls: cls.__name__)
def test_no_required_field_says_this_field_is_required(form_class):
    form = form_class()
    for name, field in form.fields.items():
        if field.required:
            message = str(field.error_messages["required"])
            assert message != GENERIC_REQUIRED, f"{form_class.__name__}.{name}"
        if "invalid" in field.error_messages:
            message = str(field.error_messages["invalid"])
            generic = default_messages(field).get("invalid")
            assert message != generic, f"{form_class.__name__}.{name} invalid: {message}"


# The error summary ------------------------------------------------------------------------


def summary_links(body: str) -> list[tuple[str, str]]:
    summary = re.search(r'<div class="error-summary".*?</div>', body, re.S)
    assert summary, "no error summary"
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', summary.group(0))


def test_an_empty_session_form_lists_each_problem_with_a_link_and_changes_nothing(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("alliance:session_create"),
        {"agenda-TOTAL_FORMS": "1", "agenda-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 422
    body = response.content.decode()
    links = summary_links(body)
    assert ("#id_title", "Enter the title") in links
    assert ("#id_kind", "Choose the kind of session") in links
    assert ("#id_start", "Enter the session&#x27;s start time") in links
    assert ("#id_end", "Enter the session&#x27;s end time") in links
    assert "This field is required" not in body
    assert re.search(r"<title>Error: New session", body)
    assert 'role="alert" tabindex="-1" aria-labelledby="error-summary-title"' in body
    # The field itself names its error and is marked invalid.
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*id="id_title"', body) or re.search(
        r'<input[^>]*id="id_title"[^>]*aria-invalid="true"', body
    )
    assert 'aria-describedby="id_title_error"' in body
    assert 'id="id_title_error"' in body
    assert not AllianceSession.objects.exists()


def test_the_page_title_has_no_error_prefix_before_a_post(client, staff):
    client.force_login(staff)
    body = client.get(reverse("alliance:session_create")).content.decode()
    assert re.search(r"<title>New session", body)
    assert "error-summary" not in body.split("<main", 1)[1].split("<template", 1)[0]


def test_the_end_before_the_start_is_said_in_the_summary(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("alliance:session_create"),
        session_post(start="2030-05-04T10:00", end="2030-05-04T09:00"),
    )
    assert response.status_code == 422
    links = summary_links(response.content.decode())
    assert any(href == "#id_end" and "end must be after the start" in text for href, text in links)
    assert not AllianceSession.objects.exists()


def test_an_agenda_row_problem_links_to_its_field(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("alliance:session_create"), session_post(**{"agenda-0-duration_minutes": "ten"})
    )
    assert response.status_code == 422
    links = summary_links(response.content.decode())
    assert links == [
        ("#id_agenda-0-duration_minutes", "Enter the minutes as a whole number, like 15")
    ]
    assert not AllianceSession.objects.exists()


def test_the_organization_registration_form_lists_each_problem(client, member):
    client.force_login(member)
    before = Organization.objects.count()
    response = client.post(
        reverse("alliance:organization_register"), {"contact_email": "not an address"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    links = summary_links(body)
    assert links == [
        ("#id_kind", "Choose the kind of organization"),
        ("#id_name", "Enter the name of the organization"),
        ("#id_country", "Choose the country where the organization is based"),
        (
            "#id_contact_email",
            "Enter an e-mail address in the correct format, like name@example.org",
        ),
    ]
    assert re.search(r"<title>Error: Register an organization", body)
    assert Organization.objects.count() == before


def test_grouped_inputs_and_non_field_errors_link_to_an_input():
    form = OrganizationRegistrationForm(
        {"kind": "diaspora", "name": "N", "country": "FJ", "contact_email": "a@example.org"}
    )
    form.is_valid()
    form.add_error(None, "The organization already exists.")
    form.add_error("sectors", "Choose a sector.")
    problems = form_problems(form)
    assert problems[0] == {"text": "The organization already exists.", "href": "#id_kind"}
    assert {"text": "Choose a sector.", "href": "#id_sectors_0"} in problems
    assert form_problems(OrganizationRegistrationForm()) == []


def test_allauth_pages_show_the_summary_too(client, db):
    response = client.post(reverse("account_signup"), {})
    body = response.content.decode()
    assert 'class="error-summary"' in body
    assert re.search(r"<title>Error: ", body)
    assert "novalidate" in body


def test_every_form_with_fields_leaves_checking_to_the_server():
    templates = [
        path
        for root in ("alliance", "gdpa", "youth", "templates")
        for path in Path(settings.BASE_DIR, root).rglob("*.html")
    ]
    missing = []
    for path in templates:
        for tag in re.findall(r"<form\b[^>]*>", path.read_text(), re.S):
            if "novalidate" in tag or "base.html" in str(path):
                continue
            # Forms of buttons alone (approve, leave, cancel) have nothing to check.
            start = path.read_text().index(tag)
            body = path.read_text()[start : path.read_text().index("</form>", start)]
            if re.search(r"<(textarea|select)\b|\{\{ *[a-z_]*form[ }|.]|as_field_group", body) or (
                re.search(r'<input\b(?![^>]*type="hidden")', body)
            ):
                missing.append(f"{path.name}: {tag[:60]}")
    assert not missing


# Agenda rows -------------------------------------------------------------------------------


def session_post(**extra) -> dict:
    return {
        "title": "Plenary",
        "kind": "plenary",
        "sectors": [],
        "time_zone": "UTC",
        "start": "2030-05-04T10:00",
        "end": "2030-05-04T12:00",
        "format": "in_person",
        "venue": "Geneva",
        "status": "draft",
        "agenda-TOTAL_FORMS": "1",
        "agenda-INITIAL_FORMS": "0",
        "agenda-0-title": "Welcome",
        "agenda-0-duration_minutes": "10",
        **extra,
    }


def test_add_an_agenda_item_without_javascript_keeps_everything_and_saves_nothing(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("alliance:session_create"), session_post(title="", agenda_add="1")
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="agenda-TOTAL_FORMS" value="2"' in body
    assert 'name="agenda-1-title"' in body
    assert 'value="Welcome"' in body and 'value="Geneva"' in body
    # Adding a row is not a failed submission: no errors yet (the empty title included).
    assert "error-summary" not in body.split("<template", 1)[0]
    assert not re.search(r"<title>Error:", body)
    assert not AllianceSession.objects.exists()


def test_a_removed_agenda_item_is_not_saved(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("alliance:session_create"),
        session_post(
            **{
                "agenda-TOTAL_FORMS": "2",
                "agenda-0-DELETE": "on",
                "agenda-1-title": "Closing",
                "agenda-1-duration_minutes": "5",
            }
        ),
    )
    assert response.status_code == 302
    session = AllianceSession.objects.get()
    assert [a.title for a in session.agenda_items.all()] == ["Closing"]


def test_a_removed_row_with_a_bad_value_does_not_stop_the_save(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("alliance:session_create"),
        session_post(**{"agenda-0-duration_minutes": "ten", "agenda-0-DELETE": "on"}),
    )
    assert response.status_code == 302
    assert not AllianceSession.objects.get().agenda_items.exists()


def test_the_agenda_offers_one_empty_row_and_a_template_for_more(client, staff, scheduled):
    client.force_login(staff)
    body = client.get(reverse("alliance:session_edit", args=[scheduled.pk])).content.decode()
    assert 'name="agenda-TOTAL_FORMS" value="2"' in body  # "Opening" and one empty row
    assert 'name="agenda-__prefix__-title"' in body
    assert 'name="agenda-0-DELETE"' in body
    assert 'name="agenda_add"' in body
    assert AgendaFormSet.max_num == 40 and AgendaFormSet.can_delete

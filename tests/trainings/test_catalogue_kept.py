"""The catalogue's list is kept rendered for everyone (``trainings.catalogue``): a change
made through the training services shows at once, a kept list costs no catalogue query,
languages are kept apart, and nothing a visitor adds to the address is kept for others."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from trainings import services

pytestmark = pytest.mark.django_db

URL = reverse("trainings:catalogue")


def test_a_change_through_the_services_shows_at_once(
    client, staff, make_programme, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        programme = make_programme(title="Diaspora bonds")
    assert "Diaspora bonds" in client.get(URL).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.programme_update(actor=staff, programme=programme, title="Remittances")
    body = client.get(URL).content.decode()
    assert "Remittances" in body and "Diaspora bonds" not in body


def test_a_kept_list_is_served_without_reading_the_catalogue(client, make_programme):
    make_programme(title="Diaspora bonds")
    client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(URL).content.decode()
    assert "Diaspora bonds" in body
    assert not [q for q in queries.captured_queries if "trainings_trainingprogramme" in q["sql"]]


def test_each_language_gets_its_own_list(client, make_programme, make_offering):
    make_offering(programme=make_programme(title="Diaspora bonds"))
    assert "Open for enrollment:" in client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    french = client.get(URL, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Inscriptions ouvertes\u00a0:" in french and "Open for enrollment:" not in french


def _results(response) -> str:
    body = response.content.decode()
    return body[body.index('<div id="results"') : body.index("</main>")]


def test_what_a_visitor_adds_to_the_address_is_not_kept_for_others(client, make_programme):
    for n in range(25):  # two pages
        make_programme(title=f"Programme {n:02}", audience="diaspora")
    results = _results(client.get(URL, {"audience": "diaspora", "planted": "<b>x</b>"}))
    assert 'href="?audience=diaspora&amp;page=2"' in results and "planted" not in results
    other = _results(client.get(URL, {"audience": "diaspora"}))
    assert "planted" not in other and "Programme 00" in other
    # An invalid filter is shown as an error and left out of the kept list's links.
    response = client.get(URL, {"audience": "nonsense"})
    assert "Choose one of the options in the list" in response.content.decode()
    assert 'href="?page=2"' in _results(response)


def test_the_filter_form_is_kept_with_its_values_and_never_with_errors(client, make_programme):
    make_programme(title="Diaspora bonds")
    htmx = {"HTTP_HX_REQUEST": "true"}
    for audience in ("diaspora", "government", "diaspora"):
        form = client.get(URL, {"audience": audience}, **htmx).content.decode()
        assert 'hx-swap-oob="true"' in form
        assert f'<option value="{audience}" selected>' in form
    wrong = client.get(URL, {"starts_from": "someday"}, **htmx).content.decode()
    assert "Enter the date like 2027-04-12" in wrong
    mended = client.get(URL, {"starts_from": "2027-04-12"}, **htmx).content.decode()
    assert "Enter the date like 2027-04-12" not in mended and 'value="2027-04-12"' in mended
    assert "Clear the filters" in mended
    assert "Clear the filters" not in client.get(URL).content.decode()

"""Browser: the country pickers are an accessible autocomplete over a plain multiple select."""

import re

import pytest
from playwright.sync_api import Page, expect

from alliance.models import Organization
from tests import factories
from tests.e2e.helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_register_an_organization_choosing_countries_with_the_keyboard(page: Page, live_server):
    leader = factories.make_user(full_name="Mereoni Tuilau")
    sign_in(page, live_server.url, leader)
    page.goto(f"{live_server.url}/alliance/organizations/register/")
    page.get_by_label("Name of the organization").fill("Fiji Islanders Climate Collective")
    page.get_by_label("Country where it is based").select_option("NZ")

    # The label names the autocomplete input; the original select is hidden, still in the form.
    origin = page.get_by_role("combobox", name="Diaspora countries of origin")
    expect(origin).to_be_visible()
    expect(page.locator("select#id_countries_of_origin-select")).to_be_hidden()
    expect(page.get_by_text("Hold Ctrl").filter(visible=True)).to_have_count(0)

    suggestions = page.get_by_role("listbox")
    origin.click()
    origin.press_sequentially("Fij")
    expect(suggestions.get_by_role("option")).to_have_text(["Fiji"])
    # The first suggestion is highlighted; Enter chooses it.
    page.keyboard.press("Enter")

    remove_fiji = page.get_by_role("button", name="Remove Fiji")
    expect(remove_fiji).to_be_visible()
    expect(origin).to_have_value("")
    expect(origin).to_be_focused()
    expect(page.get_by_role("status").filter(has_text="Fiji added.")).to_have_count(1)

    # A second country, then it is removed again with the keyboard.
    origin.press_sequentially("sa")
    # Names starting with the text first; a chosen country is not offered again.
    expect(suggestions.get_by_role("option").first).to_have_text("Saint Barthélemy")
    expect(suggestions.get_by_role("option", name="Samoa", exact=True)).to_be_visible()
    origin.press_sequentially("mo")
    expect(suggestions.get_by_role("option")).to_have_text(["Samoa", "American Samoa"])
    # Arrows move through the suggestions (focus goes to them), Enter chooses.
    page.keyboard.press("ArrowDown")
    expect(suggestions.get_by_role("option", name="American Samoa")).to_have_attribute(
        "aria-selected", "true"
    )
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    remove_samoa = page.get_by_role("button", name="Remove Samoa")
    expect(remove_samoa).to_be_visible()
    remove_samoa.focus()
    page.keyboard.press("Enter")
    expect(remove_samoa).to_have_count(0)
    expect(remove_fiji).to_be_focused()

    page.get_by_label("Climate Action").check()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("Pending verification").first).to_be_visible()
    org = Organization.objects.get(name="Fiji Islanders Climate Collective")
    assert [country.code for country in org.countries_of_origin] == ["FJ"]


def test_country_names_are_searched_in_the_persons_language(page: Page, live_server):
    person = factories.make_user(preferred_language="fr")
    sign_in(page, live_server.url, person)
    page.goto(f"{live_server.url}/alliance/organizations/register/")
    residence = page.locator("#id_countries_of_residence")
    residence.press_sequentially("cote")  # no accent typed: "Côte d'Ivoire" is found
    option = page.get_by_role("listbox").get_by_role("option", name=re.compile("^Côte d.Ivoire"))
    expect(option).to_be_visible()
    option.click()
    expect(page.get_by_role("button", name=re.compile("Côte d.Ivoire"))).to_have_count(1)
    selected = page.locator("select#id_countries_of_residence-select").evaluate(
        "s => Array.from(s.selectedOptions).map(o => o.value)"
    )
    assert selected == ["CI"]

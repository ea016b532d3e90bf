"""Browser: the GOV.UK error pattern on the session form (summary shown and focused, title
starting with "Error:", each link moving focus to its field) and agenda rows added and
removed in place (docs/design.md, "Error summary and field errors", "Agenda rows")."""

import re

import pytest
from playwright.sync_api import Page, expect

from alliance.models import AllianceSession
from tests import factories
from tests.e2e.helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def active_id(page: Page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_an_empty_session_form_shows_a_focused_summary_linking_to_each_field(
    page: Page, live_server
):
    staff = factories.make_staff()
    base = live_server.url
    sign_in(page, base, staff, totp_secret=staff.totp_secret)
    page.goto(f"{base}/alliance/staff/sessions/new/")
    page.get_by_role("button", name="Save").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: New session"))
    expect(summary).to_be_focused()

    links = summary.get_by_role("link")
    expect(links).to_have_count(3)
    expect(links.nth(0)).to_have_text("Enter the title")
    expect(links.nth(1)).to_have_text("Enter the session's start time")
    expect(links.nth(2)).to_have_text("Enter the session's end time")
    for i in range(links.count()):
        link = links.nth(i)
        target = link.get_attribute("href").lstrip("#")
        link.click()
        assert active_id(page) == target
        expect(page.locator(f"#{target}")).to_have_attribute("aria-invalid", "true")
        expect(page.locator(f"#{target}")).to_be_in_viewport()
    assert not AllianceSession.objects.exists()


def test_agenda_rows_are_added_and_removed_in_place(page: Page, live_server):
    staff = factories.make_staff()
    base = live_server.url
    sign_in(page, base, staff, totp_secret=staff.totp_secret)
    page.goto(f"{base}/alliance/staff/sessions/new/")
    total = page.locator("input[name='agenda-TOTAL_FORMS']")
    expect(total).to_have_value("1")
    page.locator("#id_agenda-0-title").fill("Welcome")

    page.get_by_role("button", name="Add an agenda item").click()
    expect(total).to_have_value("2")
    expect(page.locator("#id_agenda-1-title")).to_be_focused()
    expect(page.get_by_role("status").filter(has_text="Agenda item added.")).to_have_count(1)
    page.locator("#id_agenda-1-title").fill("Closing")

    page.get_by_role("button", name="Remove Welcome").click()
    expect(page.locator("#id_agenda-0-title")).to_be_hidden()
    expect(page.locator("#id_agenda-0-DELETE")).to_be_checked()
    expect(page.get_by_role("button", name="Add an agenda item")).to_be_focused()

    page.get_by_label("Title", exact=True).fill("Plenary")
    page.get_by_label("Format", exact=True).select_option("in_person")
    page.get_by_label("Venue").fill("Geneva")
    page.get_by_label("Start", exact=True).fill("2030-05-04T10:00")
    page.get_by_label("End", exact=True).fill("2030-05-04T12:00")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Plenary")).to_be_visible()
    session = AllianceSession.objects.get()
    assert [a.title for a in session.agenda_items.all()] == ["Closing"]

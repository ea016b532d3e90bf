"""A staff member imports organizations in the browser: upload, preview, confirm,
result; each page checked at 390 px and 1366 px (no sideways scrolling, stacked tables
fit, no serious axe violation)."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from alliance.models import Organization
from tests.e2e.helpers import sign_in
from tests.e2e.test_layout import Layout
from tests.e2e.worlds import LONG_EMAIL

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CSV = (
    "name,kind,country,member_state,countries_of_origin,sectors,diaspora_capitals,"
    "contact_email,phone,website,description\n"
    f"Pacific Diaspora Link,diaspora,IE,,FJ; PE,Health and Well-being,human,{LONG_EMAIL},"
    "+353 1 555,www.pdl.example.org,"
    + "A long description of what the organization does for its diaspora. " * 4
    + "\nBroken Partner,academia,Atlantis,,,Space travel,,not-an-email,,,\n"
)


def test_staff_import_organizations_in_the_browser(page: Page, live_server, staff, tmp_path):
    csv_path = tmp_path / "members.csv"
    csv_path.write_text(CSV, encoding="utf-8")
    layout = Layout(page, live_server.url)
    sign_in(page, live_server.url, staff, totp_secret=staff.totp_secret)
    upload = reverse("alliance:import_upload")
    layout.check(upload, shows="Columns for Organizations")

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server.url + upload)
    page.get_by_label("Organizations", exact=True).check()
    page.get_by_label("File").set_input_files(str(csv_path))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_url(lambda url: url.rstrip("/").count("/imports/") and url != upload)
    expect(page.locator("main")).to_contain_text("Nothing has been saved yet")
    preview = page.url.removeprefix(live_server.url)
    layout.check(preview, shows="“Atlantis” is not a country")
    assert not Organization.objects.filter(name="Pacific Diaspora Link").exists()

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server.url + preview)
    page.get_by_role("button", name="Confirm the import").click()
    expect(page.locator("main")).to_contain_text("The import is done. Created: 1. Skipped: 1.")
    result = page.url.removeprefix(live_server.url)
    layout.check(result, shows="Broken Partner")
    layout.assert_clean()
    assert Organization.objects.get(name="Pacific Diaspora Link").is_verified

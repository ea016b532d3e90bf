"""Staff in the browser: filter the member directory to one country, export it as CSV,
verify two pending organizations in bulk, and open the results dashboard."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from alliance.models import Organization
from tests import factories
from tests.e2e.helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_filter_export_verify_in_bulk_and_open_the_dashboard(page: Page, live_server, staff):
    applicant = factories.make_user(full_name="Applicant")
    peru = [
        factories.make_organization(admin=applicant, name=name, country="PE")
        for name in ("Red Peruana de Salud", "Mujeres Andinas en el Exterior")
    ]
    elsewhere = factories.make_organization(admin=applicant, name="Fiji Ties", country="FJ")

    sign_in(page, live_server.url, staff, totp_secret=staff.totp_secret)
    page.goto(live_server.url + reverse("alliance:staff_organizations"))
    results = page.locator("#results")
    expect(results).to_contain_text("Fiji Ties")

    # Filter to Peru: htmx swaps the results without a page load.
    page.get_by_label("Country", exact=True).select_option("PE")
    expect(results).not_to_contain_text("Fiji Ties")
    expect(results).to_contain_text("Red Peruana de Salud")
    expect(results).to_contain_text("Mujeres Andinas en el Exterior")

    # Export what the page shows, as CSV.
    page.get_by_role("link", name="Export these results").click()
    expect(page.locator("main")).to_contain_text("Peru")
    page.get_by_label("CSV").check()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    names = {row["Name"] for row in rows}
    assert names == {"Red Peruana de Salud", "Mujeres Andinas en el Exterior"}

    # Verify both in bulk: select the page, ask, confirm.
    page.goto(live_server.url + reverse("alliance:staff_organizations") + "?country=PE")
    for organization in peru:
        page.get_by_label(f"Select {organization.name}").check()
    page.get_by_role("button", name="Verify…").click()
    expect(page.locator("main")).to_contain_text("Red Peruana de Salud")
    page.get_by_role("button", name="Verify and notify").click()
    expect(page.get_by_role("status").or_(page.locator(".messages"))).to_contain_text(
        re.compile("verified", re.I)
    )
    for organization in peru:
        organization.refresh_from_db()
        assert organization.status == Organization.Status.VERIFIED
    elsewhere.refresh_from_db()
    assert elsewhere.status == Organization.Status.PENDING

    # The results dashboard counts them among the alliance's organizations.
    page.goto(live_server.url + reverse("results:dashboard"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Results")
    expect(page.locator("svg[role=img]").first).to_be_visible()
    expect(page.locator("main table caption").first).to_be_visible()

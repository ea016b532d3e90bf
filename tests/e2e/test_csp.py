"""Browser: the htmx pages work under the Content-Security-Policy (no inline script or
style, no eval), and a violation would be caught (tests/e2e/conftest.py)."""

import re

import pytest
from playwright.sync_api import Page, expect

from alliance.models import Organization
from alliance.services.organizations import organization_set_listing
from tests import factories
from tests.e2e.conftest import CSP_CONSOLE_MARK
from tests.e2e.helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _listed(staff, name: str, kind: str) -> Organization:
    admin = factories.make_user()
    organization = factories.make_organization(admin=admin, name=name, kind=kind, verified_by=staff)
    return organization_set_listing(actor=admin, organization=organization, listed=True)


def test_the_policy_is_sent_and_an_htmx_filter_still_swaps(page: Page, live_server, csp_violations):
    staff = factories.make_staff()
    _listed(staff, "Diaspora Institute", Organization.Kind.ACADEMIA)
    _listed(staff, "Fiji Diaspora Network", Organization.Kind.DIASPORA)

    response = page.goto(f"{live_server.url}/alliance/directory/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy

    results = page.locator("#results")
    expect(results).to_contain_text("2 organizations")
    page.get_by_role("search", name="Filter the organizations").get_by_label("Kind").select_option(
        value=Organization.Kind.ACADEMIA
    )
    expect(results).to_contain_text("1 organization")
    expect(results.get_by_role("heading", name="Diaspora Institute")).to_be_visible()
    expect(results.get_by_role("heading", name="Fiji Diaspora Network")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"kind=academia"))
    # htmx was told not to inject its indicator styles: the page has no <style> at all.
    assert page.locator("style").count() == 0
    assert csp_violations == []


def test_an_htmx_form_error_still_shows_under_the_policy(page: Page, live_server, csp_violations):
    staff = factories.make_staff()
    factories.make_organization(admin=factories.make_user(), name="Late Collective")
    sign_in(page, live_server.url, staff, totp_secret=staff.totp_secret)
    page.goto(f"{live_server.url}/alliance/staff/verification/")

    page.get_by_text("Reject…").click()
    page.get_by_role("button", name="Reject and notify").click()
    queue = page.locator("#queue")
    expect(queue.get_by_text("Enter the reason for rejection").first).to_be_visible()
    assert Organization.objects.get(name="Late Collective").status == Organization.Status.PENDING
    assert csp_violations == []


def test_a_violation_would_be_caught(page: Page, live_server, csp_violations):
    """The watch in conftest.py sees what the browser refuses (then forgets it, so this
    test itself passes)."""
    page.goto(f"{live_server.url}/account/login/")
    with page.expect_console_message(lambda message: CSP_CONSOLE_MARK in message.text):
        page.evaluate(
            "() => { const s = document.createElement('style'); s.textContent = 'p{}';"
            " document.head.appendChild(s); }"
        )
    assert any("style" in line for line in csp_violations)
    csp_violations.clear()

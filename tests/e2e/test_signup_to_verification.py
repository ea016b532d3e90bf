"""Browser journey: a diaspora leader signs up and registers; IOM staff approve it."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from alliance.models import Organization
from tests import factories
from tests.e2e.helpers import sign_in, sign_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_sign_up_register_organization_and_staff_approve(page: Page, live_server):
    staff = factories.make_staff()
    base = live_server.url

    # A diaspora leader creates an account.
    page.goto(f"{base}/account/signup/")
    page.get_by_label("Full name").fill("Mereoni Tuilau")
    page.get_by_label(re.compile(r"^E-?mail", re.I)).first.fill("mereoni@example.org")
    page.get_by_label("Password", exact=True).fill("a long enough password")
    page.get_by_label("Password (again)").fill("a long enough password")
    page.get_by_label("Time zone").select_option("Pacific/Auckland")
    page.get_by_role("button", name="Create an account").click()
    expect(page.get_by_role("heading", name="Confirm your e-mail address")).to_be_visible()

    # The confirmation link arrives by e-mail (the test outbox).
    link = re.search(r"https?://[^/\s]+(/account/confirm-email/\S+)", mail.outbox[-1].body).group(1)
    page.goto(base + link)
    page.get_by_role("button", name=re.compile("Confirm", re.I)).click()
    expect(page.get_by_role("heading", name=re.compile("Welcome, Mereoni Tuilau"))).to_be_visible()

    # They register their diaspora organization; it waits for verification.
    page.goto(f"{base}/alliance/organizations/register/")
    page.get_by_label("Name of the organization").fill("Fiji Islanders Climate Collective")
    page.get_by_label("Country where it is based").select_option("NZ")
    origin = page.get_by_role("combobox", name="Diaspora countries of origin")
    origin.press_sequentially("Fiji")
    page.get_by_role("listbox").get_by_role("option", name="Fiji").click()
    page.get_by_label("Climate Action").check()
    page.get_by_label("Social capital").check()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("Pending verification").first).to_be_visible()
    org = Organization.objects.get(name="Fiji Islanders Climate Collective")
    assert org.status == Organization.Status.PENDING

    # IOM staff sign in with their second factor and approve it from the queue.
    sign_out(page)
    sign_in(page, base, staff, totp_secret=staff.totp_secret)
    page.goto(f"{base}/alliance/staff/verification/")
    card = page.get_by_role("article").filter(has_text="Fiji Islanders Climate Collective")
    card.get_by_role("button", name=re.compile("Approve")).click()
    expect(page.get_by_text("is verified; the applicant was told")).to_be_visible()
    expect(page.get_by_text("Nothing to verify")).to_be_visible()

    org.refresh_from_db()
    assert org.status == Organization.Status.VERIFIED
    assert any("is verified" in m.subject for m in mail.outbox if "mereoni@example.org" in m.to)

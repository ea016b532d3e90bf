"""Automated accessibility checks: axe-core with the WCAG 2.0 and 2.1 level A and AA rules
on the main pages, as each kind of user sees them, with form errors shown, in French,
and on a 320 px wide screen (WCAG 1.4.10 Reflow), where wide tables scroll sideways."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Page, expect

from alliance import services as alliance_services
from tests import factories
from tests.e2e.helpers import sign_in
from tests.e2e.worlds import recommendation_world, training_world, youth_voices_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# No rule is disabled: every WCAG 2.0/2.1 A and AA rule of axe applies to the portal.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
NARROW = {"width": 320, "height": 640}
axe = Axe()


class Audit:
    """Runs axe on each page visited and collects the violations, so that one run
    reports every problem of a journey rather than the first one."""

    def __init__(self, page: Page, base: str):
        self.page = page
        self.base = base
        self.problems: list[str] = []

    def visit(self, path: str) -> None:
        self.page.goto(self.base + path)
        # A page that redirects (to sign in, say) would be checked in place of this one.
        expect(self.page).to_have_url(self.base + path)
        self.check(path)

    def check(self, label: str) -> None:
        for violation in axe.run(self.page, options=AXE_OPTIONS).response["violations"]:
            targets = " | ".join(", ".join(node["target"]) for node in violation["nodes"])
            self.problems.append(
                f"{label}: {violation['id']} ({violation['impact']}): {violation['help']}\n"
                f"    {targets}"
            )

    def check_narrow(self, path: str) -> None:
        """The page on a 320 px wide screen: axe, and no sideways scrolling of the page."""
        self.page.set_viewport_size(NARROW)
        self.visit(path)
        overflow = self.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            self.problems.append(f"{path} (320 px): the page scrolls sideways by {overflow} px")

    def submit_empty(self, button: str) -> None:
        """Submit the main form as it is, past the browser's checks of required fields,
        so that the server's error messages show."""
        submit = self.page.locator("main").get_by_role("button", name=button)
        submit.evaluate("button => { button.form.noValidate = true; }")
        submit.click()
        expect(self.page.locator(".field--error").first).to_be_visible()

    def assert_clean(self) -> None:
        summary = "\n".join(self.problems)
        print(summary)
        assert not self.problems, f"{len(self.problems)} accessibility problems:\n{summary}"


def test_visitor_pages(page: Page, live_server):
    audit = Audit(page, live_server.url)
    for path in ["/", "/account/login/", "/account/password/reset/", "/account/signup/"]:
        audit.visit(path)
    audit.submit_empty(re.compile("Create an account", re.I))
    audit.check("/account/signup/ (with errors)")

    # The home page in French, chosen with the header's language form.
    audit.visit("/")
    page.get_by_label("Language").select_option("fr")
    page.locator("header").get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    audit.check("/ (in French)")
    audit.assert_clean()


def test_diaspora_leader_pages(page: Page, live_server, staff, leader, diaspora_org):
    factories.add_member(staff=staff, organization=diaspora_org)
    audit = Audit(page, live_server.url)
    sign_in(page, live_server.url, leader)
    organization = f"/alliance/organizations/{diaspora_org.pk}/"
    for path in [
        "/dashboard/",
        "/alliance/organizations/",
        organization,
        "/account/profile/",
        "/youth/join/",
        "/alliance/organizations/register/",
    ]:
        audit.visit(path)
    audit.submit_empty("Register")
    audit.check("/alliance/organizations/register/ (with errors)")

    # The members table, with its role forms, scrolls inside its box on a phone.
    audit.check_narrow(organization)
    audit.assert_clean()


def test_focal_point_pages(page: Page, live_server, staff, focal_point, make_session):
    session = make_session()
    alliance_services.session_invite(actor=staff, session=session, emails=[focal_point.email])
    audit = Audit(page, live_server.url)
    sign_in(page, live_server.url, focal_point)
    audit.visit("/alliance/sessions/")
    audit.visit(f"/alliance/sessions/{session.pk}/")
    expect(page.get_by_role("button", name="Accept")).to_be_visible()
    audit.assert_clean()


def test_staff_pages(page: Page, live_server, staff, focal_point, make_session):
    applicant = factories.make_user(full_name="Mereoni Tuilau")
    factories.make_organization(admin=applicant, name="Fiji Islanders Climate Collective")
    session = make_session()
    alliance_services.session_invite(actor=staff, session=session, emails=[focal_point.email])
    audit = Audit(page, live_server.url)
    sign_in(page, live_server.url, staff, totp_secret=staff.totp_secret)

    audit.visit("/alliance/staff/verification/")
    expect(page.get_by_role("article")).to_have_count(1)
    for path in [
        "/alliance/staff/sessions/",
        "/alliance/staff/sessions/new/",
        f"/alliance/staff/sessions/{session.pk}/invite/",
        f"/alliance/staff/sessions/{session.pk}/attendance/",
        "/staff/audit/",
        "/staff/emails/",
        "/alliance/staff/member-states/",
    ]:
        audit.visit(path)

    # Tables wider than a phone must scroll from the keyboard too.
    for path in [f"/alliance/staff/sessions/{session.pk}/attendance/", "/staff/audit/"]:
        audit.check_narrow(path)
    audit.assert_clean()


def test_public_pages_of_trainings_recommendations_and_stories(
    page: Page, live_server, staff, focal_point, government, leader, diaspora_org
):
    trainings = training_world(staff, focal_point, government)
    recommendations = recommendation_world(staff, focal_point, leader, diaspora_org)
    stories = youth_voices_world(staff)
    published = recommendations["published"]
    catalogue = reverse("trainings:catalogue")
    offering = reverse("trainings:offering", args=[trainings["running"].pk])
    recommendation = reverse("alliance:recommendation", args=[published.pk])
    showcase = reverse("youth:showcase")
    audit = Audit(page, live_server.url)
    for path in [
        catalogue,
        reverse("trainings:programme", args=[trainings["programme"].pk]),
        reverse("trainings:offering", args=[trainings["upcoming"].pk]),
        offering,
        reverse("trainings:verify_code", args=[trainings["certificate"].code]),
        reverse("alliance:recommendations"),
        recommendation,
        reverse("alliance:recommendation_versions", args=[published.pk]),
        reverse(
            "alliance:recommendation_version_diff",
            args=[published.pk, recommendations["version"].history_id],
        ),
        reverse("alliance:public_reports"),
        showcase,
        reverse("youth:story", args=[stories["published"].pk]),
    ]:
        audit.visit(path)

    # The verification form with its error, and the answer to a code nobody holds.
    audit.visit(reverse("trainings:verify"))
    audit.submit_empty("Verify")
    audit.check("/trainings/verify/ (with errors)")
    audit.visit(reverse("trainings:verify_code", args=["ABCDEFGHJKMNPQRSTUVW"]))
    expect(page.get_by_role("heading", name="No certificate has this code")).to_be_visible()

    # The catalogue and the showcase after their filters swapped the results (htmx).
    audit.visit(catalogue)
    page.locator("main form").get_by_label("Audience").select_option("government")
    expect(page.locator("#results")).to_contain_text("Engaging your diaspora")
    audit.check(f"{catalogue} (filtered)")
    audit.visit(showcase)
    page.get_by_role("search").get_by_label("Sector").select_option(label="Climate Action")
    expect(page).to_have_url(re.compile("sector="))
    audit.check(f"{showcase} (filtered)")

    for path in [catalogue, offering, recommendation, showcase]:
        audit.check_narrow(path)
    audit.assert_clean()

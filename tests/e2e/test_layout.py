"""Every role's main pages at a phone's width (390 px) and a laptop's (1366 px): the page
never scrolls sideways (long e-mail addresses wrap, wide tables stack into rows) and axe
finds no violation of serious or critical impact. One browser page (one context) per
role, signed in once; both widths are checked on it by resizing the viewport."""

import datetime
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Page, expect

from alliance import services as alliance_services
from alliance.models import Membership
from tests import factories
from tests.e2e.helpers import sign_in
from tests.e2e.worlds import LONG_EMAIL, recommendation_world, training_world, youth_voices_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = [{"width": 390, "height": 844}, {"width": 1366, "height": 900}]
SERIOUS = {"serious", "critical"}
axe = Axe()


class Layout:
    """Collects every problem of a role's pages, so one run reports all of them."""

    def __init__(self, page: Page, base: str):
        self.page, self.base = page, base
        self.problems: list[str] = []

    def check(self, path: str, *, shows: str | None = None) -> None:
        for size in WIDTHS:
            self.page.set_viewport_size(size)
            response = self.page.goto(self.base + path)
            expect(self.page).to_have_url(self.base + path)
            if shows:
                expect(self.page.locator("main")).to_contain_text(shows)
            label = f"{path} at {size['width']} px"
            if response.status >= 400:  # an error page would be checked in its place
                self.problems.append(f"{label}: the page answered {response.status}")
            overflow = self.page.evaluate(
                "document.documentElement.scrollWidth - window.innerWidth"
            )
            if overflow > 0:
                self.problems.append(f"{label}: the page scrolls sideways by {overflow} px")
            if size["width"] < 640:
                # A stacked table fits the phone: its last columns (actions) are on screen.
                hidden = self.page.evaluate(
                    """[...document.querySelectorAll('table.table--stack')]
                    .map(t => t.scrollWidth - t.parentElement.clientWidth)
                    .filter(d => d > 0)"""
                )
                if hidden:
                    self.problems.append(f"{label}: a stacked table is wider by {hidden} px")
            for violation in axe.run(self.page).response["violations"]:
                if violation["impact"] in SERIOUS:
                    targets = " | ".join(", ".join(n["target"]) for n in violation["nodes"])
                    self.problems.append(
                        f"{label}: {violation['id']} ({violation['impact']}): "
                        f"{violation['help']}\n    {targets}"
                    )

    def assert_clean(self) -> None:
        summary = "\n".join(self.problems)
        assert not self.problems, f"{len(self.problems)} layout problems:\n{summary}"


def test_visitor_pages(page: Page, live_server):
    layout = Layout(page, live_server.url)
    for path in [reverse("portal:home"), reverse("account_login"), reverse("portal:privacy")]:
        layout.check(path)
    layout.assert_clean()


def test_focal_point_pages(page: Page, live_server, staff, focal_point, government, make_session):
    session = make_session()
    alliance_services.session_invite(actor=staff, session=session, emails=[focal_point.email])
    # The three languages: the focal point reads French, the diaspora leader Spanish.
    type(focal_point).objects.filter(pk=focal_point.pk).update(preferred_language="fr")
    layout = Layout(page, live_server.url)
    sign_in(page, live_server.url, focal_point)
    for path in [
        reverse("portal:dashboard"),
        reverse("alliance:my_sessions"),
        reverse("alliance:session", args=[session.pk]),
        reverse("alliance:organization", args=[government.pk]),
    ]:
        layout.check(path)
    layout.assert_clean()


def test_diaspora_leader_pages(page: Page, live_server, staff, leader, diaspora_org):
    long_named = factories.make_user(email=LONG_EMAIL, full_name="Mereoni Tuilau-Nakalevu")
    factories.add_member(staff=staff, organization=diaspora_org, user=long_named)
    factories.add_member(staff=staff, organization=diaspora_org, role=Membership.Role.FOCAL_POINT)
    alliance_services.invitation_create(
        actor=leader,
        organization=diaspora_org,
        email=LONG_EMAIL.replace("mereoni", "invited"),
        role=Membership.Role.MEMBER,
    )
    type(leader).objects.filter(pk=leader.pk).update(preferred_language="es")
    layout = Layout(page, live_server.url)
    sign_in(page, live_server.url, leader)
    layout.check(reverse("portal:dashboard"))
    # The member table with its role controls, and the long address, on a phone.
    layout.check(reverse("alliance:organization", args=[diaspora_org.pk]), shows=LONG_EMAIL)
    layout.assert_clean()


def test_staff_pages(page: Page, live_server, staff, focal_point, make_session):
    applicant = factories.make_user(email=LONG_EMAIL, full_name="Mereoni Tuilau")
    organization = factories.make_organization(
        admin=applicant, name="Fiji Islanders Climate Collective"
    )
    session = make_session()
    alliance_services.session_invite(
        actor=staff, session=session, emails=[focal_point.email, LONG_EMAIL]
    )
    alliance_services.session_update(
        actor=staff, session=session, ends_at=session.ends_at + datetime.timedelta(hours=1)
    )
    layout = Layout(page, live_server.url)
    sign_in(page, live_server.url, staff, totp_secret=staff.totp_secret)
    for path, shows in [
        (reverse("portal:dashboard"), None),
        (reverse("alliance:verification_queue"), LONG_EMAIL),
        (reverse("alliance:staff_organizations"), None),
        (reverse("audit:log"), "Session rescheduled"),
        (reverse("notify:outbox"), LONG_EMAIL),
        (reverse("alliance:session", args=[session.pk]), None),
        (reverse("alliance:session_attendance", args=[session.pk]), None),
        (reverse("youth:figures"), "Youth participation by sector"),
        (reverse("youth:settings"), "Youth age range"),
        (reverse("alliance:staff_people"), LONG_EMAIL),
        (reverse("portal:staff_person", args=[applicant.pk]), LONG_EMAIL),
        (reverse("alliance:staff_organization", args=[organization.pk]), LONG_EMAIL),
        (reverse("exports:index"), None),
        (reverse("exports:start") + "?dataset=members-people", None),
        (reverse("results:dashboard"), None),
        (reverse("results:reports"), None),
        (reverse("notify:suppressions"), None),
    ]:
        layout.check(path, shows=shows)
    layout.assert_clean()


def test_training_pages(page: Page, live_server, staff, focal_point):
    from trainings import services as training_services

    programme = factories.make_programme(
        staff=staff,
        title="Engaging your diaspora: policy design for ministries and consular networks",
    )
    offering = factories.make_offering(staff=staff, programme=programme, capacity=20)
    training_services.enrollment_create(user=focal_point, offering=offering)
    layout = Layout(page, live_server.url)
    for path in [
        reverse("trainings:catalogue"),
        reverse("trainings:programme", args=[programme.pk]),
    ]:
        layout.check(path, shows="Engaging your diaspora")
    sign_in(page, live_server.url, focal_point)
    layout.check(reverse("trainings:offering", args=[offering.pk]), shows="Spring cohort")
    layout.check(reverse("portal:dashboard"), shows="Spring cohort")
    page.get_by_role("button", name=re.compile("Sign out", re.I)).click()
    sign_in(page, live_server.url, staff, totp_secret=staff.totp_secret)
    layout.check(reverse("trainings:staff_programmes"), shows="Engaging your diaspora")
    layout.check(reverse("trainings:programme_edit", args=[programme.pk]))
    layout.assert_clean()


# The pages of the trainings, recommendations and Youth Voices (issues 8, 9 and 10) ------


def test_training_pages_of_every_role(page: Page, live_server, staff, focal_point, government):
    world = training_world(staff, focal_point, government)
    upcoming, running = world["upcoming"].pk, world["running"].pk
    code = world["certificate"].code
    layout = Layout(page, live_server.url)
    for path, shows in [
        (reverse("trainings:offering", args=[upcoming]), "Spring cohort"),
        (reverse("trainings:offering", args=[running]), "Policy design"),
        (reverse("trainings:verify"), "Verify a certificate"),
        (reverse("trainings:verify_code", args=[code]), "Valid certificate"),
    ]:
        layout.check(path, shows=shows)

    # The focal point: a learner who completed, and a nominator.
    sign_in(page, live_server.url, focal_point)
    for path, shows in [
        (reverse("trainings:offering", args=[running]), "Your certificate"),
        (reverse("trainings:feedback", args=[running]), None),
        (reverse("trainings:withdraw", args=[running]), None),
        (reverse("trainings:offering", args=[upcoming]), "Nominations"),
        (reverse("trainings:nominate", args=[upcoming]), "People you nominated"),
        (
            reverse("trainings:nominee_withdraw", args=[upcoming, world["nominee"].pk]),
            None,
        ),
        (reverse("portal:dashboard"), "Winter cohort"),
    ]:
        layout.check(path, shows=shows)
    page.get_by_role("button", name=re.compile("Sign out", re.I)).click()

    sign_in(page, live_server.url, staff, totp_secret=staff.totp_secret)
    meeting = world["meeting"].pk
    for path, shows in [
        (reverse("trainings:programme_create"), None),
        (reverse("trainings:offering_create", args=[world["programme"].pk]), None),
        (reverse("trainings:offering_edit", args=[upcoming]), None),
        (reverse("trainings:approval_queue"), LONG_EMAIL),
        (reverse("trainings:meetings", args=[running]), "Policy design"),
        (reverse("trainings:meeting_create", args=[running]), None),
        (reverse("trainings:meeting_edit", args=[meeting]), None),
        (reverse("trainings:meeting_delete", args=[meeting]), None),
        (reverse("trainings:attendance", args=[meeting]), LONG_EMAIL),
        (reverse("trainings:offering_feedback", args=[running]), "Clear and useful."),
        (reverse("trainings:offering_figures", args=[running]), None),
        (reverse("trainings:offering_certificates", args=[running]), LONG_EMAIL),
        (reverse("trainings:certificates_issue", args=[running]), None),
        (reverse("trainings:certificate_revoke", args=[world["certificate"].pk]), None),
    ]:
        layout.check(path, shows=shows)
    layout.assert_clean()


def test_recommendation_pages_of_every_role(
    page: Page, live_server, staff, focal_point, leader, diaspora_org
):
    world = recommendation_world(staff, focal_point, leader, diaspora_org)
    published, open_one = world["published"].pk, world["open"].pk
    layout = Layout(page, live_server.url)
    for path, shows in [
        (reverse("alliance:recommendations"), "Diaspora climate finance"),
        (reverse("alliance:recommendation", args=[published]), "Fiji"),
        (reverse("alliance:recommendation_versions", args=[published]), None),
        (
            reverse(
                "alliance:recommendation_version_diff",
                args=[published, world["version"].history_id],
            ),
            None,
        ),
        (reverse("alliance:public_reports"), "Climate recommendations 2027"),
    ]:
        layout.check(path, shows=shows)

    # A youth participant gives input; the focal point endorses; a leader supports.
    sign_in(page, live_server.url, world["youth"])
    layout.check(reverse("alliance:recommendation", args=[open_one]), shows="Your comment")
    page.get_by_role("button", name=re.compile("Sign out", re.I)).click()
    sign_in(page, live_server.url, focal_point)
    layout.check(
        reverse("alliance:recommendation", args=[open_one]), shows="Endorse on behalf of Fiji"
    )
    layout.check(
        reverse(
            "alliance:recommendation_endorsement_withdraw",
            args=[open_one, world["endorsement"].pk],
        )
    )
    page.get_by_role("button", name=re.compile("Sign out", re.I)).click()
    sign_in(page, live_server.url, leader)
    layout.check(reverse("alliance:recommendation", args=[open_one]), shows="supports it")
    page.get_by_role("button", name=re.compile("Sign out", re.I)).click()

    sign_in(page, live_server.url, staff, totp_secret=staff.totp_secret)
    report = world["report"].pk
    for path, shows in [
        (reverse("alliance:recommendation", args=[open_one]), "Save the answer"),
        (reverse("alliance:staff_tracks"), "Climate Action"),
        (reverse("alliance:track_create"), None),
        (reverse("alliance:staff_track", args=[world["track"].pk]), "Remittance data"),
        (reverse("alliance:track_edit", args=[world["track"].pk]), None),
        (reverse("alliance:recommendation_create", args=[world["track"].pk]), None),
        (reverse("alliance:recommendation_edit", args=[open_one]), None),
        (reverse("alliance:recommendation_edit", args=[published]), None),
        (reverse("alliance:recommendation_transition", args=[open_one, "review"]), None),
        (reverse("alliance:staff_reports"), "Climate recommendations 2027"),
        (reverse("alliance:report_create"), None),
        (reverse("alliance:report", args=[report]), "Download the report"),
        (reverse("alliance:report_unpublish", args=[report]), None),
        (reverse("alliance:report_publish", args=[report]), None),
    ]:
        layout.check(path, shows=shows)
    layout.assert_clean()


def test_youth_voices_pages_of_every_role(page: Page, live_server, staff):
    world = youth_voices_world(staff)
    layout = Layout(page, live_server.url)
    published = world["published"].pk
    layout.check(reverse("youth:showcase"), shows="Mangroves we planted")
    layout.check(reverse("youth:story", args=[published]), shows="Mangroves we planted")

    sign_in(page, live_server.url, world["author"])
    for path, shows in [
        (reverse("portal:dashboard"), "Your Youth Voices stories"),
        (reverse("youth:consent"), None),
        (reverse("youth:public_consent_withdraw"), None),
        (reverse("youth:join"), None),
        (reverse("youth:showcase"), "Write a story"),
        (reverse("youth:my_stories"), "Solar lamps"),
        (reverse("youth:story_create"), None),
        (reverse("youth:my_story", args=[published]), "See its public page"),
        (reverse("youth:my_story", args=[world["draft"].pk]), "Submit for moderation"),
        (reverse("youth:story_edit", args=[world["draft"].pk]), None),
    ]:
        layout.check(path, shows=shows)
    page.get_by_role("button", name=re.compile("Sign out", re.I)).click()

    # Someone not yet a youth participant sees the form to join, with its two consents.
    sign_in(page, live_server.url, factories.make_user(full_name="Newcomer"))
    layout.check(reverse("youth:join"), shows="Your consents")
    page.get_by_role("button", name=re.compile("Sign out", re.I)).click()

    sign_in(page, live_server.url, staff, totp_secret=staff.totp_secret)
    layout.check(reverse("youth:moderation_queue"), shows="A reef survey")
    layout.check(reverse("youth:story_moderate", args=[world["waiting"].pk]), shows="Publish")
    layout.assert_clean()

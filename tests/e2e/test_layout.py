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

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = [{"width": 390, "height": 844}, {"width": 1366, "height": 900}]
SERIOUS = {"serious", "critical"}
#: Long enough to be wider than a phone on one line: it must wrap, not widen the page.
LONG_EMAIL = (
    "mereoni.tuilau-nakalevu.diaspora-coordination-office@pacific-islands-community.example.org"
)
axe = Axe()


class Layout:
    """Collects every problem of a role's pages, so one run reports all of them."""

    def __init__(self, page: Page, base: str):
        self.page, self.base = page, base
        self.problems: list[str] = []

    def check(self, path: str, *, shows: str | None = None) -> None:
        for size in WIDTHS:
            self.page.set_viewport_size(size)
            self.page.goto(self.base + path)
            expect(self.page).to_have_url(self.base + path)
            if shows:
                expect(self.page.locator("main")).to_contain_text(shows)
            label = f"{path} at {size['width']} px"
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
    factories.make_organization(admin=applicant, name="Fiji Islanders Climate Collective")
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
    ]:
        layout.check(path, shows=shows)
    layout.assert_clean()


def test_training_pages(page: Page, live_server, staff, focal_point):
    from django.utils import timezone

    from trainings import services as training_services
    from trainings.models import Offering, TrainingProgramme

    now = timezone.now()
    programme = training_services.programme_create(
        actor=staff,
        title="Engaging your diaspora: policy design for ministries and consular networks",
        summary="How governments work with their diasporas.",
        learning_objectives="Map the diaspora.\nDesign an engagement policy.",
        audience=TrainingProgramme.Audience.GOVERNMENT,
        language="en",
        mode=TrainingProgramme.Mode.ONLINE,
        published=True,
    )
    offering = training_services.offering_create(
        actor=staff,
        programme=programme,
        title="Spring cohort",
        starts_on=(now + datetime.timedelta(days=30)).date(),
        ends_on=(now + datetime.timedelta(days=34)).date(),
        time_zone="Pacific/Fiji",
        join_url="https://meet.example.org/training",
        capacity=20,
        enrollment_opens_at=now - datetime.timedelta(days=1),
        enrollment_closes_at=now + datetime.timedelta(days=20),
        status=Offering.Status.OPEN,
    )
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

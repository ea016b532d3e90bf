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


# The pages of the trainings, recommendations and Youth Voices (issues 8, 9 and 10) ------


def _running_offering(staff, programme):
    """An offering that started two days ago (in UTC), with two meetings already held;
    enrollment is still open."""
    from django.utils import timezone

    from trainings import services as training_services
    from trainings.meetings import meeting_create
    from trainings.models import Offering

    now = timezone.now()
    offering = training_services.offering_create(
        actor=staff,
        programme=programme,
        title="Winter cohort, running now",
        starts_on=(now - datetime.timedelta(days=2)).date(),
        ends_on=(now + datetime.timedelta(days=3)).date(),
        time_zone="UTC",
        join_url="https://meet.example.org/winter",
        capacity=10,
        enrollment_opens_at=now - datetime.timedelta(days=10),
        enrollment_closes_at=now + datetime.timedelta(days=1),
        status=Offering.Status.OPEN,
    )
    for hours_ago, title in [(30, "Opening and mapping the diaspora"), (5, "Policy design")]:
        start = now - datetime.timedelta(hours=hours_ago)
        meeting_create(
            actor=staff,
            offering=offering,
            title=title,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
        )
    return offering


def _training_world(staff, focal_point, government):
    """A government programme with an upcoming offering (a learner enrolled, one waiting,
    one nominated by the focal point, one pending in an offering needing approval), and a
    running one where the focal point attended both meetings, completed, gave feedback
    and holds a built certificate."""
    from django.utils import timezone

    from trainings import services as training_services
    from trainings.attendance import attendance_record
    from trainings.certificates import certificates_issue
    from trainings.feedback import feedback_save
    from trainings.models import Enrollment, Offering, TrainingProgramme

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
    upcoming = training_services.offering_create(
        actor=staff,
        programme=programme,
        title="Spring cohort",
        starts_on=(now + datetime.timedelta(days=30)).date(),
        ends_on=(now + datetime.timedelta(days=34)).date(),
        time_zone="Pacific/Fiji",
        join_url="https://meet.example.org/training",
        capacity=1,
        enrollment_opens_at=now - datetime.timedelta(days=1),
        enrollment_closes_at=now + datetime.timedelta(days=20),
        status=Offering.Status.OPEN,
    )
    long_named = factories.make_user(email=LONG_EMAIL, full_name="Mereoni Tuilau-Nakalevu")
    officials = [
        factories.add_member(staff=staff, organization=government, user=long_named),
        factories.add_member(staff=staff, organization=government),
        factories.add_member(staff=staff, organization=government),
    ]
    training_services.enrollment_create(user=officials[0], offering=upcoming)
    training_services.enrollment_create(user=officials[1], offering=upcoming)  # waits
    training_services.nomination_create(
        nominator=focal_point,
        offering=upcoming,
        organization=government,
        person_pk=officials[2].pk,
    )
    approval = training_services.offering_create(
        actor=staff,
        programme=programme,
        title="Autumn cohort (IOM approves)",
        starts_on=(now + datetime.timedelta(days=60)).date(),
        ends_on=(now + datetime.timedelta(days=61)).date(),
        time_zone="Pacific/Fiji",
        join_url="https://meet.example.org/autumn",
        capacity=20,
        needs_approval=True,
        enrollment_opens_at=now - datetime.timedelta(days=1),
        enrollment_closes_at=now + datetime.timedelta(days=50),
        status=Offering.Status.OPEN,
    )
    training_services.enrollment_create(user=officials[0], offering=approval)

    running = _running_offering(staff, programme)
    for person in (focal_point, long_named):
        training_services.enrollment_create(user=person, offering=running)
    enrolled = list(running.enrollments.values_list("pk", flat=True))
    for meeting in running.meetings.all():
        attendance_record(actor=staff, meeting=meeting, shown=enrolled, attended=enrolled)
    feedback_save(
        user=focal_point,
        offering=running,
        overall=5,
        content=4,
        facilitation=4,
        relevance=5,
        comment="Clear and useful.",
    )
    certificates_issue(actor=staff, offering=running)  # the PDFs build on commit
    certificate = Enrollment.objects.get(offering=running, user=focal_point).certificate
    nominee = Enrollment.objects.get(offering=upcoming, user=officials[2])
    return {
        "programme": programme,
        "upcoming": upcoming,
        "running": running,
        "meeting": running.meetings.order_by("starts_at").first(),
        "certificate": certificate,
        "nominee": nominee,
    }


def test_training_pages_of_every_role(page: Page, live_server, staff, focal_point, government):
    world = _training_world(staff, focal_point, government)
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


def _recommendation_world(staff, focal_point, leader, diaspora_org):
    """A published recommendation (a youth voice taken up, Fiji's endorsement, two
    versions) with a public report, and one open for input with a member's comment."""
    from django.utils import timezone

    from alliance.models import Sector
    from alliance.services import endorsements, recommendation_inputs, reports
    from alliance.services import recommendations as drafting

    youth = factories.make_youth_participant(full_name="Nadia Ramgoolam-Beebeejaun")
    track = drafting.track_create(
        actor=staff, sector=Sector.objects.get(slug="climate"), title="Climate Action"
    )

    def draft(title):
        return drafting.recommendation_create(
            actor=staff,
            track=track,
            original_language="en",
            title_en=title,
            text_en="<p>Match diaspora savings with public funds for coastal adaptation.</p>",
        )

    published = draft("Diaspora climate finance for coastal adaptation")
    drafting.recommendation_update(
        actor=staff,
        recommendation=published,
        text_en="<p>Match diaspora savings with public funds for adaptation in the Pacific.</p>",
    )
    closes = timezone.now() + datetime.timedelta(days=7)
    drafting.recommendation_transition(
        actor=staff, recommendation=published, status="open", input_closes_at=closes
    )
    voice = recommendation_inputs.input_create(
        author=youth,
        recommendation=published,
        kind="comment",
        text="Young divers from the diaspora can map the reefs that need protecting first.",
    )
    recommendation_inputs.input_respond(
        actor=staff, given=voice, status="taken_up", response="Added as the first measure."
    )
    state = factories.make_member_state(actor=staff, country="FJ")
    endorsements.endorse(actor=focal_point, recommendation=published, member_state=state)
    for status in ("review", "endorsed", "published"):
        drafting.recommendation_transition(actor=staff, recommendation=published, status=status)

    open_one = draft("Remittance data shared with the ministries of health")
    drafting.recommendation_transition(
        actor=staff, recommendation=open_one, status="open", input_closes_at=closes
    )
    recommendation_inputs.input_create(
        author=leader,
        recommendation=open_one,
        kind="amendment",
        text="Name the ministries; " + LONG_EMAIL + " coordinates the data.",
        proposed_text="Remittance data is shared every quarter with the ministries of health.",
        organization=diaspora_org,
    )
    endorsement = endorsements.endorse(
        actor=focal_point, recommendation=open_one, member_state=state
    )
    report = reports.report_request(
        actor=staff, title="Climate recommendations 2027", language="en"
    )  # built on commit
    report.refresh_from_db()
    reports.report_publish(actor=staff, report=report)
    return {
        "track": track,
        "published": published,
        "open": open_one,
        "endorsement": endorsement,
        "report": report,
        "youth": youth,
        "version": published.history.order_by("history_id").last(),
    }


def test_recommendation_pages_of_every_role(
    page: Page, live_server, staff, focal_point, leader, diaspora_org
):
    world = _recommendation_world(staff, focal_point, leader, diaspora_org)
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


def _youth_voices_world(staff):
    """A youth participant with a published story (with a photo), a draft and a story
    waiting for moderation."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from alliance.models import Sector
    from tests.e2e.test_youth_voices_journey import jpeg_bytes
    from youth import stories

    author = factories.make_youth_participant(
        full_name="Teuea Kaiteie-Tebwebwe", public_consent=True
    )

    def write(title, **extra):
        return stories.story_create(
            author=author,
            title=title,
            summary="Our youth group planted 2,000 mangroves against erosion.",
            text="The sea takes a little more of our island every year.\n\nWe planted.",
            language="en",
            sector=Sector.objects.get(slug="climate"),
            country="KI",
            **extra,
        )

    published = write(
        "Mangroves we planted in Tarawa",
        photo=SimpleUploadedFile("mangroves.jpg", jpeg_bytes(), content_type="image/jpeg"),
        photo_alt="Three young women planting mangrove seedlings on a beach",
    )
    stories.story_submit(author=author, story=published)
    stories.story_publish(actor=staff, story=published)
    waiting = write("A reef survey by diaspora divers")
    stories.story_submit(author=author, story=waiting)
    draft = write("Solar lamps for the outer islands")
    return {"author": author, "published": published, "waiting": waiting, "draft": draft}


def test_youth_voices_pages_of_every_role(page: Page, live_server, staff):
    world = _youth_voices_world(staff)
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

    sign_in(page, live_server.url, staff, totp_secret=staff.totp_secret)
    layout.check(reverse("youth:moderation_queue"), shows="A reef survey")
    layout.check(reverse("youth:story_moderate", args=[world["waiting"].pk]), shows="Publish")
    layout.assert_clean()

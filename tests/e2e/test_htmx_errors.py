"""Browser: an htmx action that is refused shows why, next to the control, and an error
page never lands inside a region of the page."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from alliance import services
from alliance.models import AllianceSession, Membership, Organization, Participant
from tests import factories
from tests.e2e.helpers import sign_in, sign_out
from trainings import services as training_services
from trainings.models import Enrollment, Offering

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _full_session():
    """A session with one seat, taken by a member; Fiji's focal point is invited too."""
    staff = factories.make_staff()
    government = factories.make_government(staff=staff, country="FJ")
    focal_point = factories.add_member(
        staff=staff, organization=government, role=Membership.Role.FOCAL_POINT
    )
    diaspora = factories.make_organization(
        admin=factories.make_user(), name="Fiji Diaspora Network", verified_by=staff
    )
    member = factories.add_member(staff=staff, organization=diaspora)
    start = timezone.now() + datetime.timedelta(days=5)
    session = services.session_create(
        actor=staff,
        title="Health working group",
        kind=AllianceSession.Kind.WORKING_GROUP,
        time_zone="Pacific/Fiji",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        format=AllianceSession.Format.ONLINE,
        join_url="https://meet.example.org/health",
        capacity=1,
        status=AllianceSession.Status.SCHEDULED,
    )
    services.session_invite(actor=staff, session=session, emails=[focal_point.email, member.email])
    services.rsvp_set(
        participant=Participant.objects.get(session=session, email=member.email.lower()),
        answer="accepted",
    )
    return session, focal_point


def test_accepting_a_full_session_says_it_is_full_next_to_the_buttons(page: Page, live_server):
    session, focal_point = _full_session()
    sign_in(page, live_server.url, focal_point)
    page.goto(f"{live_server.url}/alliance/sessions/{session.pk}/")
    region = page.locator("#rsvp")
    region.get_by_role("button", name="Accept").click()
    expect(region.get_by_text("The session is full")).to_be_visible()
    expect(region.get_by_role("button", name="Tentative")).to_be_visible()
    participant = Participant.objects.get(session=session, email=focal_point.email.lower())
    assert participant.rsvp == Participant.Rsvp.INVITED


def test_enrolling_once_the_offering_closed_says_so_and_enrolls_once_it_reopens(
    page: Page, live_server
):
    staff = factories.make_staff()
    government = factories.make_government(staff=staff, country="PE")
    focal_point = factories.add_member(
        staff=staff, organization=government, role=Membership.Role.FOCAL_POINT
    )
    offering = factories.make_offering(staff=staff, time_zone="America/Lima")
    sign_in(page, live_server.url, focal_point)
    page.goto(f"{live_server.url}/trainings/offerings/{offering.pk}/")
    region = page.locator("#enrollment")
    # Meanwhile IOM staff close enrollment: the answer says why, in the region.
    training_services.offering_transition(
        actor=staff, offering=offering, status=Offering.Status.CLOSED
    )
    region.get_by_role("button", name="Enroll").click()
    expect(region.get_by_role("status")).to_contain_text(
        "This offering is not open for enrollment."
    )
    expect(region.get_by_role("button", name="Enroll")).to_have_count(0)
    assert not Enrollment.objects.filter(offering=offering).exists()
    training_services.offering_transition(
        actor=staff, offering=offering, status=Offering.Status.OPEN
    )
    page.reload()
    region.get_by_role("button", name="Enroll").click()
    expect(region.get_by_role("status")).to_contain_text("You are enrolled.")
    expect(region.get_by_text("Enrolled You are enrolled.")).to_be_visible()
    expect(region.get_by_role("link", name="Withdraw")).to_be_visible()
    assert Enrollment.objects.get(offering=offering, user=focal_point).status == "enrolled"


def test_approving_from_a_second_tab_says_it_was_already_decided(page: Page, live_server):
    staff = factories.make_staff()
    pending = factories.make_organization(admin=factories.make_user(), name="Late Collective")
    sign_in(page, live_server.url, staff, totp_secret=staff.totp_secret)
    queue = f"{live_server.url}/alliance/staff/verification/"
    page.goto(queue)
    second = page.context.new_page()
    second.goto(queue)

    approve = re.compile(r"^Approve\s+Late Collective$")
    page.get_by_role("button", name=approve).click()
    expect(page.get_by_text("Late Collective is verified")).to_be_visible()

    second.get_by_role("button", name=approve).click()
    expect(second.locator("#queue").get_by_text("already been decided")).to_be_visible()
    assert Organization.objects.get(pk=pending.pk).status == Organization.Status.VERIFIED


def test_an_error_page_is_never_swapped_into_a_region(page: Page, live_server):
    session, focal_point = _full_session()
    sign_in(page, live_server.url, focal_point)
    page.goto(f"{live_server.url}/alliance/sessions/{session.pk}/")
    # Meanwhile the invitation is withdrawn: the answer now gets the 404 page.
    Participant.objects.filter(session=session, email=focal_point.email.lower()).delete()
    page.locator("#rsvp").get_by_role("button", name="Tentative").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("no longer there")
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("#rsvp")).to_have_count(1)
    expect(page.locator("header.site-header")).to_have_count(1)


def test_signed_out_in_another_tab_the_sign_in_page_does_not_land_in_a_region(
    page: Page, live_server
):
    session, focal_point = _full_session()
    sign_in(page, live_server.url, focal_point)
    page.goto(f"{live_server.url}/alliance/sessions/{session.pk}/")
    other = page.context.new_page()
    other.goto(f"{live_server.url}/")
    sign_out(other)
    other.close()
    # The answer is redirected to the sign-in page: a whole page, so it is not swapped in.
    page.locator("#rsvp").get_by_role("button", name="Tentative").click()
    expect(page.get_by_role("alert")).to_contain_text("could not be updated")
    expect(page.locator("#rsvp").get_by_role("button", name="Accept")).to_be_visible()
    expect(page.locator("header.site-header")).to_have_count(1)
    expect(page.get_by_label("Password")).to_have_count(0)

"""Browser: a focal point answers a session from the dashboard. The row updates in place
(no page load), the chosen answer is pressed, and the keyboard focus is on its message."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from alliance import services
from alliance.models import AllianceSession, Membership, Participant
from tests import factories
from tests.e2e.helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_focal_point_accepts_a_session_from_the_dashboard(page: Page, live_server):
    staff = factories.make_staff()
    government = factories.make_government(staff=staff, country="FJ")
    focal_point = factories.add_member(
        staff=staff, organization=government, role=Membership.Role.FOCAL_POINT
    )
    start = timezone.now() + datetime.timedelta(days=4)
    session = services.session_create(
        actor=staff,
        title="Climate Action plenary",
        kind=AllianceSession.Kind.PLENARY,
        time_zone="Pacific/Fiji",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        format=AllianceSession.Format.ONLINE,
        join_url="https://meet.example.org/gdpa-plenary",
        status=AllianceSession.Status.SCHEDULED,
        agenda=[],
    )
    services.session_invite(actor=staff, session=session, emails=[focal_point.email])
    participant = Participant.objects.get(session=session)

    sign_in(page, live_server.url, focal_point)
    page.goto(f"{live_server.url}/dashboard/")
    row = page.locator(f"#session-row-{participant.pk}")
    expect(row.get_by_text("Needs your answer")).to_be_visible()
    accept = row.get_by_role("button", name="Accept")
    expect(accept).to_have_attribute("aria-pressed", "false")

    # A marker on the window survives only if the page is not loaded again.
    page.evaluate("window.__noReload = true")
    accept.focus()
    page.keyboard.press("Enter")

    row = page.locator(f"#session-row-{participant.pk}")
    expect(row.get_by_text("Your answer is saved: Accepted.")).to_be_visible()
    expect(row.get_by_role("button", name="Accept")).to_have_attribute("aria-pressed", "true")
    expect(row.get_by_role("button", name="Decline")).to_have_attribute("aria-pressed", "false")
    expect(row.get_by_text("Needs your answer")).to_have_count(0)
    assert page.evaluate("window.__noReload") is True
    expect(row.get_by_role("status").locator(".alert--success")).to_be_focused()

    participant.refresh_from_db()
    assert participant.rsvp == Participant.Rsvp.ACCEPTED

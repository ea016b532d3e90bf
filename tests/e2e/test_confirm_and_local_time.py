"""Browser: removing and leaving ask first; the answer page adds the reader's own time."""

import datetime
import re
import zoneinfo

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from alliance import services
from alliance.models import AllianceSession, Membership, Participant
from tests import factories
from tests.e2e.helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_removing_a_member_asks_in_a_dialog_and_leaving_on_a_page(page: Page, live_server):
    staff = factories.make_staff()
    leader = factories.make_user(full_name="Diaspora Leader")
    organization = factories.make_organization(
        admin=leader, name="Fiji Diaspora Network", verified_by=staff
    )
    member = factories.add_member(
        staff=staff, organization=organization, user=factories.make_user(full_name="Ana Member")
    )
    leaving = factories.add_member(
        staff=staff, organization=organization, user=factories.make_user(full_name="Leo Leaving")
    )
    url = f"{live_server.url}/alliance/organizations/{organization.pk}/"

    sign_in(page, live_server.url, leader)
    page.goto(url)
    questions = []

    def answer(dialog):
        questions.append(dialog.message)
        dialog.dismiss() if len(questions) == 1 else dialog.accept()

    page.on("dialog", answer)
    remove = page.get_by_role("link", name=f"Remove {member.full_name}")
    remove.click()
    assert questions == [f"Remove {member.full_name} from the organization?"]
    assert Membership.objects.filter(user=member, organization=organization).exists()
    remove.click()
    expect(page.locator("#people").get_by_text(f"{member.full_name} was removed.")).to_be_visible()
    assert not Membership.objects.filter(user=member, organization=organization).exists()

    page.context.clear_cookies()
    sign_in(page, live_server.url, leaving)
    page.goto(url)
    page.get_by_role("link", name="Leave this organization").click()
    expect(page.get_by_role("heading", name="Leave Fiji Diaspora Network?")).to_be_visible()
    assert Membership.objects.filter(user=leaving, organization=organization).exists()
    page.get_by_role("button", name="Leave the organization").click()
    expect(page.get_by_text("You left Fiji Diaspora Network.")).to_be_visible()
    assert not Membership.objects.filter(user=leaving, organization=organization).exists()


def test_the_answer_page_adds_the_time_in_the_readers_zone(browser: Browser, live_server):
    staff = factories.make_staff()
    start = datetime.datetime.combine(
        timezone.now().date() + datetime.timedelta(days=20),
        datetime.time(10, 0),
        tzinfo=zoneinfo.ZoneInfo("Pacific/Fiji"),
    )
    session = services.session_create(
        actor=staff,
        title="Plenary",
        kind=AllianceSession.Kind.PLENARY,
        time_zone="Pacific/Fiji",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        format=AllianceSession.Format.ONLINE,
        join_url="https://meet.example.org/plenary",
        status=AllianceSession.Status.SCHEDULED,
    )
    services.session_invite(actor=staff, session=session, emails=["guest@example.org"])
    token = services.rsvp_link_token(Participant.objects.get(session=session), "accepted")
    link = f"{live_server.url}/alliance/sessions/answer/{token}/"

    context = browser.new_context(timezone_id="America/El_Salvador", locale="en-GB")
    page = context.new_page()
    page.goto(link)
    expect(page.get_by_text("(Fiji time, Pacific/Fiji)")).to_be_visible()
    local = start.astimezone(zoneinfo.ZoneInfo("America/El_Salvador"))
    mine = page.locator("[data-local-time]")
    expect(mine).to_be_visible()
    expect(mine).to_contain_text("In your time zone:")
    expect(mine).to_contain_text(re.compile(rf"\b{local.day} {local:%B %Y}\b.*{local:%H}:00"))
    expect(mine).to_contain_text("America/El Salvador")
    context.close()

    # A reader in the session's own zone needs no second time.
    context = browser.new_context(timezone_id="Pacific/Fiji")
    page = context.new_page()
    page.goto(link)
    expect(page.get_by_text("(Fiji time, Pacific/Fiji)")).to_be_visible()
    expect(page.locator("[data-local-time]")).to_be_hidden()
    context.close()

"""Browser journey: staff create a session and invite Fiji's focal point; the focal
point accepts from the e-mail, sees the join link when it opens, and downloads the .ics."""

import datetime
import re
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import Page, expect

from alliance.models import AllianceSession, Membership, Participant
from tests import factories
from tests.e2e.helpers import sign_in, sign_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
JOIN = "https://meet.example.org/gdpa-plenary"


def test_staff_invite_focal_point_accepts_and_joins(page: Page, live_server):
    staff = factories.make_staff()
    government = factories.make_government(staff=staff, country="FJ")
    focal_point = factories.add_member(
        staff=staff, organization=government, role=Membership.Role.FOCAL_POINT
    )
    base = live_server.url
    start = (timezone.now() + datetime.timedelta(days=3)).astimezone(
        zoneinfo.ZoneInfo("Pacific/Fiji")
    )
    start = start.replace(minute=0, second=0, microsecond=0)

    sign_in(page, base, staff, totp_secret=staff.totp_secret)
    page.goto(f"{base}/alliance/staff/sessions/new/")
    page.get_by_label("Title", exact=True).fill("Climate Action plenary")
    page.get_by_label("Kind of session").select_option("plenary")
    page.get_by_label("Session time zone").select_option("Pacific/Fiji")
    page.get_by_label("Start", exact=True).fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("End", exact=True).fill(
        (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_label("Format", exact=True).select_option("online")
    page.get_by_label("Join link").fill(JOIN)
    page.get_by_label("Status", exact=True).select_option("scheduled")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Climate Action plenary")).to_be_visible()
    page.get_by_role("link", name="Invite").click()
    page.get_by_label("Fiji").check()
    page.get_by_role("button", name="Send invitations").click()
    expect(page.get_by_text("1 person was invited")).to_be_visible()
    sign_out(page)

    # The invitation e-mail's Accept link works without signing in.
    message = next(m for m in mail.outbox if focal_point.email in m.to)
    accept = re.search(r"Accept: \S+(/alliance/sessions/answer/\S+/)", message.body).group(1)
    page.goto(base + accept)
    page.get_by_role("button", name=re.compile("Confirm: Accepted")).click()
    expect(page.get_by_text("is saved: Accepted")).to_be_visible()
    session = AllianceSession.objects.get()
    assert Participant.objects.get(session=session).rsvp == Participant.Rsvp.ACCEPTED

    sign_in(page, base, focal_point)
    url = f"{base}/alliance/sessions/{session.pk}/"
    with time_machine.travel(session.starts_at - datetime.timedelta(minutes=45), tick=True):
        page.goto(url)
        expect(page.get_by_text("The join link appears here from")).to_be_visible()
        expect(page.get_by_role("link", name="Join the session")).to_have_count(0)
    with time_machine.travel(session.starts_at - datetime.timedelta(minutes=20), tick=True):
        page.goto(url)
        expect(page.get_by_role("link", name="Join the session")).to_have_attribute("href", JOIN)
        with page.expect_download() as download:
            page.get_by_role("link", name=re.compile("Add to calendar")).click()
        event = Calendar.from_ical(open(download.value.path(), "rb").read()).walk("VEVENT")[0]  # noqa: SIM115
    assert event["UID"] == f"{session.uid}@gdpa-portal"
    assert event["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
    assert JOIN not in event.to_ical().decode()

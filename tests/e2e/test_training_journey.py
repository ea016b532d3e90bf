"""Browser journey: a diaspora leader nominates a member of their organization into a
full offering; the member waits, is promoted and e-mailed when another learner withdraws,
attends both meetings (recorded by IOM staff), completes, downloads a certificate with
their name on it, and the public verification page says it is valid."""

import datetime
import io
import re
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from gdpa.notify.models import OutboundEmail
from tests import factories
from tests.e2e.helpers import sign_in, sign_out
from trainings import services
from trainings.meetings import meeting_create
from trainings.models import Enrollment, Offering, TrainingProgramme

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PROGRAMME = "Diaspora investment for development"
MEMBER = "Salote Vunipola-Tuilagi"


def _full_diaspora_offering(staff):
    """An open offering with one seat, for diaspora leaders and organizations, with two
    3-hour meetings on its first two days (10:00 in Fiji)."""
    now = timezone.now()
    programme = services.programme_create(
        actor=staff,
        title=PROGRAMME,
        summary="How diaspora organizations channel investment into development.",
        learning_objectives="Map investment channels.\nDesign a diaspora bond.",
        audience=TrainingProgramme.Audience.DIASPORA,
        language="en",
        mode=TrainingProgramme.Mode.ONLINE,
        published=True,
    )
    offering = services.offering_create(
        actor=staff,
        programme=programme,
        title="Autumn cohort",
        starts_on=(now + datetime.timedelta(days=30)).date(),
        ends_on=(now + datetime.timedelta(days=31)).date(),
        time_zone="Pacific/Fiji",
        join_url="https://meet.example.org/investment",
        capacity=1,
        enrollment_opens_at=now - datetime.timedelta(days=1),
        enrollment_closes_at=now + datetime.timedelta(days=20),
        status=Offering.Status.OPEN,
    )
    fiji = zoneinfo.ZoneInfo(offering.time_zone)
    for day in range(2):
        start = datetime.datetime.combine(
            offering.starts_on + datetime.timedelta(days=day), datetime.time(10), tzinfo=fiji
        )
        meeting_create(
            actor=staff,
            offering=offering,
            title=f"Day {day + 1}",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=3),
        )
    return offering


def test_nominated_member_waits_is_promoted_completes_and_verifies_a_certificate(
    page: Page, live_server, staff, diaspora_org, leader
):
    base = live_server.url
    member = factories.add_member(
        staff=staff, organization=diaspora_org, user=factories.make_user(full_name=MEMBER)
    )
    first = factories.add_member(
        staff=staff,
        organization=diaspora_org,
        user=factories.make_user(full_name="Early Learner"),
    )
    offering = _full_diaspora_offering(staff)
    services.enrollment_create(user=first, offering=offering)  # takes the only seat
    offering_url = f"{base}/trainings/offerings/{offering.pk}/"

    # The leader nominates the member from the offering page: the offering is full.
    sign_in(page, base, leader)
    page.goto(offering_url)
    expect(page.get_by_text("0 of 1", exact=True)).to_be_visible()
    page.get_by_role("link", name="Nominate members").click()
    expect(page.get_by_role("heading", name="Nominate members")).to_be_visible()
    page.get_by_label("Person to nominate").select_option(label=f"{MEMBER} ({member.email})")
    page.get_by_role("button", name="Nominate", exact=True).click()
    expect(
        page.get_by_text(f"{MEMBER} is nominated; the offering is full, so they are on the")
    ).to_be_visible()
    nominee = (
        page.get_by_role("region", name="People you nominated")
        .get_by_role("row")
        .filter(has=page.get_by_role("rowheader", name=MEMBER))
    )
    expect(nominee.get_by_text("On the waiting list")).to_be_visible()
    sign_out(page)

    # The member sees their place on the waiting list, on the offering and the dashboard.
    sign_in(page, base, member)
    page.goto(offering_url)
    enrollment_card = page.locator("#enrollment")
    expect(enrollment_card.get_by_text("On the waiting list")).to_be_visible()
    expect(enrollment_card).to_contain_text("You are on the waiting list, number 1.")
    expect(enrollment_card).to_contain_text("Nominated by Diaspora Leader.")
    page.goto(f"{base}/dashboard/")
    my_trainings = page.get_by_role("region", name="My trainings")
    expect(my_trainings.get_by_role("link", name=re.compile(PROGRAMME))).to_be_visible()
    expect(my_trainings.get_by_text("On the waiting list")).to_be_visible()
    sign_out(page)

    # The learner holding the seat withdraws, through the confirmation page.
    sign_in(page, base, first)
    page.goto(offering_url)
    page.locator("#enrollment").get_by_role("link", name="Withdraw").click()
    expect(page.get_by_role("heading", name="Withdraw from the offering")).to_be_visible()
    expect(
        page.get_by_text("The seat goes to the next person on the waiting list.")
    ).to_be_visible()
    page.get_by_role("button", name="Withdraw").click()
    expect(page.get_by_text("You have withdrawn from this offering.")).to_be_visible()
    sign_out(page)

    # The member was promoted and e-mailed.
    promoted = OutboundEmail.objects.get(kind="training_promoted")
    assert promoted.to_email == member.email
    assert promoted.status == OutboundEmail.Status.SENT
    message = next(m for m in mail.outbox if m.subject.endswith(f"A seat is yours: {PROGRAMME}"))
    assert message.to == [member.email]
    assert f"/trainings/offerings/{offering.pk}/" in message.body
    sign_in(page, base, member)
    page.goto(offering_url)
    expect(page.locator("#enrollment")).to_contain_text("You are enrolled.")
    sign_out(page)

    # After the two meetings, IOM staff record attendance; the member completes.
    last_meeting = offering.meetings.order_by("starts_at").last()
    with time_machine.travel(last_meeting.ends_at + datetime.timedelta(hours=1), tick=True):
        sign_in(page, base, staff, totp_secret=staff.totp_secret)
        page.goto(offering_url)
        meetings = page.get_by_role("region", name="Meetings")
        meetings.get_by_role("link", name="Attendance — Day 1").click()
        expect(page.get_by_role("heading", name="Attendance: Day 1")).to_be_visible()
        rows = page.locator("#attendance tbody tr")
        expect(rows).to_have_count(1)  # the withdrawn learner is not listed
        page.get_by_label(f"{MEMBER} attended").check()
        page.get_by_role("button", name="Save attendance").click()
        expect(
            page.get_by_text("Attendance saved: 1 learner present on this page.")
        ).to_be_visible()
        expect(rows.first).to_contain_text("1 of 2")
        expect(rows.first).to_contain_text("Not yet")

        page.get_by_role("navigation", name="Other meetings of this offering").get_by_role(
            "link", name="Day 2"
        ).click()
        expect(page.get_by_role("heading", name="Attendance: Day 2")).to_be_visible()
        page.get_by_label(f"{MEMBER} attended").check()
        page.get_by_role("button", name="Save attendance").click()
        expect(
            page.get_by_text("Attendance saved: 1 learner present on this page.")
        ).to_be_visible()
        expect(rows.first).to_contain_text("2 of 2")
        expect(rows.first.get_by_text("Completed")).to_be_visible()

        # Staff issue the certificates; the PDF is built by the task the commit enqueues
        # (Celery runs in-process without a broker).
        page.goto(offering_url)
        page.get_by_role("link", name="Manage certificates").click()
        expect(page.get_by_role("heading", name="Certificates")).to_be_visible()
        page.get_by_role("link", name="Issue certificates").click()
        expect(
            page.get_by_text("1 learner completed the offering and has no certificate yet.")
        ).to_be_visible()
        page.get_by_role("button", name="Yes, issue the certificates").click()
        expect(
            page.get_by_text("1 certificate was issued; its PDF is being built.")
        ).to_be_visible()
        page.reload()
        learner_row = page.get_by_role("row").filter(has_text=MEMBER)
        expect(learner_row.get_by_text("Built")).to_be_visible()
        sign_out(page)

        ready = next(
            m for m in mail.outbox if m.subject.endswith(f"Your certificate is ready: {PROGRAMME}")
        )
        assert ready.to == [member.email]
        assert f"/trainings/offerings/{offering.pk}/" in ready.body

        # The member downloads the certificate from the offering page.
        sign_in(page, base, member)
        page.goto(offering_url)
        expect(page.get_by_text("You completed this training.")).to_be_visible()
        certificate_card = page.get_by_role("region", name="Your certificate")
        code = certificate_card.locator("code").inner_text()
        with page.expect_download() as download:
            certificate_card.get_by_role("link", name="Download your certificate (PDF)").click()
        pdf = open(download.value.path(), "rb").read()  # noqa: SIM115
        assert pdf.startswith(b"%PDF")
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
        assert MEMBER in text
        assert PROGRAMME in text
        sign_out(page)

    # Anyone verifies it by typing the code; a forged code is not found.
    page.goto(f"{base}/trainings/verify/")
    page.get_by_label("Verification code").fill(code)
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Valid certificate")).to_be_visible()
    expect(page.locator("main")).to_contain_text(MEMBER)
    expect(page.locator("main")).to_contain_text(PROGRAMME)

    page.get_by_role("link", name="Verify another certificate").click()
    page.get_by_label("Verification code").fill("ABCD-EFGH-JKMN-PQRS-TUVW")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="No certificate has this code")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("ABCDEFGHJKMNPQRSTUVW")

    enrollment = Enrollment.objects.get(offering=offering, user=member)
    assert enrollment.status == Enrollment.Status.ENROLLED
    assert enrollment.completed_at is not None

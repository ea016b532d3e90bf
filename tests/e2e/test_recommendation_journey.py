"""Browser journey: a youth participant comments on an open recommendation, IOM staff
take the input up with a reason, Fiji's focal point endorses it, staff publish it and
ask for a PDF report; the report's page shows the download once the build has run, and
the PDF holds the recommendation, the endorsing state and the youth voice."""

import datetime
import io

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from alliance import tasks
from alliance.models import RecommendationInput, RecommendationReport, Sector
from alliance.services import recommendations as drafting
from tests import factories
from tests.e2e.helpers import sign_in, sign_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "Diaspora climate finance for coastal adaptation"
QUOTE = "Young divers from the diaspora can map the reefs that need protecting first."
REASON = "Added to the text: the youth reef survey is now its first measure."


@pytest.fixture
def open_recommendation(staff):
    track = drafting.track_create(
        actor=staff, sector=Sector.objects.get(slug="climate"), title="Climate Action"
    )
    draft = drafting.recommendation_create(
        actor=staff,
        track=track,
        original_language="en",
        title_en=TITLE,
        text_en="<p>Match diaspora savings with public funds for coastal adaptation.</p>",
    )
    return drafting.recommendation_transition(
        actor=staff,
        recommendation=draft,
        status="open",
        input_closes_at=timezone.now() + datetime.timedelta(days=7),
    )


def test_youth_input_taken_up_endorsed_and_in_the_report(
    page: Page, live_server, staff, focal_point, open_recommendation, monkeypatch
):
    base = live_server.url
    # IOM staff sign in once and come back to their session: a second factor's code is
    # accepted once only, so they could not sign in again within its 30 seconds.
    sign_in(page, base, staff, totp_secret=staff.totp_secret)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    staff_session = page.context.cookies()
    page.context.clear_cookies()
    youth = factories.make_youth_participant(full_name="Nadia Ramgoolam")
    recommendation_url = f"{base}/alliance/recommendations/{open_recommendation.pk}/"

    # The youth participant finds the recommendation in the list and comments.
    sign_in(page, base, youth)
    page.goto(f"{base}/alliance/recommendations/")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    inputs = page.locator("#inputs")
    inputs.get_by_label("Comment", exact=True).check()
    inputs.get_by_label("Your comment").fill(QUOTE)
    inputs.get_by_role("button", name="Send your input").click()
    expect(page.get_by_text("Thank you: your input is recorded.")).to_be_visible()
    expect(inputs).to_contain_text("1 input, of which 1 youth voice")
    given = page.locator(".input-item").filter(has_text=QUOTE)
    expect(given.get_by_text("Youth voice")).to_be_visible()
    expect(given.locator(".badge").get_by_text("Submitted")).to_be_visible()
    sign_out(page)

    # IOM staff take the input up, with a reason, on the same page.
    page.context.add_cookies(staff_session)
    page.goto(recommendation_url)
    answer = page.get_by_role("form", name="Answer Nadia Ramgoolam's input")
    answer.get_by_label("Taken up", exact=True).check()
    answer.get_by_label("Reason for the author").fill(REASON)
    answer.get_by_role("button", name="Save the answer").click()
    expect(page.get_by_text("Your answer is saved; the author sees it.")).to_be_visible()
    expect(given.locator(".badge").get_by_text("Taken up", exact=True)).to_be_visible()
    expect(given).to_contain_text(f"IOM's answer: {REASON}")
    page.context.clear_cookies()
    assert RecommendationInput.objects.get().status == RecommendationInput.Status.TAKEN_UP

    # The author sees the answer.
    sign_in(page, base, youth)
    page.goto(recommendation_url)
    expect(given).to_contain_text(f"IOM's answer: {REASON}")
    expect(given.locator(".badge").get_by_text("Taken up", exact=True)).to_be_visible()
    sign_out(page)

    # Fiji's focal point endorses on behalf of the member state.
    sign_in(page, base, focal_point)
    page.goto(recommendation_url)
    endorsements = page.get_by_role("region", name="Endorsements and support")
    expect(endorsements.get_by_text("No member state has endorsed it yet.")).to_be_visible()
    endorse = endorsements.get_by_role("button", name="Endorse on behalf of Fiji")
    endorse.click()
    expect(endorsements.get_by_text("Fiji endorses this recommendation.")).to_be_visible()
    expect(endorsements.get_by_role("listitem").filter(has_text="Fiji")).to_have_count(1)
    expect(endorse).to_have_attribute("aria-pressed", "true")
    sign_out(page)

    # Staff publish the recommendation, step by step through the lifecycle.
    page.context.add_cookies(staff_session)
    for step in ["Move to review", "Record as endorsed", "Publish"]:
        page.goto(f"{base}/alliance/staff/recommendations/{open_recommendation.pk}/edit/")
        page.locator("main").get_by_role("link", name=step).click()
        page.locator("main form").get_by_role("button", name=step).click()
        expect(page.get_by_text("The recommendation is now")).to_be_visible()
    page.goto(recommendation_url)
    expect(page.locator(".page-header").get_by_text("Published")).to_be_visible()

    # Staff ask for a report. The build's task message is held back, as if a worker had
    # not picked it up yet: the page says the report is being built.
    held = []
    monkeypatch.setattr(tasks.build_recommendation_report, "delay", lambda *a: held.append(a))
    page.goto(f"{base}/alliance/staff/reports/new/")
    page.get_by_label("Title of the report").fill("Climate recommendations 2027")
    page.get_by_label("Climate Action").check()
    page.get_by_label("Language of the report").select_option("en")
    page.get_by_role("button", name="Build the report").click()
    expect(page.get_by_role("heading", name="Climate recommendations 2027")).to_be_visible()
    status = page.get_by_role("status").filter(has=page.locator("#report-status"))
    expect(status).to_contain_text("The report is being built.")
    download = page.get_by_role("link", name="Download the report (PDF)")
    expect(download).to_have_count(0)

    # The worker runs the build; the page's polling shows the download without a reload.
    report = RecommendationReport.objects.get()
    assert held == [(report.pk,)]
    assert tasks.build_recommendation_report.apply(args=held[0]).result is True
    expect(download).to_be_visible(timeout=10_000)
    expect(status).to_contain_text("Ready")

    with page.expect_download() as downloaded:
        download.click()
    pdf = open(downloaded.value.path(), "rb").read()  # noqa: SIM115
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    flat = " ".join(text.split())  # lines wrap where the PDF's columns end
    assert TITLE in flat
    assert "Fiji" in flat
    assert QUOTE in flat
    assert "Nadia Ramgoolam" in flat

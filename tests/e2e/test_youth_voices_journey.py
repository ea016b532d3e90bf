"""Browser journey: a young person joins as a youth participant with both consents,
writes a story with a photo and submits it; IOM staff publish it from the moderation
queue; an anonymous visitor filters the showcase by sector, finds and opens it, and sees
the photo with its description."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from alliance.models import Sector
from tests import factories
from tests.e2e.helpers import sign_in, sign_out
from tests.e2e.worlds import jpeg_bytes
from youth import stories
from youth.models import Story, YouthProfile

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "Mangroves we planted in Tarawa"
ALT = "Three young women planting mangrove seedlings on a beach at low tide"


def published_health_story():
    """Another young person's published story in the health sector (not climate)."""
    author = factories.make_youth_participant(full_name="Luis Quispe", public_consent=True)
    staff = factories.make_staff()
    story = stories.story_create(
        author=author,
        title="Telehealth for our grandparents in Cusco",
        summary="How we set up video calls with doctors.",
        text="We set up video calls with doctors.",
        language="en",
        sector=Sector.objects.get(slug="health"),
        country="PE",
    )
    stories.story_submit(author=author, story=story)
    return stories.story_publish(actor=staff, story=story), staff


def test_youth_participant_story_published_and_found_on_the_showcase(page: Page, live_server):
    base = live_server.url
    _other, staff = published_health_story()
    person = factories.make_user(full_name="Teuea Kaiteie")
    born = timezone.localdate() - datetime.timedelta(days=365 * 22 + 40)

    # The young person joins, with both consents.
    sign_in(page, base, person)
    page.goto(f"{base}/youth/join/")
    page.get_by_label("Date of birth").fill(born.isoformat())
    page.get_by_label("Woman", exact=True).check()
    origin = page.get_by_role("combobox", name="Countries of origin")
    origin.press_sequentially("Kiri")
    page.get_by_role("listbox").get_by_role("option", name="Kiribati").click()
    expect(page.get_by_role("button", name="Remove Kiribati")).to_be_visible()
    page.get_by_label("Country of residence").select_option("NZ")
    page.get_by_label("Climate Action").check()
    page.get_by_label(re.compile("^I agree that IOM processes this information")).check()
    page.get_by_label(re.compile("^I agree that my name and the stories I submit")).check()
    page.get_by_role("button", name="Join as a youth participant").click()
    expect(page.get_by_text("Welcome! You are now a youth participant.")).to_be_visible()
    profile = YouthProfile.objects.get(user=person)
    assert [country.code for country in profile.heritage_countries] == ["KI"]
    assert profile.shows_publicly

    # They write a story with a photo from the dashboard and submit it.
    page.get_by_role("region", name="Your Youth Voices stories").get_by_role(
        "link", name="Write a story"
    ).click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Summary").fill("Our youth group planted 2,000 mangroves against erosion.")
    page.get_by_label("Your story").fill(
        "The sea takes a little more of our island every year.\n\n"
        "With our diaspora friends in Auckland we raised money for seedlings."
    )
    page.get_by_label("Language of the story").select_option("en")
    page.get_by_label("Sector").select_option(label="Climate Action")
    page.get_by_label("Country", exact=True).select_option("KI")
    page.get_by_label("Photo", exact=True).set_input_files(
        files=[{"name": "mangroves.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}]
    )
    page.get_by_label("Photo description").fill(ALT)
    page.get_by_role("button", name=re.compile("Save")).click()
    expect(page.get_by_text("Your story is saved as a draft.")).to_be_visible()
    expect(page.get_by_role("img", name=ALT)).to_be_visible()
    page.get_by_role("button", name="Submit for moderation").click()
    expect(page.get_by_text("Your story is sent to IOM for moderation.")).to_be_visible()
    sign_out(page)
    story = Story.objects.get(title=TITLE)
    assert story.status == Story.Status.SUBMITTED

    # Not on the showcase before moderation.
    page.goto(f"{base}/youth/stories/")
    expect(page.get_by_role("link", name=TITLE)).to_have_count(0)

    # IOM staff publish it from the moderation queue.
    sign_in(page, base, staff, totp_secret=staff.totp_secret)
    page.goto(f"{base}/youth/stories/moderation/")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name="Moderate a story")).to_be_visible()
    expect(
        page.get_by_text("The author agrees to have their name and stories shown")
    ).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    expect(
        page.get_by_text(f"“{TITLE}” is published; the author was told by e-mail.")
    ).to_be_visible()
    sign_out(page)

    # An anonymous visitor filters the showcase by sector (htmx swaps the results).
    page.goto(f"{base}/youth/stories/")
    results = page.locator("#results")
    expect(results.get_by_role("link", name=TITLE)).to_be_visible()
    expect(results.get_by_role("link", name="Telehealth for our grandparents")).to_be_visible()
    page.get_by_role("search", name="Filter the stories").get_by_label("Sector").select_option(
        label="Climate Action"
    )
    expect(results).to_contain_text("1 story")
    expect(results.get_by_role("link", name="Telehealth for our grandparents")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"sector=\d+"))
    card = results.get_by_role("listitem").filter(has_text=TITLE)
    expect(card).to_contain_text("By Teuea Kaiteie")
    expect(card.get_by_role("img", name=ALT)).to_be_visible()

    # The story's own page shows the photo, loaded, with its description.
    card.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    photo = page.locator("article").get_by_role("img", name=ALT)
    expect(photo).to_be_visible()
    expect(photo).to_have_attribute("alt", ALT)
    assert photo.evaluate("img => img.complete && img.naturalWidth > 0")
    expect(page.locator("article")).to_contain_text("Teuea Kaiteie")

"""The public Youth Voices pages: the showcase and its filters, each story's shareable
page, the home page's featured stories. Only published stories of consenting authors
ever reach public HTML."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse

from youth import stories
from youth.models import Story

from .story_support import (
    image_bytes,
    make_youth,
    publish,
    sector,
    upload,
    withdraw_public_consent,
    write,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def author():
    return make_youth("Ana Quispe")


def public_pages(client, *stories_shown) -> str:
    pages = [
        client.get(reverse("portal:home")),
        client.get(reverse("youth:showcase")),
        client.get(reverse("youth:showcase"), {"sector": sector().pk}),
    ]
    assert all(p.status_code == 200 for p in pages)
    return "".join(p.content.decode() for p in pages)


def test_the_showcase_filters_by_sector_and_country(client, author, staff):
    publish(staff, write(author, title="Health in Peru", sector=sector("health"), country="PE"))
    publish(staff, write(author, title="Climate in Fiji", sector=sector("climate"), country="FJ"))
    publish(staff, write(author, title="Health in Fiji", sector=sector("health"), country="FJ"))
    url = reverse("youth:showcase")

    page = client.get(url, {"sector": sector("health").pk}).content.decode()
    assert "Health in Peru" in page and "Health in Fiji" in page
    assert "Climate in Fiji" not in page
    assert "<html" in page  # a plain GET answers the whole page

    page = client.get(url, {"sector": sector("health").pk, "country": "FJ"}).content.decode()
    assert "Health in Fiji" in page
    assert "Health in Peru" not in page and "Climate in Fiji" not in page

    response = client.get(url, {"country": "FJ"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "<html" not in page and 'id="results"' in page
    assert "Climate in Fiji" in page and "Health in Fiji" in page and "Health in Peru" not in page
    assert "HX-Request" in response["Vary"]


def test_an_unknown_filter_is_explained_and_the_list_is_unfiltered(client, author, staff):
    publish(staff, write(author, title="Health in Peru"))
    response = client.get(reverse("youth:showcase"), {"country": "XX"})
    page = response.content.decode()
    assert "Choose one of the options in the list" in page
    assert "Health in Peru" in page


def test_the_filter_form_is_kept_with_the_choice_and_the_stories_are_not(client, author, staff):
    url = reverse("youth:showcase")
    htmx = {"HX-Request": "true"}
    for country in ("FJ", "PE", "FJ"):
        page = client.get(url, {"country": country}, headers=htmx).content.decode()
        assert 'hx-swap-oob="true"' in page and f'<option value="{country}" selected>' in page
    publish(staff, write(author, title="Climate in Fiji", country="FJ"))
    page = client.get(url, {"country": "FJ"}, headers=htmx).content.decode()
    assert "Climate in Fiji" in page  # the stories are read afresh
    assert (
        "Choose one of the options in the list"
        in client.get(url, {"country": "XX"}).content.decode()
    )
    assert (
        "Choose one of the options in the list"
        not in client.get(url, {"country": "FJ"}).content.decode()
    )
    assert "Clear the filters" not in client.get(url).content.decode()


def test_the_showcase_is_paginated(client, author, staff):
    for n in range(14):
        publish(staff, write(author, title=f"Story number {n:02d}"))
    page = client.get(reverse("youth:showcase")).content.decode()
    assert "Story number 13" in page and "Story number 01" not in page
    page = client.get(reverse("youth:showcase"), {"page": 2}).content.decode()
    assert "Story number 01" in page


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_xss_in_title_summary_and_text_is_rendered_harmless(client, author, staff):
    story = publish(
        staff,
        write(
            author,
            title=f"Title {XSS}",
            summary=f"Summary {XSS}",
            text=(
                f'<p>Kept <strong>bold</strong></p>{XSS}<a href="javascript:alert(1)">x</a>'
                '<iframe src="https://evil.example.org"></iframe><p onclick="alert(1)">Hi</p>'
            ),
        ),
    )
    assert "<script" not in story.text and "onerror" not in story.text
    for url in (
        reverse("youth:story", args=[story.pk]),
        reverse("youth:showcase"),
        reverse("portal:home"),
    ):
        page = client.get(url).content.decode()
        assert '<script>alert("x")' not in page
        assert "<img src=x" not in page  # escaped as text, never a tag
        assert "javascript:alert" not in page
        assert "<iframe" not in page
        assert 'onclick="alert' not in page
    page = client.get(reverse("youth:story", args=[story.pk])).content.decode()
    assert "&lt;script&gt;" in page  # the title's markup shows as text
    assert "<strong>bold</strong>" in page  # allowed formatting is kept


def test_a_story_stored_unsanitized_is_sanitized_when_shown(client, author, staff):
    story = publish(staff, write(author))
    Story.objects.filter(pk=story.pk).update(text=f"<p>Hello</p>{XSS}")
    page = client.get(reverse("youth:story", args=[story.pk])).content.decode()
    assert "<p>Hello</p>" in page and "<script>alert" not in page


def test_unpublished_and_non_consented_stories_never_reach_public_html(
    client, author, staff, django_capture_on_commit_callbacks
):
    shy = make_youth("Shy Author", public=False)
    published = publish(staff, write(author, title="PUBLIC-STORY"))
    drafts = [
        write(author, title="DRAFT-STORY"),
        stories.story_submit(author=author, story=write(author, title="SUBMITTED-STORY")),
        stories.story_reject(
            actor=staff,
            story=stories.story_submit(author=author, story=write(author, title="REJECT-STORY")),
            comment="No.",
        ),
    ]
    # Published while consenting, then the consent went (and the profile with it).
    shy_story = write(shy, title="SHY-STORY", photo=upload(image_bytes()), photo_alt="Shy")
    stories.story_submit(author=shy, story=shy_story)
    Story.objects.filter(pk=shy_story.pk).update(status=Story.Status.PUBLISHED)

    html = public_pages(client)
    assert "PUBLIC-STORY" in html
    for title in ("DRAFT-STORY", "SUBMITTED-STORY", "REJECT-STORY", "SHY-STORY", "Shy Author"):
        assert title not in html
    for story in [*drafts, shy_story]:
        assert client.get(reverse("youth:story", args=[story.pk])).status_code == 404
    assert client.get(reverse("youth:story_photo", args=[shy_story.pk, "large"])).status_code == 404

    withdraw_public_consent(author)
    html = public_pages(client)
    assert "PUBLIC-STORY" not in html and "Ana Quispe" not in html
    assert client.get(reverse("youth:story", args=[published.pk])).status_code == 404


@override_settings(SITE_URL="https://gdpa.example.org")
def test_the_story_page_has_open_graph_tags_and_the_story_language(client, author, staff):
    story = publish(
        staff,
        write(
            author,
            title="Nuestra clínica",
            summary="Cómo abrimos un punto de salud.",
            language="es",
            photo=upload(image_bytes()),
            photo_alt="Una clínica",
            video_url="https://www.youtube.com/watch?v=abc",
        ),
    )
    page = client.get(reverse("youth:story", args=[story.pk])).content.decode()
    story_url = f"https://gdpa.example.org/youth/stories/{story.pk}/"
    photo_url = f"https://gdpa.example.org/youth/stories/{story.pk}/photo/large/"
    assert '<meta property="og:title" content="Nuestra clínica">' in page
    assert '<meta property="og:description" content="Cómo abrimos un punto de salud.">' in page
    assert f'<meta property="og:image" content="{photo_url}">' in page
    assert f'<meta property="og:url" content="{story_url}">' in page
    assert '<html lang="en"' in page  # the visitor's language
    assert '<div class="story__text prose" lang="es">' in page
    assert 'alt="Una clínica"' in page
    assert "Ana Quispe" in page
    assert 'href="https://www.youtube.com/watch?v=abc"' in page
    assert "<iframe" not in page and "youtube.com/embed" not in page


def test_the_story_page_is_in_the_visitors_language_and_time_zone(client, author, staff):
    story = publish(staff, write(author))
    late = datetime.datetime(2026, 11, 29, 23, 30, tzinfo=datetime.UTC)
    Story.objects.filter(pk=story.pk).update(published_at=late)
    url = reverse("youth:story", args=[story.pk])
    assert "Nov. 29, 2026" in client.get(url).content.decode()  # anonymous: UTC
    fijian = make_youth("Viewer In Fiji")
    type(fijian).objects.filter(pk=fijian.pk).update(time_zone="Pacific/Fiji")
    client.force_login(fijian)
    assert "Nov. 30, 2026" in client.get(url).content.decode()
    client.post(reverse("accounts:language"), {"language": "fr"})
    page = client.get(url).content.decode()
    assert '<html lang="fr"' in page
    assert "30 novembre 2026" in page
    assert '<div class="story__text prose" lang="en">' in page


def test_the_home_page_features_the_three_most_recent_stories(client, author, staff):
    for n in range(5):
        publish(staff, write(author, title=f"Featured {n}"))
    page = client.get(reverse("portal:home")).content.decode()
    assert all(f"Featured {n}" in page for n in (2, 3, 4))
    assert "Featured 1" not in page and "Featured 0" not in page
    assert reverse("youth:showcase") in page


def make_published(staff, count: int) -> None:
    authors = [make_youth(f"Author {n}") for n in range(3)]
    for n in range(count):
        author = authors[n % 3]
        photo = {"photo": upload(image_bytes((60, 40))), "photo_alt": "A photo"} if n < 3 else {}
        publish(staff, write(author, title=f"Story {n}", **photo))


@pytest.mark.parametrize("count", [3, 30])
def test_public_pages_run_a_fixed_number_of_queries(
    client, staff, count, django_assert_max_num_queries
):
    make_published(staff, count)
    with django_assert_max_num_queries(6):
        client.get(reverse("youth:showcase"))
    with django_assert_max_num_queries(6):
        client.get(reverse("youth:showcase"), {"sector": sector().pk, "country": "PE"})
    with django_assert_max_num_queries(10):
        client.get(reverse("portal:home"))
    story = Story.objects.filter(status=Story.Status.PUBLISHED).first()
    with django_assert_max_num_queries(3):
        client.get(reverse("youth:story", args=[story.pk]))

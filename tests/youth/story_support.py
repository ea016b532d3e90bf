"""Helpers for the Youth Voices tests: youth authors, stories and photo files."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from alliance.models import Sector
from tests import factories
from youth import stories
from youth.models import Story
from youth.services import (
    youth_profile_create,
    youth_public_consent_give,
    youth_public_consent_withdraw,
)


def give_public_consent(user) -> None:
    """The author agrees to public display, through the consent service."""
    youth_public_consent_give(user=user)


def withdraw_public_consent(user) -> None:
    youth_public_consent_withdraw(user=user)


def make_youth(full_name: str = "Ana Quispe", *, public: bool = True):
    user = factories.make_user(full_name=full_name)
    youth_profile_create(
        user=user,
        date_of_birth=datetime.date(2001, 3, 27),
        heritage_countries=["PE"],
        consent=True,
    )
    if public:
        give_public_consent(user)
    return type(user).objects.get(pk=user.pk)


def sector(slug: str = "health") -> Sector:
    return Sector.objects.get(slug=slug)


def write(author, **fields) -> Story:
    values = {
        "title": "Clinics for our community",
        "summary": "How we opened a health desk for newcomers.",
        "text": "First paragraph.\n\nSecond paragraph.",
        "language": "en",
        "sector": sector(),
        "country": "PE",
    }
    values.update(fields)
    return stories.story_create(author=author, **values)


def publish(staff, story: Story) -> Story:
    story = stories.story_submit(author=story.author, story=story)
    return stories.story_publish(actor=staff, story=story)


def image_bytes(
    size=(1600, 900), fmt: str = "JPEG", *, gps: bool = False, orientation: int = 1
) -> bytes:
    image = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    if orientation != 1:
        exif[ExifTags.Base.Orientation] = orientation
    if gps:
        exif[ExifTags.Base.Make] = "Phone"
        exif.get_ifd(ExifTags.IFD.GPSInfo).update(
            {
                ExifTags.GPS.GPSLatitudeRef: "S",
                ExifTags.GPS.GPSLatitude: (12.0, 2.0, 46.0),
                ExifTags.GPS.GPSLongitudeRef: "W",
                ExifTags.GPS.GPSLongitude: (77.0, 1.0, 42.0),
            }
        )
    out = io.BytesIO()
    image.save(out, fmt, **({"exif": exif} if len(exif) else {}))
    return out.getvalue()


def upload(content: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)

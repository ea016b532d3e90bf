"""Story photos: checked by their content, resized for the web and stripped of metadata.

An upload is accepted only when Pillow reads it as a JPEG, PNG or WebP image (the file's
name and the browser's content type are never trusted), it is at most
``STORY_PHOTO_MAX_BYTES`` and at most ``MAX_PIXELS`` pixels (a "decompression bomb" is
refused before it is decoded). The picture is turned upright from its EXIF orientation,
then re-encoded as WebP in two widths without any EXIF, XMP or ICC data, so a phone's GPS
position never reaches the portal's files. The stored names are generated here.
"""

import io
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

#: The formats accepted, as Pillow names them after reading the content.
FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
#: Widths of the two stored copies (never enlarged).
LARGE_WIDTH, SMALL_WIDTH = 1200, 480
#: Above this many pixels an upload is refused before it is decoded (a 50-megapixel
#: camera's picture still fits; a few kilobytes of PNG claiming 30,000 by 30,000 do not).
MAX_PIXELS = 60_000_000
#: The photo view serves the stored copies with this type.
CONTENT_TYPE = "image/webp"
QUALITY = 82


@dataclass(frozen=True)
class WebPhoto:
    """The two re-encoded copies of an accepted upload, named for storage."""

    large: ContentFile
    small: ContentFile


def _refuse(message: str):
    return ValidationError({"photo": message})


def _open_checked(upload) -> Image.Image:
    """The upload opened by Pillow, after checking size, format, integrity and pixels."""
    limit = settings.STORY_PHOTO_MAX_BYTES
    if upload.size > limit:
        raise _refuse(
            _("The photo is larger than %(size)s. Choose a smaller photo.")
            % {"size": filesizeformat(limit)}
        )
    unreadable = _("The file is not a photo we can read. Choose a JPEG, PNG or WebP image.")
    too_large = _(
        "The photo has too many pixels to process. Choose a photo of at most "
        "%(megapixels)d megapixels."
    ) % {"megapixels": MAX_PIXELS // 1_000_000}
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that: refuse there too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload) as probe:
                kind = probe.format
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise _refuse(too_large)
                probe.verify()
            upload.seek(0)
            image = Image.open(upload)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(too_large) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise _refuse(unreadable) from None
    if kind not in FORMATS:
        raise _refuse(unreadable)
    return image


def _encode(image: Image.Image, width: int) -> bytes:
    copy = image.copy()
    if copy.width > width:
        copy.thumbnail((width, round(copy.height * width / copy.width) or 1), Image.LANCZOS)
    copy.info.clear()  # nothing of the original's metadata is carried into the new file
    out = io.BytesIO()
    copy.save(out, format="WEBP", quality=QUALITY, method=4)
    return out.getvalue()


def photo_prepare(upload) -> WebPhoto:
    """Check an uploaded photo and return its web copies; ValidationError on ``photo``."""
    image = _open_checked(upload)
    try:
        upright = ImageOps.exif_transpose(image)
    finally:
        image.close()
    if upright.mode not in {"RGB", "RGBA"}:
        upright = upright.convert(
            "RGBA" if "A" in upright.getbands() or "transparency" in upright.info else "RGB"
        )
    name = uuid.uuid4().hex
    return WebPhoto(
        large=ContentFile(_encode(upright, LARGE_WIDTH), name=f"{name}.webp"),
        small=ContentFile(_encode(upright, SMALL_WIDTH), name=f"{name}-small.webp"),
    )

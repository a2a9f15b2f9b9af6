"""Profile photos: whatever a member uploads is decoded and drawn anew, never kept as sent.

Only JPEG, PNG and WebP decoders may look at the bytes, judged by their content (never a
file name or claimed type). The size in bytes is checked before decoding and the size in
pixels from the header before any pixel is decoded, so a decompression bomb (a small file
that unpacks into billions of pixels) is refused without being unpacked. The accepted
image is turned upright (EXIF orientation), converted to sRGB, cropped to a centred square
and scaled to 256 x 256, and its pixels are copied into a new image that is saved as WebP.
Nothing of the original file survives but those pixels: no EXIF (camera, GPS position),
no ICC profile, no XMP, no comments.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps

from kispub.core.refusals import N_, Refusal, Text

SIZE = 256
EXTENSION = ".webp"
MIME_TYPE = "image/webp"
_DECODERS = ("JPEG", "PNG", "WEBP")

# Message ids (Dutch), translated where the member sees them (see kispub.core.refusals).
MSG_EMPTY = N_("Het bestand is leeg.")
MSG_BYTES = N_("De foto is groter dan %(limit)s. Kies een kleiner bestand.")
MSG_FORMAT = N_("Kies een foto in JPEG-, PNG- of WebP-formaat.")
MSG_PIXELS = N_("De foto heeft te veel pixels. Kies een foto van hoogstens %(limit)s megapixel.")
MSG_DAMAGED = N_("Deze foto is beschadigd of onvolledig en kan niet worden gelezen.")


class AvatarError(Refusal):
    """A photo we refuse; ``str(error)`` is a Dutch message for the member,
    :meth:`translated` the same in the request's locale."""


@dataclass(frozen=True)
class AvatarLimits:
    """How large an upload may be, in bytes and in pixels (width x height)."""

    max_bytes: int
    max_pixels: int


def clean_avatar(data: bytes, limits: AvatarLimits) -> bytes:
    """The photo as a 256 x 256 WebP without any metadata; :class:`AvatarError` if refused."""
    if not data:
        raise AvatarError(MSG_EMPTY)
    if len(data) > limits.max_bytes:
        raise AvatarError(MSG_BYTES, limit=_megabytes(limits.max_bytes))
    with warnings.catch_warnings():
        # Pillow warns (and above twice its limit raises) about bombs; our limit is lower
        # and checked first, so its warning must not surface as an unexpected exception.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        image = _decode(data, limits.max_pixels)
    square = ImageOps.fit(image, (SIZE, SIZE), method=Image.Resampling.LANCZOS)
    # A new image from the pixels alone: no info dict, no EXIF, nothing else carried over.
    clean = Image.frombytes(square.mode, square.size, square.tobytes())
    out = io.BytesIO()
    clean.save(out, "WEBP", quality=85, method=4)
    return out.getvalue()


def _decode(data: bytes, max_pixels: int) -> Image.Image:
    """Open with the allowed decoders, check the size, decode, orient and convert."""
    try:
        image: Image.Image = Image.open(io.BytesIO(data), formats=_DECODERS)
    except Image.DecompressionBombError as error:  # far beyond any limit we allow
        raise AvatarError(_too_many_pixels(max_pixels)) from error
    except Exception as error:  # UnidentifiedImageError, OSError, SyntaxError, ...
        raise AvatarError(MSG_FORMAT) from error
    width, height = image.size
    if width * height > max_pixels:
        raise AvatarError(_too_many_pixels(max_pixels))
    try:
        # JPEG can decode at 1/2, 1/4 or 1/8 scale at once: a phone photo never needs its
        # full resolution in memory to become 256 pixels wide.
        image.draft("RGB", (SIZE * 2, SIZE * 2))
        image.load()
        image = ImageOps.exif_transpose(image)
        return _to_srgb(image)
    except AvatarError:
        raise
    except Exception as error:  # truncated data, broken chunks, bad EXIF: all "damaged"
        raise AvatarError(MSG_DAMAGED) from error


def _to_srgb(image: Image.Image) -> Image.Image:
    """RGB (or RGBA when transparent), with colours from an embedded profile made sRGB."""
    transparent = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    mode = "RGBA" if transparent else "RGB"
    profile = image.info.get("icc_profile")
    if profile and image.mode in ("RGB", "RGBA", "CMYK", "L"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            converted = ImageCms.profileToProfile(
                image, source, ImageCms.createProfile("sRGB"), outputMode=mode
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            converted = None  # an unreadable profile: keep the colours as they are
        if converted is not None:
            return converted
    return image.convert(mode)


def _too_many_pixels(max_pixels: int) -> Text:
    megapixels = max_pixels / 1_000_000
    return Text(MSG_PIXELS, {"limit": f"{megapixels:g}".replace(".", ",")})


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    text = f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"
    return f"{text.replace('.', ',')} MB"

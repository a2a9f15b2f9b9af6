"""Cover art check for podcast series and episodes, following Apple Podcasts' artwork rules.

Apple requires a square JPEG or PNG of 1400 to 3000 pixels in the RGB colour space. The
format is judged by the image data itself, never by a file name or a claimed content type.
The check runs in the request (not in the sandbox), so its refusals are translated here.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from flask_babel import gettext as _
from PIL import Image

MIN_SIZE = 1400
MAX_SIZE = 3000
# Pillow's own bomb limit is far above what Apple allows; ours stops a bomb before decoding.
MAX_PIXELS = MAX_SIZE * MAX_SIZE
_FORMATS = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png")}
# Only these decoders may look at the bytes: fewer parsers for hostile input, and the
# common wrong choices are still named in the refusal.
_IDENTIFY = ("JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF")
_MODES = {"RGB", "RGBA", "L", "LA", "P", "1"}  # everything that displays as RGB (not CMYK)


class ArtworkError(ValueError):
    """Cover art that does not meet the rules; ``str(error)`` is a Dutch message for the user."""


@dataclass(frozen=True)
class CoverArt:
    """An accepted cover image: its size and the type its bytes really are."""

    width: int
    height: int
    mime_type: str  # "image/jpeg" | "image/png"
    extension: str  # ".jpg" | ".png"


def check_cover_art(data: bytes) -> CoverArt:
    """Check cover art bytes against Apple's rules; raise :class:`ArtworkError` if they fail."""
    with warnings.catch_warnings():
        # A DecompressionBombWarning must not escalate into an unexpected exception type.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        image_format, mode, width, height = _identify(data)
        _check_rules(image_format, mode, width, height)
        _decode(data)
    mime_type, extension = _FORMATS[image_format]
    return CoverArt(width=width, height=height, mime_type=mime_type, extension=extension)


def _identify(data: bytes) -> tuple[str, str, int, int]:
    """Format, colour mode and size from the image header (no pixel decoding yet)."""
    try:
        with Image.open(io.BytesIO(data), formats=_IDENTIFY) as image:
            return str(image.format), image.mode, image.width, image.height
    except Exception as exc:  # UnidentifiedImageError, DecompressionBombError, OSError, ...
        raise ArtworkError(_("Dit bestand is geen geldige afbeelding.")) from exc


def _check_rules(image_format: str, mode: str, width: int, height: int) -> None:
    """Apple's rules: JPEG or PNG, square, 1400-3000 px, RGB colours."""
    if image_format not in _FORMATS:
        raise ArtworkError(
            _(
                "De coverafbeelding moet een JPEG- of PNG-bestand zijn "
                "(dit is een %(format)s-afbeelding).",
                format=image_format,
            )
        )
    if width != height:
        raise ArtworkError(
            _(
                "De coverafbeelding moet vierkant zijn; deze is %(width)d × %(height)d pixels.",
                width=width,
                height=height,
            )
        )
    if not MIN_SIZE <= width <= MAX_SIZE:
        raise ArtworkError(
            _(
                "De coverafbeelding moet tussen 1400 × 1400 en 3000 × 3000 pixels groot zijn; "
                "deze is %(width)d × %(height)d pixels.",
                width=width,
                height=height,
            )
        )
    if mode not in _MODES:
        raise ArtworkError(
            _(
                "De coverafbeelding moet in RGB-kleuren zijn opgeslagen, niet in %(mode)s.",
                mode=mode,
            )
        )


def _damaged() -> str:
    return _("De coverafbeelding is beschadigd of onvolledig en kan niet worden getoond.")


def _decode(data: bytes) -> None:
    """Verify the file structure, then decode the pixels: truncated images fail here."""
    try:
        formats = list(_FORMATS)
        with Image.open(io.BytesIO(data), formats=formats) as image:
            image.verify()  # checksums and structure (PNG); must be followed by a reopen
        with Image.open(io.BytesIO(data), formats=formats) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ArtworkError(_damaged())  # the header changed between the two opens
            image.load()
    except ArtworkError:
        raise
    except Exception as exc:  # OSError, SyntaxError, ValueError, zlib.error, ...
        raise ArtworkError(_damaged()) from exc

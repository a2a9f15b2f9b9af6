"""Cleaning an image with Pillow (runs only in the sandbox child).

Only the decoder of the sniffed format may look at the bytes. The size in pixels is read
from the header and checked before a pixel is decoded (decompression bombs), the structure is
verified, and the decoded pixels are pasted into a new image: nothing of the original file
but its pixels survives (no EXIF with a camera or GPS position, no XMP, no comments, no ICC
profile). The clean image is saved in its own format, with WebP and PNG thumbnails.
"""

from __future__ import annotations

import io
import warnings
from typing import Any

from PIL import Image, ImageOps

from kispub.core.refusals import Text
from kispub.dossier.files.errors import MSG_IMAGE_DAMAGED, MSG_IMAGE_PIXELS, FileError

_DECODERS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}
_SAVE = {
    "png": ("PNG", {"compress_level": 6}),
    "jpeg": ("JPEG", {"quality": 90, "optimize": True}),
    "webp": ("WEBP", {"quality": 90, "method": 4}),
}


def inspect_image(path: str, kind: str, out_prefix: str, limits: dict[str, Any]) -> dict[str, Any]:
    """Decode, clean and re-encode the image to ``out_prefix`` + its extension, with
    thumbnails; its dimensions."""
    with open(path, "rb") as handle:
        data = handle.read()
    with warnings.catch_warnings():
        # Our pixel limit is checked first; Pillow's own warning must not become an error.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        image = _decode(data, _DECODERS[kind], limits["max_pixels"])
    clean = _fresh(image, kind)
    max_side = limits.get("max_side")
    if max_side and max(clean.size) > max_side:
        clean.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    extension = {"png": ".png", "jpeg": ".jpg", "webp": ".webp"}[kind]
    file_format, options = _SAVE[kind]
    clean.save(out_prefix + extension, file_format, **options)
    save_thumbnails(clean, out_prefix, limits)
    return {
        "page_count": None,
        "width": clean.width,
        "height": clean.height,
        "file": out_prefix + extension,
    }


def _decode(data: bytes, decoder: str, max_pixels: int) -> Image.Image:
    try:
        with Image.open(io.BytesIO(data), formats=[decoder]) as probe:
            width, height = probe.size
            if width * height > max_pixels:
                raise FileError(_pixels_message(max_pixels))
            probe.verify()  # chunk checksums and structure; the image must be reopened
        image = Image.open(io.BytesIO(data), formats=[decoder])
        image.load()
        return ImageOps.exif_transpose(image)  # upright, as the camera meant it
    except FileError:
        raise
    except Image.DecompressionBombError as error:
        raise FileError(_pixels_message(max_pixels)) from error
    except Exception as error:  # truncated data, broken chunks, bad EXIF: all "damaged"
        raise FileError(MSG_IMAGE_DAMAGED) from error


def _fresh(image: Image.Image, kind: str) -> Image.Image:
    """The pixels alone, in a new image: no info dict, EXIF, XMP, comment or profile."""
    transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if kind == "jpeg":
        mode = "L" if image.mode in ("L", "1") else "RGB"
    else:
        mode = "RGBA" if transparent else ("L" if image.mode in ("L", "1") else "RGB")
    pixels = image if image.mode == mode else image.convert(mode)
    clean = Image.new(mode, pixels.size)
    clean.paste(pixels)
    return clean


def save_thumbnails(image: Image.Image, out_prefix: str, limits: dict[str, Any]) -> None:
    """A WebP thumbnail and a PNG one for browsers without WebP, in a new image too."""
    thumbnail = image.convert("RGBA" if image.mode == "RGBA" else "RGB")
    thumbnail.thumbnail(
        (limits["thumbnail_width"], limits["thumbnail_height"]), Image.Resampling.LANCZOS
    )
    thumbnail.save(out_prefix + ".thumb.webp", "WEBP", quality=80, method=4)
    thumbnail.save(out_prefix + ".thumb.png", "PNG", optimize=True)


def _pixels_message(max_pixels: int) -> Text:
    return Text(MSG_IMAGE_PIXELS, {"limit": f"{max_pixels / 1_000_000:g}".replace(".", ",")})

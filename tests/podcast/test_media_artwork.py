"""Cover art check: JPEG or PNG by content, square, 1400-3000 px, RGB, intact."""

from __future__ import annotations

import io
import struct
import time
import zlib
from pathlib import Path

import pytest
from PIL import Image

from kispub.podcast.media.artwork import ArtworkError, CoverArt, check_cover_art

# The PostgreSQL run skips it: what it tests does not depend on the database.
pytestmark = pytest.mark.dialect_free

FIXTURES = Path(__file__).parent / "fixtures"


def read(name: str) -> bytes:
    """Bytes of a committed fixture."""
    return (FIXTURES / name).read_bytes()


def encode(size: tuple[int, int], fmt: str, mode: str = "RGB") -> bytes:
    """A flat image of the given size, format and colour mode."""
    buf = io.BytesIO()
    Image.new(mode, size).save(buf, fmt)
    return buf.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a size in its IHDR chunk but carries (almost) no pixels."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload)
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_square_1400_jpeg_is_accepted() -> None:
    assert check_cover_art(read("cover_1400.jpg")) == CoverArt(1400, 1400, "image/jpeg", ".jpg")


def test_square_3000_png_is_accepted() -> None:
    assert check_cover_art(read("cover_3000.png")) == CoverArt(3000, 3000, "image/png", ".png")


def test_type_comes_from_the_bytes() -> None:
    # A PNG is a PNG whatever the caller thinks; there is no name or content type to pass.
    art = check_cover_art(encode((1500, 1500), "PNG"))
    assert (art.mime_type, art.extension) == ("image/png", ".png")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("cover_nonsquare.jpg", "vierkant zijn; deze is 1600 × 1400 pixels"),
        ("cover_small.jpg", "deze is 600 × 600 pixels"),
        ("cover_1400.gif", "JPEG- of PNG-bestand zijn \\(dit is een GIF-afbeelding\\)"),
        ("cover_cmyk.jpg", "RGB-kleuren"),
        ("cover_truncated.jpg", "beschadigd of onvolledig"),
        ("random.bin", "geen geldige afbeelding"),
        ("wav_named.mp3", "geen geldige afbeelding"),
    ],
)
def test_refused_covers(name: str, message: str) -> None:
    with pytest.raises(ArtworkError, match=message):
        check_cover_art(read(name))


def test_too_large_is_refused() -> None:
    with pytest.raises(ArtworkError, match="deze is 3001 × 3001 pixels"):
        check_cover_art(encode((3001, 3001), "PNG", "L"))


def test_webp_is_refused() -> None:
    with pytest.raises(ArtworkError, match="WEBP"):
        check_cover_art(encode((1400, 1400), "WEBP"))


def test_empty_and_garbage() -> None:
    for data in (b"", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n" + b"\0" * 40):
        with pytest.raises(ArtworkError):
            check_cover_art(data)


def test_decompression_bomb_is_refused_without_decoding() -> None:
    started = time.monotonic()
    for side in (20_000, 100_000):  # 400 M and 10 G pixels: warning and error territory
        with pytest.raises(ArtworkError):
            check_cover_art(png_header_only(side, side))
    assert time.monotonic() - started < 1.0


def test_png_with_missing_pixels_is_damaged() -> None:
    with pytest.raises(ArtworkError, match="beschadigd"):
        check_cover_art(png_header_only(1400, 1400))


def test_artwork_error_is_a_value_error() -> None:
    assert issubclass(ArtworkError, ValueError)

"""Hundreds of bad files, made here, each refused with a clear Dutch message within the time
limit and nothing left behind; good PDFs and images accepted, measured and (images) cleaned.

The checks run as an upload does (staged in the media folder, sniffed, inspected in the
sandbox), on one app for the module: they need no database.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from flask import Flask
from PIL import Image

from kispub import create_app
from kispub.core.sandbox import GRACE_SECONDS
from kispub.dossier.files import errors
from kispub.dossier.files.errors import FileError
from kispub.dossier.files.prepare import Prepared, prepared_upload
from tests.dossier import file_samples as samples

# The PostgreSQL run skips it: what it tests does not depend on the database.
pytestmark = pytest.mark.dialect_free

TIMEOUT = 10.0
# Every message a refusal may carry: fixed Dutch texts (with their numbers filled in).
DUTCH = (
    "Het bestand",
    "Het PDF-bestand",
    "Een pagina van het PDF-bestand",
    "De afbeelding",
    "Dit bestandstype wordt niet geaccepteerd",
    "SVG-bestanden worden niet geaccepteerd",
    "De controle van het bestand",
)


@pytest.fixture(scope="module")
def files_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    media = tmp_path_factory.mktemp("media")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "MEDIA_ROOT": str(media),
            "DOSSIER_FILE_TIMEOUT": TIMEOUT,
            "DOSSIER_MAX_FILE_BYTES": 2 * 1024 * 1024,
        }
    )
    with app.app_context():
        yield app


def check(data: bytes, filename: str = "upload.bin") -> Prepared:
    """Run the check; return what it learned (copied out before the staged files go)."""
    with prepared_upload(io.BytesIO(data), filename) as prepared:
        return prepared


def refused(data: bytes) -> str:
    started = time.monotonic()
    with pytest.raises(FileError) as caught:
        check(data)
    assert time.monotonic() - started < TIMEOUT + GRACE_SECONDS + 1
    message = str(caught.value)
    assert message.startswith(DUTCH), message
    return message


def _bad_files() -> Iterator[tuple[str, bytes]]:
    good_pdf, good_png, good_jpeg, good_webp = (
        samples.pdf(),
        samples.png(),
        samples.jpeg(),
        samples.webp(),
    )
    # Cut off: each loses its format's end marker (PDF "%%EOF", PNG IEND, JPEG EOI, WebP's
    # last byte of its RIFF length).
    for fmt, data, tail in (
        ("pdf", good_pdf, 6),
        ("png", good_png, 12),
        ("jpeg", good_jpeg, 2),
        ("webp", good_webp, 1),
    ):
        for name, cut in samples.truncations(data, 40, tail):
            yield f"{fmt}-{name}", cut
    # Wrong signatures: every byte of each format's magic inverted, and near misses.
    for fmt, data, magic in (
        ("pdf", good_pdf, 5),
        ("png", good_png, 8),
        ("jpeg", good_jpeg, 3),
        ("webp", good_webp, 4),
    ):
        for at in range(magic):
            copy = bytearray(data)
            copy[at] ^= 0xFF
            yield f"{fmt}-magic-{at}", bytes(copy)
    yield "webp-magic-form", good_webp[:8] + b"WAVE" + good_webp[12:]
    yield "pdf-lowercase", b"%pdf-" + good_pdf[5:]
    yield "pdf-leading-space", b" " + good_pdf
    yield "pdf-leading-newline", b"\n" + good_pdf
    # A broken PNG header (IHDR) and broken image data (IDAT): the checksums catch them.
    for at in range(16, 33):
        copy = bytearray(good_png)
        copy[at] ^= 0x01
        yield f"png-ihdr-{at}", bytes(copy)
    # Nothing, or nothing recognisable.
    yield "empty", b""
    yield "one-byte", b"%"
    yield "whitespace", b" \n\t " * 50
    yield "zeros", b"\x00" * 1024
    for seed in range(10):
        yield f"random-{seed}", samples.noise(seed, 2048)
    yield from samples.SVGS.items()
    yield from samples.HTMLS.items()
    yield from samples.polyglots().items()
    # PDFs we do not take.
    yield "pdf-encrypted-r2", samples.encrypted_pdf(2)
    yield "pdf-encrypted-r3", samples.encrypted_pdf(3)
    yield "pdf-zero-pages", samples.pdf(pages=0, kids="")
    yield "pdf-wide-page", samples.pdf(box=(0, 0, 20000, 842))
    yield "pdf-tall-page", samples.pdf(box=(0, 0, 595, 30000))
    yield "pdf-huge-page", samples.pdf(box=(0, 0, 99999, 99999))
    yield "pdf-many-pages", samples.pdf(pages=2001)
    yield "pdf-no-root", samples.pdf().replace(b"/Root 1 0 R", b"/Root 9 0 R")
    # Decompression bombs: a small file promising billions of pixels.
    yield "png-bomb-huge", samples.png_bomb(100_000, 100_000)
    yield "png-bomb-64mp", samples.png_bomb(8000, 8000, 8000)
    yield "png-bomb-wide", samples.png_bomb(2**31 - 1, 1)
    yield "jpeg-bomb", samples.jpeg_with_size(60_000, 60_000)
    yield "webp-bomb", samples.webp_with_canvas(16_000, 16_000)
    yield "too-large", b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024)


BAD = dict(_bad_files())


def test_the_corpus_is_large() -> None:
    assert len(BAD) >= 200


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_file_is_refused_in_dutch(files_app: Flask, name: str) -> None:
    refused(BAD[name])
    assert not list(Path(files_app.config["MEDIA_ROOT"]).glob("[0-9a-f][0-9a-f]/*"))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("pdf-encrypted-r2", errors.MSG_PDF_LOCKED),
        ("pdf-many-pages", "Het PDF-bestand heeft 2001 pagina's; het maximum is 2000."),
        ("pdf-wide-page", "Een pagina van het PDF-bestand is te groot (meer dan 500 cm"),
        ("pdf-cut-500", errors.MSG_PDF_TRUNCATED),
        ("svg-script", errors.MSG_SVG),
        ("svg-bom", errors.MSG_SVG),
        ("html", "Dit bestandstype wordt niet geaccepteerd (een HTML- of XML-document)."),
        ("gif-with-script", "Dit bestandstype wordt niet geaccepteerd (een GIF-afbeelding)."),
        ("png-bomb-huge", "De afbeelding heeft te veel pixels: hoogstens 40 megapixel."),
        ("empty", errors.MSG_EMPTY),
        ("too-large", "Het bestand is groter dan 2 MB. Kies een kleiner bestand."),
    ],
)
def test_refusals_say_what_is_wrong(files_app: Flask, name: str, expected: str) -> None:
    data = samples.pdf()[:500] if name == "pdf-cut-500" else BAD[name]
    assert refused(data).startswith(expected)


def _flips() -> Iterator[tuple[str, bytes]]:
    for fmt, data in (
        ("pdf", samples.pdf()),
        ("png", samples.png()),
        ("jpeg", samples.jpeg()),
        ("webp", samples.webp()),
    ):
        for name, copy in samples.flipped(data, 15, seed=len(fmt), start=8):
            yield f"{fmt}-{name}", copy


FLIPS = dict(_flips())


@pytest.mark.parametrize("name", sorted(FLIPS))
def test_a_damaged_file_is_refused_or_cleanly_accepted(files_app: Flask, name: str) -> None:
    """A flipped byte in the data may leave a readable file (a JPEG shows a smudge): then it
    is accepted as any file; otherwise it is refused in Dutch. Never anything else."""
    started = time.monotonic()
    outcome: str
    try:
        outcome = check(FLIPS[name]).type.name
    except FileError as error:
        outcome = str(error)
    assert outcome in ("pdf", "png", "jpeg", "webp") or outcome.startswith(DUTCH), outcome
    assert time.monotonic() - started < TIMEOUT + GRACE_SECONDS + 1


def test_a_pdf_is_kept_as_sent_with_its_pages_and_a_thumbnail(files_app: Flask) -> None:
    data = samples.pdf(pages=12)
    with prepared_upload(io.BytesIO(data), "C:\\Stukken\\Rapport 2020.pdf") as prepared:
        assert prepared.type.content_type == "application/pdf"
        assert prepared.page_count == 12
        assert prepared.main.path.read_bytes() == data
        assert prepared.filename == "Rapport 2020.pdf"
        with Image.open(prepared.thumbnail.path) as thumb:
            assert thumb.format == "WEBP"
            assert thumb.width <= 320 and thumb.height <= 480
        with Image.open(prepared.fallback_thumbnail.path) as fallback:
            assert fallback.format == "PNG"


def test_a_pdf_named_png_is_a_pdf(files_app: Flask) -> None:
    prepared = check(samples.pdf(pages=2), "infographic.png")
    assert prepared.type.is_pdf
    assert prepared.filename == "infographic.pdf"


@pytest.mark.parametrize("fmt", ["jpeg", "png", "webp"])
def test_an_image_is_reencoded_without_any_metadata(files_app: Flask, fmt: str) -> None:
    original = getattr(samples, fmt)()
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif()  # the sample has camera, orientation and GPS data
    with prepared_upload(io.BytesIO(original), f"foto.{fmt}") as prepared:
        cleaned = prepared.main.path.read_bytes()
        assert prepared.type.name == fmt
        # Upright: the EXIF orientation (rotate 90) is applied to the pixels, then dropped.
        assert (prepared.width, prepared.height) == (480, 640)
    for secret in (b"Fotocamera", b"Exif", b"GEHEIM", b"xmpmeta", b"GPS"):
        assert secret not in cleaned
    with Image.open(io.BytesIO(cleaned)) as after:
        assert not after.getexif()
        assert "exif" not in after.info and "xmp" not in after.info
        assert "comment" not in after.info and "Comment" not in after.info
        assert "icc_profile" not in after.info
        assert after.size == (480, 640)


def test_a_lead_image_is_scaled_down(files_app: Flask) -> None:
    with prepared_upload(
        io.BytesIO(samples.png((3000, 1000), metadata=False)), "kop.png", max_side=2400
    ) as p:
        assert (p.width, p.height) == (2400, 800)


def test_the_demo_files_are_accepted(files_app: Flask) -> None:
    media = Path(__file__).resolve().parents[2] / "kispub" / "demo" / "media"
    publication = (media / "tussen-verveling-en-vereenzaming.pdf").read_bytes()
    assert check(publication).page_count == 4
    document = pdfium.PdfDocument(publication)
    assert "verveling" in document[0].get_textpage().get_text_range()
    infographic = check((media / "inclusieve-communicatie-infographic.png").read_bytes())
    assert (infographic.width, infographic.height) == (1000, 1400)


def test_a_check_that_takes_too_long_is_refused_in_dutch(files_app: Flask) -> None:
    files_app.config["DOSSIER_FILE_TIMEOUT"] = 0.001
    try:
        with pytest.raises(FileError, match=r"kon niet binnen 0,001 seconden"):
            check(samples.pdf(pages=50))
    finally:
        files_app.config["DOSSIER_FILE_TIMEOUT"] = TIMEOUT

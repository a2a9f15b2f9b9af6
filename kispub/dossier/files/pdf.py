"""Reading a PDF with PDFium (runs only in the sandbox child): pages, page size, thumbnail.

PDFium is the PDF engine of Chromium, fuzzed around the clock; pypdfium2 ships it as a
wheel. It still reads hostile input, so it runs here only, in a forked child with a time
limit and a memory cap (:mod:`kispub.core.sandbox`).
"""

from __future__ import annotations

import os
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
from PIL import Image

from kispub.dossier.files.errors import (
    MSG_PDF_DAMAGED,
    MSG_PDF_LOCKED,
    MSG_PDF_NO_PAGES,
    MSG_PDF_PAGE_SIZE,
    MSG_PDF_PAGES,
    MSG_PDF_TRUNCATED,
    FileError,
)
from kispub.dossier.files.images import save_thumbnails

# A complete PDF ends with "%%EOF" (and at most a little whitespace or a trailing line);
# PDFium repairs a cut-off file silently, which would publish half a document.
EOF_WINDOW = 1024
POINTS_PER_CM = 72 / 2.54


def inspect_pdf(path: str, out_prefix: str, limits: dict[str, Any]) -> dict[str, Any]:
    """Page count and a first-page thumbnail (``out_prefix`` + ".webp" / ".png")."""
    _require_end(path)
    document = _open(path)
    try:
        count = len(document)
        if count == 0:
            raise FileError(MSG_PDF_NO_PAGES)
        if count > limits["max_pages"]:
            raise FileError(MSG_PDF_PAGES, count=count, limit=limits["max_pages"])
        _check_page_sizes(document, count, limits["max_page_cm"])
        page = document[0]
        try:
            image = _render(page, limits["thumbnail_width"], limits["thumbnail_height"])
        finally:
            page.close()
    finally:
        document.close()
    save_thumbnails(image, out_prefix, limits)
    return {"page_count": count, "width": None, "height": None, "file": None}


def _require_end(path: str) -> None:
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        handle.seek(max(0, size - EOF_WINDOW))
        if b"%%EOF" not in handle.read():
            raise FileError(MSG_PDF_TRUNCATED)


def _open(path: str) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(path)
    except pdfium.PdfiumError as error:
        if error.err_code == pdfium_raw.FPDF_ERR_PASSWORD:
            raise FileError(MSG_PDF_LOCKED) from error
        raise FileError(MSG_PDF_DAMAGED) from error


def _check_page_sizes(document: pdfium.PdfDocument, count: int, max_cm: float) -> None:
    """Every page's size from the page tree, without loading the pages themselves."""
    limit = max_cm * POINTS_PER_CM
    for index in range(count):
        try:
            width, height = document.get_page_size(index)
        except pdfium.PdfiumError as error:
            raise FileError(MSG_PDF_DAMAGED) from error
        if not (0 < width <= limit and 0 < height <= limit):
            if width <= 0 or height <= 0:
                raise FileError(MSG_PDF_DAMAGED)
            raise FileError(MSG_PDF_PAGE_SIZE, limit=round(max_cm))


def _render(page: pdfium.PdfPage, max_width: int, max_height: int) -> Image.Image:
    """The page drawn to fit the thumbnail box (a tall page is narrower, not taller)."""
    width, height = page.get_size()
    scale = min(max_width / width, max_height / height)
    try:
        bitmap = page.render(scale=scale, may_draw_forms=False)
        image = bitmap.to_pil().convert("RGB")
    except pdfium.PdfiumError as error:
        raise FileError(MSG_PDF_DAMAGED) from error
    return image

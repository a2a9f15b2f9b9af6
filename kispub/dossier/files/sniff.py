"""What a file is, by its first bytes: the name and the browser's claimed type are ignored."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kispub.core.refusals import N_, Text
from kispub.dossier.files.errors import MSG_EMPTY, MSG_SVG, MSG_TYPE, FileError

SNIFF_BYTES = 512


@dataclass(frozen=True)
class FileType:
    """An accepted kind of file."""

    name: str  # "pdf" | "png" | "jpeg" | "webp"
    content_type: str
    extension: str
    label: str  # what readers are told: "PDF", "PNG-afbeelding"

    @property
    def is_pdf(self) -> bool:
        return self.name == "pdf"


PDF = FileType("pdf", "application/pdf", ".pdf", "PDF")
PNG = FileType("png", "image/png", ".png", "PNG-afbeelding")
JPEG = FileType("jpeg", "image/jpeg", ".jpg", "JPEG-afbeelding")
WEBP = FileType("webp", "image/webp", ".webp", "WebP-afbeelding")
TYPES = {t.name: t for t in (PDF, PNG, JPEG, WEBP)}
BY_CONTENT_TYPE = {t.content_type: t for t in TYPES.values()}

# Names for what is refused, so the editor learns what the file really is.
_REFUSED = (
    (b"GIF87a", N_("een GIF-afbeelding")),
    (b"GIF89a", N_("een GIF-afbeelding")),
    (b"PK\x03\x04", N_("een zip-bestand of Office-document")),
    (b"\xd0\xcf\x11\xe0", N_("een oud Office-document")),
    (b"BM", N_("een BMP-afbeelding")),
    (b"II*\x00", N_("een TIFF-afbeelding")),
    (b"MM\x00*", N_("een TIFF-afbeelding")),
    (b"{\\rtf", N_("een RTF-document")),
    (b"\x7fELF", N_("een programma")),
    (b"MZ", N_("een programma")),
)
_MARKUP = re.compile(rb"^\s*<(!doctype\s+)?(html|head|body|script|iframe|\?xml|svg|!--)", re.I)


def sniff(head: bytes) -> FileType:
    """The accepted type the bytes begin with; :class:`FileError` for anything else.

    Every signature must stand at offset 0: PDF readers tolerate junk before ``%PDF-``,
    which is how PDF/HTML polyglots are made, so we do not.
    """
    if not head:
        raise FileError(MSG_EMPTY)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    raise FileError(refusal(head))


def refusal(head: bytes) -> Text:
    """The message for bytes that are none of the accepted types."""
    text = head.lstrip(b"\xef\xbb\xbf")  # a UTF-8 byte order mark
    if b"<svg" in text[:SNIFF_BYTES].lower() and _MARKUP.match(text):
        return Text(MSG_SVG)
    if _MARKUP.match(text):
        return _wrong_type(N_("een HTML- of XML-document"))
    for magic, name in _REFUSED:
        if head.startswith(magic):
            return _wrong_type(name)
    return _wrong_type(N_("onbekend formaat"))


def _wrong_type(found: str) -> Text:
    return Text(MSG_TYPE, {"found": Text(found)})

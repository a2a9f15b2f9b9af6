"""Regenerate the coronadossier's demo files in kispub/demo/media/.

Usage (from the repository root)::

    .venv/bin/python scripts/make_dossier_demo_files.py

Needs Pillow from the project's virtualenv and the DejaVu fonts (Debian's fonts-dejavu-core).
The output is committed; the application never runs this script. It writes:

* ``tussen-verveling-en-vereenzaming.pdf``: the publication's "print version", a real PDF
  of four A4 pages with selectable text (Helvetica, one of the PDF standard fonts, so
  nothing is embedded), written by hand below: a few kilobytes;
* ``inclusieve-communicatie-infographic.png``: the infographic's five steps, as its
  ``text_alternative`` in kispub/demo/40-dossier.toml describes them;
* ``coronadossier.png``: the dossier's lead image, a quiet typographic banner.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
MEDIA = ROOT / "kispub" / "demo" / "media"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
BRAND, INK, PAPER, WASH = (106, 27, 77), (27, 27, 31), (255, 255, 255), (246, 238, 243)

PUBLICATION = (
    (
        "Tussen verveling en vereenzaming",
        "Kennisplatform Integratie & Samenleving, juli 2020. Demo: geen tekst van KIS zelf.",
        "Deze publicatie beschrijft hoe de eerste maanden van de coronacrisis uitpakten voor "
        "mensen met een migratieachtergrond: het wegvallen van werk, school en ontmoeting, en "
        "de verveling en eenzaamheid die daarop volgden.",
    ),
    (
        "1. Wie al weinig had, verloor het eerst",
        "Wie een klein netwerk had, zag het in maart 2020 in een paar dagen verdwijnen: de "
        "taalles, het vrijwilligerswerk en de moskee of kerk gingen dicht. Voor veel "
        "statushouders waren dat de plekken waar zij Nederlands spraken.",
    ),
    (
        "2. Jongeren en ouderen",
        "Jongeren misten vooral school en sport, en de structuur die die gaven. Ouderen misten "
        "het contact met familie, hier en in het land van herkomst, en hadden minder toegang "
        "tot beeldbellen en betrouwbare informatie in hun eigen taal.",
    ),
    (
        "3. Wat hielp",
        "Lokale initiatieven en zelforganisaties vingen veel op: zij belden mensen na, "
        "vertaalden de maatregelen en brachten boodschappen. Gemeenten die met hen "
        "samenwerkten, bereikten groepen die zij anders niet bereikten.",
    ),
)


def main() -> None:
    MEDIA.mkdir(parents=True, exist_ok=True)
    (MEDIA / "tussen-verveling-en-vereenzaming.pdf").write_bytes(publication_pdf())
    infographic().save(MEDIA / "inclusieve-communicatie-infographic.png", optimize=True)
    banner().save(MEDIA / "coronadossier.png", optimize=True)


def publication_pdf() -> bytes:
    """Four A4 pages of text in Helvetica; every offset in the xref table computed."""
    pages = [_page_stream(number, *page) for number, page in enumerate(PUBLICATION, 1)]
    count = len(pages)
    # Objects: 1 catalog, 2 page tree, 3 font, 4 info, then per page its page and content.
    kids = " ".join(f"{5 + 2 * i} 0 R" for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /Lang (nl-NL) >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Title (Tussen verveling en vereenzaming) /Author (KIS demo) >>",
    ]
    for index, stream in enumerate(pages):
        content = 6 + 2 * index
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {content} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 4 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _page_stream(number: int, title: str, *paragraphs: str) -> bytes:
    lines = ["BT", "/F1 20 Tf", "72 770 Td", f"({_pdf_text(title)}) Tj", "/F1 11 Tf", "0 -34 Td"]
    for paragraph in paragraphs:
        for line in textwrap.wrap(paragraph, 88):
            lines += [f"({_pdf_text(line)}) Tj", "0 -16 Td"]
        lines.append("0 -10 Td")
    lines += ["ET", "BT", "/F1 9 Tf", "290 40 Td", f"({number}) Tj", "ET"]
    return "\n".join(lines).encode("cp1252")


def _pdf_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONT_DIR / name), size)


STEPS = (
    ("Ken uw doelgroepen", "Welke talen spreken zij, en via welke kanalen krijgen zij nieuws?"),
    ("Schrijf eenvoudig", "Korte zinnen, taalniveau B1, één boodschap per bericht."),
    ("Vertaal en beeld uit", "Pictogrammen, filmpjes en vertalingen in de meest gesproken talen."),
    ("Werk met sleutelpersonen", "Zelforganisaties, imams, artsen en jongerenwerkers."),
    ("Vraag na of het aankomt", "Luister naar vragen en pas de informatie aan."),
)


def infographic() -> Image.Image:
    """Five numbered steps under a title, 1000 x 1400 pixels, in a palette of few colours."""
    image = Image.new("RGB", (1000, 1400), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1000, 220), fill=BRAND)
    draw.text((60, 50), "Inclusieve communicatie", font=_font(54, bold=True), fill=PAPER)
    draw.text((60, 130), "tijdens de coronacrisis: vijf stappen", font=_font(36), fill=PAPER)
    for index, (title, text) in enumerate(STEPS):
        top = 270 + index * 220
        draw.rounded_rectangle((40, top, 960, top + 190), radius=24, fill=WASH)
        draw.ellipse((70, top + 45, 170, top + 145), fill=BRAND)
        draw.text(
            (120, top + 95), str(index + 1), font=_font(56, bold=True), fill=PAPER, anchor="mm"
        )
        draw.text((200, top + 40), title, font=_font(38, bold=True), fill=BRAND)
        for row, line in enumerate(textwrap.wrap(text, 40)):
            draw.text((200, top + 98 + row * 38), line, font=_font(28), fill=INK)
    return image.quantize(colors=32)


def banner() -> Image.Image:
    """The lead image: the dossier's name and subject on the brand colour."""
    image = Image.new("RGB", (1600, 500), BRAND)
    draw = ImageDraw.Draw(image)
    draw.text((100, 150), "Coronadossier", font=_font(110, bold=True), fill=PAPER)
    draw.text((104, 300), "Wat KIS in 2020 verzamelde", font=_font(52), fill=WASH)
    return image.quantize(colors=16)


if __name__ == "__main__":
    main()

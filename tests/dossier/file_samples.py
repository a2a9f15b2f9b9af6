"""Files for the dossier file tests, made here: good PDFs and images, and hundreds of bad
ones (cut off, bytes flipped, wrong signatures, encrypted, empty, bombs, SVG, HTML,
polyglots). Nothing is downloaded or kept in the repository."""

from __future__ import annotations

import gzip
import io
import random
import struct
import zlib
from collections.abc import Iterator

from PIL import Image, ImageDraw

A4 = (0, 0, 595, 842)


def pdf(
    pages: int = 3,
    box: tuple[float, ...] = A4,
    *,
    encrypt: str | None = None,
    kids: str | None = None,
    info: str = "/Title (Een publicatie) /Author (Iemand) /Producer (Testmaker)",
) -> bytes:
    """A small, valid PDF of ``pages`` pages of text (one shared content stream)."""
    text = b"BT /F1 18 Tf 72 770 Td (Pagina met tekst) Tj ET"
    page_refs = " ".join(f"{5 + i} 0 R" for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids if kids is not None else page_refs}] "
        f"/Count {pages} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
    ]
    box_text = " ".join(f"{v:g}" for v in box)
    objects += [
        f"<< /Type /Page /Parent 2 0 R /MediaBox [{box_text}] "
        f"/Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>".encode()
    ] * pages
    objects.append(f"<< {info} >>".encode())
    if encrypt is not None:
        objects.append(encrypt.encode())
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    size = len(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    trailer = f"/Size {size} /Root 1 0 R /Info {len(objects) - (encrypt is not None)} 0 R"
    if encrypt is not None:
        trailer += f" /Encrypt {len(objects)} 0 R /ID [<{'ab' * 16}> <{'ab' * 16}>]"
    out += f"trailer\n<< {trailer} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def encrypted_pdf(revision: int = 2) -> bytes:
    """A PDF behind a user password (the standard security handler, RC4)."""
    owner, user = "cd" * 32, "ef" * 32
    version = 1 if revision == 2 else 2
    length = "" if revision == 2 else " /Length 128"
    encrypt = (
        f"<< /Filter /Standard /V {version} /R {revision}{length} "
        f"/O <{owner}> /U <{user}> /P -44 >>"
    )
    return pdf(encrypt=encrypt)


def picture(size: tuple[int, int] = (640, 480), mode: str = "RGB") -> Image.Image:
    image = Image.new(mode, size, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((size[0] // 8, size[1] // 8, size[0] // 2, size[1] // 2), fill="purple")
    draw.ellipse((size[0] // 3, size[1] // 3, size[0] - 10, size[1] - 10), fill="orange")
    return image


def exif_with_gps() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Fotocamera BV"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x0112] = 6  # Orientation: rotate 90 (the clean image must come out upright)
    exif[0x8825] = {1: "N", 2: (52.0, 22.0, 5.0), 3: "E", 4: (4.0, 53.0, 42.0)}  # GPSInfo
    return exif


XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    b'22-rdf-syntax-ns#"><rdf:Description>GEHEIM-XMP</rdf:Description></rdf:RDF></x:xmpmeta>'
)


def jpeg(size: tuple[int, int] = (640, 480), *, metadata: bool = True) -> bytes:
    out = io.BytesIO()
    extra = {"exif": exif_with_gps().tobytes(), "comment": b"GEHEIM-COMMENTAAR", "xmp": XMP}
    picture(size).save(out, "JPEG", quality=85, **(extra if metadata else {}))
    return out.getvalue()


def png(size: tuple[int, int] = (640, 480), *, metadata: bool = True) -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    if metadata:
        info.add_text("Comment", "GEHEIM-COMMENTAAR")
        info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    out = io.BytesIO()
    extra = {"exif": exif_with_gps().tobytes()} if metadata else {}
    picture(size, "RGBA").save(out, "PNG", pnginfo=info, **extra)
    return out.getvalue()


def webp(size: tuple[int, int] = (640, 480), *, metadata: bool = True) -> bytes:
    out = io.BytesIO()
    extra = {"exif": exif_with_gps().tobytes(), "xmp": XMP} if metadata else {}
    picture(size).save(out, "WEBP", quality=80, **extra)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int, height: int, rows: int = 0) -> bytes:
    """A PNG whose header promises ``width`` x ``height`` grey pixels, with a little data."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = zlib.compress(b"\x00" * (width + 1) * rows, 9) if rows else zlib.compress(b"")
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )


def jpeg_with_size(width: int, height: int) -> bytes:
    """A small JPEG whose frame header is patched to claim another size."""
    data = bytearray(jpeg((16, 16), metadata=False))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def webp_with_canvas(width: int, height: int) -> bytes:
    """A lossless WebP with a VP8X header claiming a huge canvas."""
    out = io.BytesIO()
    picture((16, 16)).save(out, "WEBP", lossless=True)
    body = out.getvalue()[12:]
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00"
    vp8x += (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    payload = b"WEBP" + vp8x + body
    return b"RIFF" + struct.pack("<I", len(payload)) + payload


def truncations(data: bytes, count: int, keep_tail: int) -> Iterator[tuple[str, bytes]]:
    """``count`` cuts spread over the file, each losing at least the last ``keep_tail``
    bytes (where the format's end marker is)."""
    end = len(data) - keep_tail
    for n in range(count):
        cut = max(1, end * n // count)
        yield f"cut-{cut}", data[:cut]


def noise(seed: int, size: int) -> bytes:
    """Random bytes, the same for the same seed."""
    return random.Random(seed).randbytes(size)  # noqa: S311 - repeatable, not a secret


def flipped(data: bytes, count: int, seed: int, start: int = 0) -> Iterator[tuple[str, bytes]]:
    """Copies with one random byte (past ``start``) inverted."""
    rng = random.Random(seed)  # noqa: S311 - repeatable damage, not a secret
    for _ in range(count):
        at = rng.randrange(start, len(data))
        copy = bytearray(data)
        copy[at] ^= 0xFF
        yield f"flip-{at}", bytes(copy)


SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<rect width="10" height="10"/></svg>'
)
SVGS = {
    "svg": SVG,
    "svg-xml": b'<?xml version="1.0" encoding="UTF-8"?>\n' + SVG,
    "svg-bom": b"\xef\xbb\xbf" + SVG,
    "svg-doctype": b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x">' + SVG,
    "svg-script": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "svg-upper": b"  <SVG xmlns='http://www.w3.org/2000/svg'></SVG>",
    "svgz": gzip.compress(SVG, mtime=0),
}
HTMLS = {
    "html-doctype": b"<!DOCTYPE html><html><body>Hallo</body></html>",
    "html": b"<html><script>alert(document.cookie)</script></html>",
    "html-script": b"<script src=//evil.example/x.js></script>",
    "html-space": b"\n\n   <html lang=nl></html>",
    "html-comment": b"<!-- pdf --><html></html>",
    "html-iframe": b"<iframe src=javascript:alert(1)>",
}


def polyglots() -> dict[str, bytes]:
    good = pdf()
    png_signature = b"\x89PNG\r\n\x1a\n"
    return {
        "html-then-pdf": b"<html><script>alert(1)</script>" + good,
        "junk-then-pdf": b"GARBAGE" * 10 + good,
        "pdf-with-html-body": b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n",
        "pdf-header-only": b"%PDF-1.7\n%%EOF\n",
        "png-signature-then-html": png_signature + b"<html><script>alert(1)</script></html>",
        "jpeg-soi-then-html": b"\xff\xd8\xff\xe0<html><script>alert(1)</script></html>\xff\xd9",
        "gif-with-script": b"GIF89a/*\x00\x00*/=alert(1)//;",
        "zip-with-pdf": b"PK\x03\x04" + good,
        "riff-not-webp": b"RIFF\x10\x00\x00\x00WAVEfmt " + b"\x00" * 16,
        "pdf-then-zip": good + b"PK\x03\x04" + b"\x00" * 2000,
    }

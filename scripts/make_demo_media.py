"""Regenerate the demo podcast cover in kispub/demo/media/.

Usage (from the repository root)::

    .venv/bin/python scripts/make_demo_media.py

Needs Pillow from the project's virtualenv and the DejaVu fonts. It writes
``podcast-cover.jpg``: a 1400 x 1400 typographic series cover in DejaVu Sans. The episodes'
audio, transcripts and chapters come from scripts/make_podcast_demo_audio.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
MEDIA = ROOT / "kispub" / "demo" / "media"
SERIES = "Inspirerende denkers en doeners over diversiteitsvraagstukken"
PUBLISHER = "Kennisplatform Integratie & Samenleving"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def wrap(
    draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int
) -> list[str]:
    """Greedy word wrap to a pixel width."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(candidate, font=font) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


def fit_font(
    draw: ImageDraw.ImageDraw, text: str, width: int, start: int
) -> ImageFont.FreeTypeFont:
    """The largest bold font (from ``start`` down) in which the longest word fits ``width``."""
    longest = max(text.split(), key=len)
    for size in range(start, 20, -2):
        font = ImageFont.truetype(str(FONT_DIR / "DejaVuSans-Bold.ttf"), size)
        if draw.textlength(longest, font=font) <= width:
            return font
    return font


def make_cover() -> None:
    """A clean typographic 1400 x 1400 cover: series title on a deep teal field."""
    size, margin = 1400, 120
    image = Image.new("RGB", (size, size), (0, 76, 92))
    draw = ImageDraw.Draw(image)
    bold = fit_font(draw, SERIES, size - 2 * margin, 118)
    regular = ImageFont.truetype(str(FONT_DIR / "DejaVuSans.ttf"), 46)
    label = ImageFont.truetype(str(FONT_DIR / "DejaVuSans-Bold.ttf"), 50)
    draw.rectangle((margin, margin, margin + 180, margin + 18), fill=(255, 183, 27))
    draw.text((margin, margin + 60), "KIS PODCAST", font=label, fill=(255, 183, 27))
    y = 380
    for line in wrap(draw, SERIES, bold, size - 2 * margin):
        draw.text((margin, y), line, font=bold, fill=(255, 255, 255))
        y += round(bold.size * 1.2)
    draw.line((margin, size - 230, size - margin, size - 230), fill=(255, 255, 255), width=4)
    draw.text((margin, size - 190), PUBLISHER, font=regular, fill=(220, 236, 240))
    image.save(MEDIA / "podcast-cover.jpg", "JPEG", quality=85, optimize=True)


def main() -> int:
    """Write the cover and list the sizes of every demo media file."""
    MEDIA.mkdir(parents=True, exist_ok=True)
    make_cover()
    total = 0
    for path in sorted(MEDIA.iterdir()):
        total += path.stat().st_size
        print(f"{path.stat().st_size:>8}  {path.name}")
    print(f"{total:>8}  total")
    return 0


if __name__ == "__main__":
    sys.exit(main())

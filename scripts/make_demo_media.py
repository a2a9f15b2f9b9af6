"""Regenerate the demo podcast media in kispub/demo/media/.

Usage (from the repository root)::

    .venv/bin/python scripts/make_demo_media.py

Needs espeak-ng (with its Dutch voice), sox and lame on PATH, plus mutagen and Pillow from
the project's virtualenv. The output is committed; the application never runs these tools.

It writes, for the six 2020 episodes of the KIS podcast "Inspirerende denkers en doeners
over diversiteitsvraagstukken":

* ``aflevering-1.mp3`` ... ``aflevering-6.mp3``: a synthetic Dutch voice saying
  "Aflevering N: <titel>", mono MP3 at 56 kbit/s with ID3 title, artist, album, track,
  year and two chapters (the episode number, then the title);
* ``aflevering-1.vtt``: a WebVTT transcript of episode 1 with the real timings;
* ``podcast-cover.jpg``: a 1400 x 1400 typographic series cover in DejaVu Sans.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import wave
from pathlib import Path

from mutagen.id3 import CHAP, CTOC, ID3, TALB, TDRC, TIT2, TPE1, TRCK, CTOCFlags
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
MEDIA = ROOT / "kispub" / "demo" / "media"
SERIES = "Inspirerende denkers en doeners over diversiteitsvraagstukken"
PUBLISHER = "Kennisplatform Integratie & Samenleving"
EPISODES = (
    "Rotterdamse wethouder Bert Wijbenga",
    "Jongerenwerker en tienermeiden met migratieachtergrond over shame sexting",
    "Abdellah Mehraz over de rol van vaders in de opvoeding",
    "Jaco Dagevos over de nieuwe wet inburgering",
    "Patricia Wijntuin over beeldvorming en buurtbinding",
    "Kaouthar Darmoni over gendergelijkheid, seksualiteit, feminisme en islam",
)
PAUSE = 0.3  # seconds of silence between the two spoken parts (and at the end)
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def run(*args: str) -> None:
    """Run one tool quietly, failing loudly."""
    subprocess.run(args, check=True, capture_output=True)  # noqa: S603 - fixed tool names


def speak(text: str, out: Path, speed: int) -> float:
    """Synthesise Dutch speech into a WAV file; return its duration in seconds."""
    run("espeak-ng", "-v", "nl", "-s", str(speed), "-w", str(out), text)
    with wave.open(str(out), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


def make_episode(number: int, title: str, tmp: Path) -> tuple[float, float]:
    """Write aflevering-N.mp3; return (start, end) of the title part in seconds."""
    intro, body = tmp / f"intro{number}.wav", tmp / f"body{number}.wav"
    speed = 165 if len(title) < 55 else 190  # keep the long titles under eight seconds
    intro_len = speak(f"Aflevering {number}:", intro, speed)
    body_len = speak(f"{title}.", body, speed)
    joined = tmp / f"ep{number}.wav"
    # Concatenate intro, a pause and the title, with the same pause again at the end.
    run("sox", str(intro), str(tmp / "pause.wav"), str(body), str(joined), "pad", "0", str(PAUSE))
    out = MEDIA / f"aflevering-{number}.mp3"
    run("lame", "--quiet", "-m", "m", "-b", "56", "--resample", "22.05", str(joined), str(out))
    start = intro_len + PAUSE
    end = start + body_len
    tag_episode(out, number, title, round(start * 1000), round((end + PAUSE) * 1000))
    return start, end


def tag_episode(path: Path, number: int, title: str, split_ms: int, end_ms: int) -> None:
    """ID3 tags and two chapters: the episode number, then the conversation."""
    tags = ID3()
    tags.add(TIT2(encoding=3, text=title))
    tags.add(TPE1(encoding=3, text=PUBLISHER))
    tags.add(TALB(encoding=3, text=SERIES))
    tags.add(TRCK(encoding=3, text=str(number)))
    tags.add(TDRC(encoding=3, text="2020"))
    flags = CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED
    tags.add(CTOC(element_id="toc", flags=flags, child_element_ids=["ch1", "ch2"], sub_frames=[]))
    parts = (("ch1", 0, split_ms, f"Aflevering {number}"), ("ch2", split_ms, end_ms, title))
    for element_id, start, end, name in parts:
        sub = [TIT2(encoding=3, text=name)]
        tags.add(CHAP(element_id=element_id, start_time=start, end_time=end, sub_frames=sub))
    tags.save(str(path), v2_version=3)


def write_pause(path: Path) -> None:
    """A WAV of silence in espeak-ng's format (22050 Hz, mono, 16 bit)."""
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(22050)
        wav.writeframes(b"\0\0" * round(22050 * PAUSE))


def vtt_time(seconds: float) -> str:
    """WebVTT timestamp hh:mm:ss.ttt."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def write_transcript(title: str, start: float, end: float) -> None:
    """aflevering-1.vtt: the two spoken sentences of episode 1 with their timings."""
    lines = [
        "WEBVTT",
        "",
        "1",
        f"{vtt_time(0)} --> {vtt_time(start - PAUSE)}",
        "<v Verteller>Aflevering 1:",
        "",
        "2",
        f"{vtt_time(start)} --> {vtt_time(end)}",
        f"<v Verteller>{title}.",
        "",
    ]
    (MEDIA / "aflevering-1.vtt").write_text("\n".join(lines), encoding="utf-8")


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
    """Write every demo file and list their sizes."""
    MEDIA.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        write_pause(tmp / "pause.wav")
        for number, title in enumerate(EPISODES, start=1):
            start, end = make_episode(number, title, tmp)
            if number == 1:
                write_transcript(title, start, end)
    make_cover()
    total = 0
    for path in sorted(MEDIA.iterdir()):
        total += path.stat().st_size
        print(f"{path.stat().st_size:>8}  {path.name}")
    print(f"{total:>8}  total")
    return 0


if __name__ == "__main__":
    sys.exit(main())

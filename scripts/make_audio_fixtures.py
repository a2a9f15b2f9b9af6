"""Regenerate the audio and image fixtures in tests/podcast/fixtures/.

Usage (from the repository root)::

    .venv/bin/python scripts/make_audio_fixtures.py

Needs the Debian tools lame, ffmpeg, oggenc (vorbis-tools) and opusenc (opus-tools) on PATH,
plus mutagen and Pillow from the project's virtualenv. The tools are only needed here: the
fixtures are committed, and neither the tests nor the application run any of them.

The source sound is generated in Python from a fixed seed, so the true durations are exact:
6.0 s for the MP3 files, 5.0 s for the M4A files and 4.0 s for the Ogg files. Each source
starts with one second of silence followed by noise and tones, which makes VBR encoders use
a tiny first frame and much larger later ones: exactly the case where mutagen's length
estimate for an MP3 without a Xing header goes badly wrong. Regenerating with other encoder
versions may change sizes slightly; the tests only rely on the durations and tags.
"""

from __future__ import annotations

import base64
import io
import math
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

from mutagen.flac import Picture
from mutagen.id3 import APIC, CHAP, CTOC, ID3, TIT2, TPE1, CTOCFlags, PictureType
from mutagen.mp4 import MP4, MP4Cover
from mutagen.oggvorbis import OggVorbis
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "podcast" / "fixtures"
RATE = 22050
TITLE = "Testaflevering met hoofdstukken"
ARTIST = "Kennisplatform Integratie & Samenleving"
FFMPEG = ("ffmpeg", "-nostdin", "-y", "-loglevel", "error")
CHAPTERS = (
    ("ch1", 0, 2000, "Opening"),
    ("ch2", 2000, 4000, "Gesprek"),
    ("ch3", 4000, 6000, "Afsluiting"),
)


def run(*args: str) -> None:
    """Run one encoder quietly, failing loudly."""
    subprocess.run(args, check=True, capture_output=True)  # noqa: S603 - fixed tool names


def write_source(path: Path, seconds: float, seed: int = 1) -> None:
    """One second of silence, then noise and tones: a mono 16-bit WAV of exactly ``seconds``."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test sound, not cryptography
    frames = bytearray()
    for i in range(round(seconds * RATE)):
        t = i / RATE
        if t < 1.0:
            sample = 0.0
        else:
            tone = math.sin(2 * math.pi * (300 + 200 * t) * t)
            sample = 0.45 * tone + 0.45 * rng.uniform(-1.0, 1.0)
        frames += struct.pack("<h", int(sample * 32767 * 0.8))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(bytes(frames))


def small_cover() -> bytes:
    """A tiny JPEG to embed as cover art in the audio fixtures."""
    image = Image.new("RGB", (64, 64), (0, 84, 122))
    ImageDraw.Draw(image).rectangle((16, 16, 47, 47), fill=(255, 196, 0))
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=70)
    return buf.getvalue()


def tag_mp3(path: Path) -> None:
    """Add title, artist, a CTOC with three CHAP chapters and an APIC cover."""
    tags = ID3()
    tags.add(TIT2(encoding=3, text=TITLE))
    tags.add(TPE1(encoding=3, text=ARTIST))
    ids = [c[0] for c in CHAPTERS]
    flags = CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED
    tags.add(CTOC(element_id="toc", flags=flags, child_element_ids=ids, sub_frames=[]))
    for element_id, start, end, title in CHAPTERS:
        sub = [TIT2(encoding=3, text=title)]
        tags.add(CHAP(element_id=element_id, start_time=start, end_time=end, sub_frames=sub))
    cover = small_cover()
    tags.add(APIC(encoding=3, mime="image/jpeg", type=PictureType.COVER_FRONT, data=cover))
    tags.save(str(path), v2_version=3)


def make_mp3s(tmp: Path) -> None:
    """CBR with tags, VBR with and without Xing header, and a truncated VBR file."""
    src = tmp / "six.wav"
    write_source(src, 6.0)
    lame = ("lame", "--quiet", "-m", "m")
    run(*lame, "-b", "64", str(src), str(FIXTURES / "cbr_tagged.mp3"))
    tag_mp3(FIXTURES / "cbr_tagged.mp3")
    run(*lame, "-V", "6", str(src), str(FIXTURES / "vbr_xing.mp3"))
    run(*lame, "-V", "6", "-t", str(src), str(FIXTURES / "vbr_noxing.mp3"))
    data = (FIXTURES / "vbr_xing.mp3").read_bytes()
    (FIXTURES / "truncated_xing.mp3").write_bytes(data[: len(data) // 2])


def make_m4as(tmp: Path) -> None:
    """AAC in M4A with tags and cover, a truncated copy, ALAC, and a tiny video MP4."""
    src = tmp / "five.wav"
    write_source(src, 5.0, seed=2)
    meta = tmp / "chapters.txt"
    meta.write_text(
        f";FFMETADATA1\ntitle={TITLE}\nartist={ARTIST}\n"
        "[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=2500\ntitle=Opening\n"
        "[CHAPTER]\nTIMEBASE=1/1000\nSTART=2500\nEND=5000\ntitle=Gesprek\n",
        encoding="utf-8",
    )
    out = FIXTURES / "aac.m4a"
    inputs = ("-i", str(src), "-i", str(meta), "-map_metadata", "1", "-map_chapters", "1")
    run(*FFMPEG, *inputs, "-c:a", "aac", "-b:a", "24k", "-movflags", "+faststart", str(out))
    audio = MP4(str(out))
    audio["covr"] = [MP4Cover(small_cover(), imageformat=MP4Cover.FORMAT_JPEG)]
    audio.save()
    data = out.read_bytes()
    (FIXTURES / "truncated.m4a").write_bytes(data[: len(data) // 2])
    run(*FFMPEG, "-i", str(src), "-t", "0.5", "-c:a", "alac", str(FIXTURES / "alac.m4a"))
    video = ("-f", "lavfi", "-i", "color=c=blue:s=16x16:d=1:r=5", "-c:v", "mpeg4")
    audio_in = ("-i", str(src), "-t", "1", "-c:a", "aac", "-b:a", "16k")
    run(*FFMPEG, *video, *audio_in, str(FIXTURES / "video.mp4"))


def make_oggs(tmp: Path) -> None:
    """Ogg Vorbis (with a METADATA_BLOCK_PICTURE cover), Ogg Opus, and an Ogg FLAC to refuse."""
    src = tmp / "four.wav"
    write_source(src, 4.0, seed=3)
    vorbis = FIXTURES / "vorbis.ogg"
    tags = ("-t", TITLE, "-a", ARTIST)
    run("oggenc", "--quiet", "--serial", "1", "-q", "-1", *tags, "-o", str(vorbis), str(src))
    picture = Picture()
    picture.type = PictureType.COVER_FRONT
    picture.mime = "image/jpeg"
    picture.data = small_cover()
    audio = OggVorbis(str(vorbis))
    audio["metadata_block_picture"] = [base64.b64encode(picture.write()).decode("ascii")]
    # The Vorbis comment chapter extension, in reverse order to prove sorting by time.
    audio["CHAPTER002"] = ["00:00:02.500"]
    audio["CHAPTER002NAME"] = ["Gesprek"]
    audio["CHAPTER001"] = ["00:00:00.000"]
    audio["CHAPTER001NAME"] = ["Opening"]
    audio.save()
    opus_tags = ("--title", TITLE, "--artist", ARTIST)
    opus = str(FIXTURES / "opus.opus")
    run("opusenc", "--quiet", "--serial", "2", "--bitrate", "12", *opus_tags, str(src), opus)
    flac = ("-c:a", "flac", "-fflags", "+bitexact", "-f", "ogg", str(FIXTURES / "flac.ogg"))
    run(*FFMPEG, "-i", str(src), "-t", "0.5", *flac)


def make_refusals(tmp: Path) -> None:
    """Random bytes, and a PNG and a WAV that pretend to be MP3s."""
    rng = random.Random(42)  # noqa: S311 - reproducible junk
    (FIXTURES / "random.bin").write_bytes(bytes(rng.getrandbits(8) for _ in range(8192)))
    buf = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 30, 30)).save(buf, "PNG")
    (FIXTURES / "png_named.mp3").write_bytes(buf.getvalue())
    write_source(tmp / "short.wav", 0.3, seed=4)
    shutil.copy(tmp / "short.wav", FIXTURES / "wav_named.mp3")


def cover(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """A flat, cheaply compressible cover image of the given size."""
    image = Image.new("RGB", size, (0, 84, 122))
    w, h = size
    ImageDraw.Draw(image).ellipse((w // 4, h // 4, 3 * w // 4, 3 * h // 4), fill=(255, 196, 0))
    if mode == "P":  # an adaptive palette keeps the flat colours flat (no dithering noise)
        return image.convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    return image.convert(mode)


def make_covers() -> None:
    """Cover art that passes Apple's rules, and several kinds that do not."""
    cover((1400, 1400)).save(FIXTURES / "cover_1400.jpg", "JPEG", quality=60)
    cover((3000, 3000)).save(FIXTURES / "cover_3000.png", "PNG", optimize=True)
    cover((1600, 1400)).save(FIXTURES / "cover_nonsquare.jpg", "JPEG", quality=60)
    cover((600, 600)).save(FIXTURES / "cover_small.jpg", "JPEG", quality=60)
    cover((1400, 1400), "P").save(FIXTURES / "cover_1400.gif", "GIF")
    cover((1400, 1400), "CMYK").save(FIXTURES / "cover_cmyk.jpg", "JPEG", quality=10)
    data = (FIXTURES / "cover_1400.jpg").read_bytes()
    (FIXTURES / "cover_truncated.jpg").write_bytes(data[: len(data) // 2])


def main() -> int:
    """Write every fixture and list their sizes."""
    for tool in ("lame", "ffmpeg", "oggenc", "opusenc"):
        if shutil.which(tool) is None:
            print(f"missing tool: {tool}", file=sys.stderr)
            return 1
    FIXTURES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for step in (make_mp3s, make_m4as, make_oggs, make_refusals):
            step(Path(tmp))
    make_covers()
    for path in sorted(FIXTURES.iterdir()):
        print(f"{path.stat().st_size:>8}  {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

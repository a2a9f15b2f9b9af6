"""Speak the six 2020 demo episodes, with transcripts and chapters that match the audio.

Usage (from the repository root)::

    .venv/bin/python scripts/make_podcast_demo_audio.py

Needs espeak-ng (Dutch voice ``nl``) and ffmpeg (built with libmp3lame) on PATH, and mutagen
from the project's virtualenv; only to re-run this script: the app and CI use the committed
files. The scripts themselves are in ``podcast_demo_scripts.py`` beside this file.

Each sentence is spoken on its own (host and guest in two voices: a higher female variant
and a lower male one), so its exact start and end are known; the sentences are joined with
fixed pauses into one WAV and encoded once. From those timings it writes, per episode N:

* ``aflevering-N.mp3``: mono, 22.05 kHz, 32 kbit/s constant bit rate MP3 with ID3 tags and
  CHAP chapter frames. Why this format: MP3 plays in every podcast app and browser (AAC or
  Opus do not, everywhere); mono at 22.05 kHz and 32 kbit/s is plenty for one synthetic voice
  and keeps two minutes near 500 KB, so the whole demo stays small in the repository and
  the wheel; constant bit rate lets every app compute duration and seek positions exactly;
* ``aflevering-N.vtt``: a WebVTT transcript, one cue per sentence, ``<v Name>`` voices;
* ``aflevering-N.chapters.json``: JSON Chapters (Podcasting 2.0), referenced by 10-podcast.toml.

Output is deterministic for a given espeak-ng and ffmpeg version: no dates or random input.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

from mutagen.id3 import CHAP, CTOC, ID3, TALB, TDRC, TIT2, TPE1, TRCK, CTOCFlags
from podcast_demo_scripts import HOST, SCRIPTS, Script

ROOT = Path(__file__).resolve().parent.parent
MEDIA = ROOT / "kispub" / "demo" / "media"
SERIES = "Inspirerende denkers en doeners over diversiteitsvraagstukken"
PUBLISHER = "Kennisplatform Integratie & Samenleving"
RATE = 22050  # espeak-ng's own output rate: no resampling before encoding
SPEED = 150  # words per minute: a calm interview pace
# espeak-ng voice (language + variant) and pitch (0-99) per speaker.
VOICES = {"host": ("nl+f3", "58"), "guest": ("nl+m3", "38")}
SENTENCE_PAUSE = 0.35  # seconds of silence after a sentence by the same speaker
TURN_PAUSE = 0.6  # after a sentence when the other speaker goes on
CHAPTER_PAUSE = 1.0  # between chapters
LEAD_IN = 0.5  # before the first word

Cue = tuple[float, float, str, str]  # start, end (seconds), speaker name, sentence


def run(*args: str) -> None:
    """Run one tool quietly, failing loudly."""
    subprocess.run(args, check=True, capture_output=True)  # noqa: S603 - fixed tool names


def speak(text: str, speaker: str, out: Path) -> bytes:
    """One sentence as 16-bit mono PCM frames at RATE."""
    voice, pitch = VOICES[speaker]
    run("espeak-ng", "-v", voice, "-p", pitch, "-s", str(SPEED), "-w", str(out), text)
    with wave.open(str(out), "rb") as wav:
        if wav.getframerate() != RATE or wav.getnchannels() != 1:
            raise RuntimeError(f"espeak-ng wrote {wav.getframerate()} Hz, expected {RATE}")
        return wav.readframes(wav.getnframes())


def silence(seconds: float) -> bytes:
    return b"\0\0" * round(RATE * seconds)


def build_episode(script: Script, tmp: Path) -> tuple[bytes, list[Cue], list[tuple[float, str]]]:
    """The episode's PCM, one cue per sentence, and (start, title) per chapter."""
    names = {"host": HOST, "guest": script.guest}
    pcm = bytearray(silence(LEAD_IN))
    cues: list[Cue] = []
    chapters: list[tuple[float, str]] = []
    previous = None
    for chapter in script.chapters:
        if cues:
            pcm += silence(CHAPTER_PAUSE)
        chapters.append((0.0 if not cues else len(pcm) / 2 / RATE, chapter.title))
        for index, (speaker, text) in enumerate(chapter.lines):
            if index:
                pcm += silence(SENTENCE_PAUSE if speaker == previous else TURN_PAUSE)
            start = len(pcm) / 2 / RATE
            pcm += speak(text, speaker, tmp / "line.wav")
            cues.append((start, len(pcm) / 2 / RATE, names[speaker], text))
            previous = speaker
    pcm += silence(CHAPTER_PAUSE)
    return bytes(pcm), cues, chapters


def write_wav(path: Path, pcm: bytes) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(pcm)


def encode(wav: Path, out: Path) -> None:
    """Mono 22.05 kHz 32 kbit/s CBR MP3, without ffmpeg's own tags (mutagen writes ours)."""
    run(
        "ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(wav),
        "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact",
        "-codec:a", "libmp3lame", "-ac", "1", "-ar", str(RATE), "-b:a", "32k",
        "-write_xing", "0", "-id3v2_version", "0", str(out),
    )  # fmt: skip


def vtt_time(seconds: float) -> str:
    """WebVTT timestamp hh:mm:ss.ttt."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def write_transcript(path: Path, cues: list[Cue]) -> None:
    lines = ["WEBVTT", ""]
    for number, (start, end, name, text) in enumerate(cues, start=1):
        lines += [str(number), f"{vtt_time(start)} --> {vtt_time(end)}", f"<v {name}>{text}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def write_chapters(path: Path, title: str, chapters: list[tuple[float, str]]) -> None:
    document = {
        "version": "1.2.0",
        "title": title,
        "chapters": [{"startTime": round(s, 3), "title": t} for s, t in chapters],
    }
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def tag_episode(
    path: Path, number: int, title: str, chapters: list[tuple[float, str]], length: float
) -> None:
    """ID3 tags, and the same chapters as CHAP frames for apps that read them from the file."""
    tags = ID3()
    tags.add(TIT2(encoding=3, text=title))
    tags.add(TPE1(encoding=3, text=PUBLISHER))
    tags.add(TALB(encoding=3, text=SERIES))
    tags.add(TRCK(encoding=3, text=str(number)))
    tags.add(TDRC(encoding=3, text="2020"))
    ids = [f"ch{i}" for i in range(1, len(chapters) + 1)]
    flags = CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED
    tags.add(CTOC(element_id="toc", flags=flags, child_element_ids=ids, sub_frames=[]))
    ends = [s for s, _ in chapters[1:]] + [length]
    for element_id, (start, name), end in zip(ids, chapters, ends, strict=True):
        sub = [TIT2(encoding=3, text=name)]
        tags.add(
            CHAP(
                element_id=element_id,
                start_time=round(start * 1000),
                end_time=round(end * 1000),
                sub_frames=sub,
            )
        )
    tags.save(str(path), v2_version=3)


def episode_titles() -> dict[int, str]:
    """Titles from 10-podcast.toml, so the tags never drift from the content file."""
    import tomllib

    items = tomllib.loads((MEDIA.parent / "10-podcast.toml").read_text())["podcast_episodes"]
    return {item["number"]: item["title"] for item in items}


def main() -> int:
    """Write every episode's audio, transcript and chapters; print durations and sizes."""
    titles = episode_titles()
    total = 0
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        for number, script in sorted(SCRIPTS.items()):
            pcm, cues, chapters = build_episode(script, tmp)
            write_wav(tmp / "episode.wav", pcm)
            mp3 = MEDIA / f"aflevering-{number}.mp3"
            encode(tmp / "episode.wav", mp3)
            length = len(pcm) / 2 / RATE
            tag_episode(mp3, number, titles[number], chapters, length)
            write_transcript(MEDIA / f"aflevering-{number}.vtt", cues)
            write_chapters(MEDIA / f"aflevering-{number}.chapters.json", titles[number], chapters)
            size = mp3.stat().st_size
            total += size
            print(f"aflevering-{number}.mp3  {length:6.1f} s  {size:>8} bytes")
    print(f"total audio {total} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Probing Ogg files with Vorbis or Opus audio (see :mod:`kispub.podcast.media.probe`).

mutagen reads the stream; a missing end-of-stream mark shows a cut-off file. Cover art comes
from METADATA_BLOCK_PICTURE comments, chapters from the Vorbis CHAPTERnnn comments.
"""

from __future__ import annotations

import base64
import re
import struct
from typing import Any, BinaryIO

from mutagen import MutagenError
from mutagen.flac import Picture
from mutagen.ogg import OggPage
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from kispub.core.refusals import N_, Text
from kispub.podcast.media.common import (
    MAX_CHAPTERS,
    audio_info,
    chained_chapters,
    clean_text,
    first_text,
    load_parser,
    pick_cover,
    truncated,
)
from kispub.podcast.media.formats import MSG_INVALID, AudioError, AudioInfo, Chapter, EmbeddedImage

MSG_OGG_END = N_("het einde van de Ogg-audio ontbreekt.")

OPUS_SAMPLE_RATE = 48000  # Opus always decodes at 48 kHz, whatever the input rate was
_CHAPTER_KEY = re.compile(r"chapter(\d{1,3})")  # fullmatch: "$" would let "\n" through
_CHAPTER_TIME = re.compile(r"(\d+):(\d{2}):(\d{2})(?:\.(\d{1,3}))?")


def probe_ogg(fileobj: BinaryIO, size: int, fmt: str) -> AudioInfo:
    """Ogg Vorbis or Opus, chosen by the codec header that sniffing found."""
    audio = load_parser(OggVorbis if fmt == "ogg-vorbis" else OggOpus, fileobj)
    info = audio.info
    _check_ogg_complete(fileobj, info.serial)
    tags = audio.tags or {}
    duration = float(info.length)
    return audio_info(
        fmt,
        duration=duration,
        size=size,
        bitrate=getattr(info, "bitrate", 0),
        sample_rate=getattr(info, "sample_rate", OPUS_SAMPLE_RATE),
        channels=info.channels,
        title=first_text(tags.get("title")),
        artist=first_text(tags.get("artist")),
        chapters=vorbis_chapters(tags, duration),
        image=_ogg_image(tags.get("metadata_block_picture") or []),
    )


def _check_ogg_complete(fileobj: BinaryIO, serial: int) -> None:
    """Refuse a stream whose last page lacks the end-of-stream flag: the file was cut off.

    Ogg has no header that promises a length, so how much is missing cannot be known; but
    every encoder marks the final page, and a cut file (whose length mutagen then takes from
    the last complete page) has lost that mark.
    """
    try:
        page = OggPage.find_last(fileobj, serial)
    except (MutagenError, OSError) as exc:
        raise AudioError(MSG_INVALID) from exc
    if page is None or not page.last:
        raise AudioError(truncated(Text(MSG_OGG_END)))


def _ogg_image(encoded: list[str]) -> EmbeddedImage | None:
    """Cover art from METADATA_BLOCK_PICTURE comments (base64 FLAC picture blocks)."""
    candidates: list[tuple[int, bytes]] = []
    for value in encoded[:16]:
        try:
            picture = Picture(base64.b64decode(value, validate=False))
        except (ValueError, MutagenError, struct.error, IndexError):
            continue  # a broken picture is no reason to refuse the audio
        candidates.append((int(picture.type), picture.data))
    return pick_cover(candidates)


def vorbis_chapters(tags: Any, duration: float) -> tuple[Chapter, ...]:
    """CHAPTERnnn / CHAPTERnnnNAME comments (the Vorbis chapter extension), by start time."""
    found: list[tuple[int, str]] = []
    for key, value in list(tags.items())[: MAX_CHAPTERS * 2]:
        match = _CHAPTER_KEY.fullmatch(key.lower())
        time = _CHAPTER_TIME.fullmatch(value[0]) if match and value else None
        if match and time:
            hours, minutes, seconds, millis = time.groups()
            start = ((int(hours) * 60 + int(minutes)) * 60 + int(seconds)) * 1000
            start += int((millis or "0").ljust(3, "0"))
            name = tags.get(f"{key}name") or tags.get(f"{key}NAME") or [""]
            found.append((start, clean_text(name[0]) or ""))
    found.sort()
    return chained_chapters(found, duration)

"""Probing M4A files: AAC audio in an MP4 container (see :mod:`kispub.podcast.media.probe`).

Before mutagen parses the file, the top-level boxes and the audio track's sample tables are
checked against the file size, so that a cut-off upload is refused with an explanation.
Video tracks and codecs other than AAC are refused; chapters come from Nero ``chpl``.
"""

from __future__ import annotations

import struct
from typing import Any, BinaryIO

from mutagen.id3 import PictureType
from mutagen.mp4 import MP4, Atom, AtomError, Atoms

from kispub.core.refusals import N_, Text
from kispub.podcast.media.common import (
    MAX_CHAPTERS,
    TOLERANCE,
    audio_info,
    chained_chapters,
    clean_text,
    first_text,
    load_parser,
    pick_cover,
    truncated,
    truncated_message,
)
from kispub.podcast.media.formats import MSG_INVALID, AudioError, AudioInfo, Chapter

MSG_CUT_IN_HEADER = N_("het bestand houdt op midden in de beschrijving van de audio.")
MSG_NO_INDEX = N_("de beschrijving van de audio aan het eind van het bestand ontbreekt.")
MSG_NOT_AAC = N_("Dit M4A-bestand bevat geen AAC-audio. Lever AAC-audio aan, of een MP3-bestand.")
MSG_VIDEO = N_("Dit bestand bevat video. Lever alleen audio aan: MP3, M4A of Ogg.")


def probe_m4a(fileobj: BinaryIO, size: int, fmt: str) -> AudioInfo:
    """M4A: check the box structure and sample tables against the file size, then mutagen."""
    _check_top_level_boxes(fileobj, size)
    audio = load_parser(MP4, fileobj)
    info = audio.info
    if not str(getattr(info, "codec", "")).startswith("mp4a.40"):
        raise AudioError(MSG_NOT_AAC)
    moov = _moov(fileobj)
    stsd = _check_mp4_tracks(fileobj, moov, size)
    tags = audio.tags or {}
    duration = float(info.length)
    return audio_info(
        fmt,
        duration=duration,
        size=size,
        bitrate=info.bitrate,
        sample_rate=info.sample_rate,
        channels=aac_channel_config(stsd) or info.channels,
        title=first_text(tags.get("\xa9nam")),
        artist=first_text(tags.get("\xa9ART")),
        chapters=_mp4_chapters(audio.chapters, duration),
        image=pick_cover([(PictureType.COVER_FRONT, c) for c in tags.get("covr", [])]),
    )


def _check_top_level_boxes(fileobj: BinaryIO, size: int) -> None:
    """Refuse a file whose top-level boxes run past its end, or that lost its ``moov``."""
    pos, names, overrun = 0, set(), False
    while pos + 8 <= size:
        fileobj.seek(pos)
        length, name = struct.unpack(">I4s", fileobj.read(8))
        if length == 1:
            length = struct.unpack(">Q", fileobj.read(8))[0]
        elif length == 0:
            length = size - pos  # "extends to the end of the file"
        if length < 8:
            raise AudioError(MSG_INVALID)
        names.add(name)
        if pos + length > size and name != b"mdat":
            raise AudioError(truncated(Text(MSG_CUT_IN_HEADER)))
        if pos + length > size:
            overrun = True
            if (pos + length - size) / length > TOLERANCE:
                raise AudioError(truncated_message((pos + length - size) / length, None, 0))
        pos += length
    if overrun and b"moov" not in names:  # the index is written last and was cut off
        raise AudioError(truncated(Text(MSG_NO_INDEX)))


def _moov(fileobj: BinaryIO) -> Atom:
    """The parsed ``moov`` box (mutagen already proved it exists)."""
    fileobj.seek(0)
    try:
        return Atoms(fileobj)[b"moov"]
    except (AtomError, KeyError) as exc:
        raise AudioError(MSG_INVALID) from exc


def _check_mp4_tracks(fileobj: BinaryIO, moov: Atom, size: int) -> bytes:
    """Refuse video, and audio whose sample table points past the end; return audio ``stsd``."""
    stsd = b""
    for trak in moov.findall(b"trak"):
        handler = _box_data(fileobj, trak, b"mdia", b"hdlr")[8:12]
        stbl = (b"mdia", b"minf", b"stbl")
        if handler == b"vide" and _sample_count(_box_data(fileobj, trak, *stbl, b"stsz")) > 1:
            raise AudioError(MSG_VIDEO)
        if handler != b"soun":
            continue
        offsets = _chunk_offsets(fileobj, trak, stbl)
        beyond = sum(1 for offset in offsets if offset >= size)
        if offsets and beyond / len(offsets) > TOLERANCE:
            raise AudioError(truncated_message(beyond / len(offsets), None, 0))
        stsd = stsd or _box_data(fileobj, trak, *stbl, b"stsd")
    return stsd


def aac_channel_config(stsd: bytes) -> int | None:
    """Channel count from the AAC AudioSpecificConfig in ``esds``, when it names one (1-6).

    The sample entry's own channel field is a template value that muxers such as ffmpeg set
    to 2 even for mono, and mutagen keeps it when the config leaves room for implicit
    parametric stereo; podcast players decode such files as mono, so we report what the
    config says.
    """
    at = stsd.find(b"esds")
    if at < 4:
        return None
    config = _descriptor(stsd, at + 8, 0x03)  # skip "esds" and its version/flags
    if config is None or len(config) < 3:
        return None
    flags = config[2]
    pos = 3 + (2 if flags & 0x80 else 0) + (2 if flags & 0x20 else 0)
    if flags & 0x40:
        pos += 1 + (config[pos] if pos < len(config) else 0)
    decoder = _descriptor(config, pos, 0x04)
    specific = _descriptor(decoder, 13, 0x05) if decoder else None
    return _asc_channels(specific) if specific else None


def _descriptor(data: bytes, pos: int, tag: int) -> bytes | None:
    """Payload of the MPEG-4 descriptor with ``tag`` at ``pos`` (size uses 7-bit groups)."""
    if pos >= len(data) or data[pos] != tag:
        return None
    size, pos = 0, pos + 1
    for _ in range(4):
        if pos >= len(data):
            return None
        size = size << 7 | data[pos] & 0x7F
        pos += 1
        if not data[pos - 1] & 0x80:
            break
    return data[pos : pos + size]


def _asc_channels(asc: bytes) -> int | None:
    """channelConfiguration from an AudioSpecificConfig, if it is a plain 1-6 layout."""
    bits = int.from_bytes(asc[:8].ljust(8, b"\0"), "big")
    pos = 64 - 5
    aot = bits >> pos & 0x1F
    if aot == 31:
        pos -= 6
    pos -= 4
    if bits >> pos & 0xF == 15:
        pos -= 24
    pos -= 4
    config = bits >> pos & 0xF
    return config if 1 <= config <= 6 else None


def _box_data(fileobj: BinaryIO, parent: Atom, *path: bytes) -> bytes:
    """Payload of a descendant box, or b"" when it is absent or unreadable."""
    try:
        ok, data = parent[path].read(fileobj)
    except (KeyError, AtomError):
        return b""
    return data if ok else b""


def _sample_count(stsz: bytes) -> int:
    """Number of samples in a track from its ``stsz`` box."""
    return struct.unpack(">I", stsz[8:12])[0] if len(stsz) >= 12 else 0


def _chunk_offsets(fileobj: BinaryIO, trak: Atom, stbl: tuple[bytes, ...]) -> list[int]:
    """File offsets of a track's chunks from ``stco`` or ``co64``."""
    for name, width in ((b"stco", 4), (b"co64", 8)):
        data = _box_data(fileobj, trak, *stbl, name)
        if len(data) >= 8:
            count = min(struct.unpack(">I", data[4:8])[0], (len(data) - 8) // width)
            fmt = f">{count}{'I' if width == 4 else 'Q'}"
            return list(struct.unpack(fmt, data[8 : 8 + count * width]))
    return []


def _mp4_chapters(chapters: Any, duration: float) -> tuple[Chapter, ...]:
    """Nero ``chpl`` chapters; each ends where the next begins."""
    if not chapters:
        return ()
    found = [(round(c.start * 1000), clean_text(c.title) or "") for c in chapters][:MAX_CHAPTERS]
    return chained_chapters(found, duration)

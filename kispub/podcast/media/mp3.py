"""Probing MP3 files (see :mod:`kispub.podcast.media.probe`).

mutagen reads the tags and headers; our own frame walk (:mod:`kispub.podcast.media.mp3frames`)
gives the duration and shows whether the stream is complete. Chapters come from ID3 CHAP
frames, in the order of the table of contents (CTOC) when there is one.
"""

from __future__ import annotations

from typing import Any, BinaryIO, Protocol, cast

from mutagen.id3 import ID3
from mutagen.mp3 import MP3, BitrateMode

from kispub.core.refusals import N_
from kispub.podcast.media.common import (
    MAX_CHAPTERS,
    MSG_NO_AUDIO,
    TOLERANCE,
    audio_info,
    clean_text,
    load_parser,
    pick_cover,
    truncated_message,
)
from kispub.podcast.media.formats import MSG_INVALID, AudioError, AudioInfo, Chapter, EmbeddedImage
from kispub.podcast.media.mp3frames import Mp3FrameError, StreamScan, scan_stream, skip_id3v2

MSG_JUNK = N_(
    "Dit bestand is geen geldig MP3-, M4A- of Ogg-audiobestand. "
    "Een groot deel van het bestand bestaat niet uit audio."
)


class MpegStream(Protocol):
    """The attributes mutagen's MPEGInfo documents; it copies them from a frame at run time,
    so its own type annotations do not show them."""

    length: float
    bitrate: int
    bitrate_mode: BitrateMode
    sample_rate: int
    channels: int


def probe_mp3(fileobj: BinaryIO, size: int, fmt: str) -> AudioInfo:
    """MP3: mutagen for tags and headers, our own frame walk for duration and completeness."""
    audio = load_parser(MP3, fileobj)
    try:
        scan = scan_stream(fileobj, skip_id3v2(fileobj), size)
    except Mp3FrameError as exc:
        raise AudioError(MSG_INVALID) from exc
    info = cast(MpegStream, audio.info)
    if info.sample_rate != scan.sample_rate:
        raise AudioError(MSG_INVALID)  # mutagen synced on something other than the stream
    _check_mp3_complete(scan)
    duration, bitrate = _mp3_duration(info, scan)
    tags = audio.tags
    return audio_info(
        fmt,
        duration=duration,
        size=size,
        bitrate=bitrate,
        sample_rate=scan.sample_rate,
        channels=info.channels,
        title=_id3_text(tags, "TIT2"),
        artist=_id3_text(tags, "TPE1"),
        chapters=id3_chapters(tags) if tags is not None else (),
        image=_id3_image(tags),
        audio_offset=scan.first_offset,
        audio_bytes=scan.end_offset - scan.first_offset,
    )


def _check_mp3_complete(scan: StreamScan) -> None:
    """Refuse a stream that is cut short of its Xing/VBRI promise or mostly not audio."""
    if scan.frames == 0:
        raise AudioError(MSG_NO_AUDIO)
    vbr = scan.vbr_header
    if vbr is not None and vbr.frames:
        missing = 1 - scan.frames / vbr.frames
        if missing > TOLERANCE:
            promised = vbr.frames * (scan.samples / scan.frames) / scan.sample_rate
            raise AudioError(truncated_message(missing, promised, scan.duration))
    if vbr is not None and vbr.bytes:
        present = scan.end_offset - scan.first_offset
        missing = 1 - present / vbr.bytes
        if missing > TOLERANCE:
            raise AudioError(truncated_message(missing, None, scan.duration))
    junk = scan.garbage_bytes / (scan.garbage_bytes + scan.audio_bytes)
    if junk > TOLERANCE:
        raise AudioError(MSG_JUNK)


def _mp3_duration(info: MpegStream, scan: StreamScan) -> tuple[float, int]:
    """Duration and bitrate: mutagen's when a VBR header vouches for them, else the frame count."""
    vbr = scan.vbr_header
    trusted = (
        info.bitrate_mode != BitrateMode.UNKNOWN
        and vbr is not None
        and vbr.frames is not None
        and abs(vbr.frames - scan.frames) <= max(2, vbr.frames // 100)
        and info.length > 0
    )
    if trusted:
        return info.length, info.bitrate
    # Without a trustworthy header mutagen extrapolates from one frame; count them instead.
    return scan.duration, 0


def _id3_text(tags: ID3 | None, key: str) -> str | None:
    """The first text of an ID3 text frame, cleaned."""
    if tags is None:
        return None
    frames = tags.getall(key)
    if not frames or not getattr(frames[0], "text", None):
        return None
    return clean_text(frames[0].text[0])


def _id3_image(tags: ID3 | None) -> EmbeddedImage | None:
    """The cover from the APIC frames (front cover preferred)."""
    if tags is None:
        return None
    return pick_cover([(int(frame.type), frame.data) for frame in tags.getall("APIC")])


def id3_chapters(tags: ID3) -> tuple[Chapter, ...]:
    """CHAP frames as Chapters, in table-of-contents order when a CTOC exists, else by time."""
    chaps = {frame.element_id: frame for frame in tags.getall("CHAP")}
    order = _ctoc_order(tags, chaps)
    chapters: list[Chapter] = []
    for element_id in order[:MAX_CHAPTERS]:
        chap = chaps[element_id]
        if chap.start_time == 0xFFFFFFFF:
            continue
        end = chap.end_time if chap.start_time < chap.end_time < 0xFFFFFFFF else None
        title = _id3_text(chap.sub_frames, "TIT2") or ""
        chapters.append(Chapter(start_ms=chap.start_time, end_ms=end, title=title))
    return tuple(chapters)


def _ctoc_order(tags: ID3, chaps: dict[str, Any]) -> list[str]:
    """CHAP element ids, following the top-level CTOC (and nested ones) when present."""
    ctocs = {frame.element_id: frame for frame in tags.getall("CTOC")}
    by_time = sorted(chaps, key=lambda eid: chaps[eid].start_time)
    roots = [c for c in ctocs.values() if c.flags & 0x02] or list(ctocs.values())[:1]
    if not roots:
        return by_time
    order: list[str] = []
    stack, seen = [roots[0].element_id], set()
    while stack:  # depth-first, preserving child order; ``seen`` guards against cycles
        eid = stack.pop()
        if eid in seen:
            continue
        seen.add(eid)
        if eid in chaps:
            order.append(eid)
        elif eid in ctocs:
            stack.extend(reversed(ctocs[eid].child_element_ids))
    # Chapters the table of contents forgot still exist: keep them, after the listed ones.
    return order + [eid for eid in by_time if eid not in seen]

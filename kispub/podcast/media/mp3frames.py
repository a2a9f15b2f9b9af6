"""MPEG audio (Layer III) frame walking: true duration and completeness of an MP3 stream.

mutagen guesses the length of an MP3 without a Xing/VBRI header from the first frame's
bitrate, which can be off by more than half for VBR files. Walking every frame header is
the only reliable way to learn the duration, and it also tells how much of the file is
really audio. The walk streams the file in chunks, so memory stays constant.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import BinaryIO

CHUNK_SIZE = 1 << 20
# How far past the ID3v2 tag the first frame may start (some taggers leave padding).
FIRST_FRAME_WINDOW = 64 * 1024
# A candidate first frame must be followed by this many valid frames to count as audio.
CHAIN_LENGTH = 3
MAX_FRAME_LENGTH = 2881  # MPEG-1 Layer III, 320 kbit/s at 32 kHz with padding

_BITRATES_V1 = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_BITRATES_V2 = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


class Mp3FrameError(ValueError):
    """No MPEG Layer III frame stream could be found."""


@dataclass(frozen=True)
class FrameHeader:
    """The fields of one Layer III frame header that matter for walking the stream."""

    length: int
    samples: int
    sample_rate: int
    bitrate: int
    mpeg1: bool
    stream_key: int  # version + sample rate bits: constant within one stream


@dataclass(frozen=True)
class VbrHeader:
    """A Xing/Info or VBRI header in the first frame: what the encoder promises."""

    kind: str  # "Xing", "Info" or "VBRI"
    frames: int | None
    bytes: int | None


@dataclass(frozen=True)
class StreamScan:
    """The result of walking all frames of an MP3 stream."""

    first_offset: int
    end_offset: int
    frames: int
    samples: int
    sample_rate: int
    channels: int
    audio_bytes: int
    garbage_bytes: int
    missing_bytes: int
    vbr_header: VbrHeader | None

    @property
    def duration(self) -> float:
        """Seconds of audio in the frames actually present."""
        return self.samples / self.sample_rate if self.sample_rate else 0.0


def _build_table() -> dict[int, FrameHeader]:
    """Map the first three header bytes to a frame description (Layer III only)."""
    table: dict[int, FrameHeader] = {}
    for version in (3, 2, 0):  # MPEG-1, MPEG-2, MPEG-2.5; 1 is reserved
        mpeg1 = version == 3
        bitrates = _BITRATES_V1 if mpeg1 else _BITRATES_V2
        samples = 1152 if mpeg1 else 576
        for index in range(1, 15):
            for rate_index, rate in enumerate(_SAMPLE_RATES[version]):
                for low_bits in range(8):  # protection, padding, private
                    padding = (low_bits >> 2) & 1
                    bitrate = bitrates[index] * 1000
                    length = samples // 8 * bitrate // rate + padding
                    word = (0x7FF << 13) | (version << 11) | (1 << 9)  # layer III
                    word |= (low_bits & 1) << 8 | index << 4 | rate_index << 2 | low_bits >> 1
                    key = (version << 2) | rate_index
                    table[word] = FrameHeader(length, samples, rate, bitrate, mpeg1, key)
    return table


_TABLE = _build_table()


def parse_header(data: bytes, pos: int = 0) -> FrameHeader | None:
    """Describe the Layer III frame header at ``data[pos:]``, or None if there is none."""
    if len(data) < pos + 4:
        return None
    return _TABLE.get(data[pos] << 16 | data[pos + 1] << 8 | data[pos + 2])


def channels_of(data: bytes, pos: int = 0) -> int:
    """Number of channels from the channel-mode bits of the header at ``pos``."""
    return 1 if data[pos + 3] >> 6 == 3 else 2


def id3v2_size(data: bytes, pos: int = 0) -> int | None:
    """Total size of a valid ID3v2 tag starting at ``pos``, or None."""
    head = data[pos : pos + 10]
    if len(head) < 10 or head[:3] != b"ID3" or head[3] not in (2, 3, 4) or head[4] == 0xFF:
        return None
    if any(b & 0x80 for b in head[6:10]):
        return None
    size = head[6] << 21 | head[7] << 14 | head[8] << 7 | head[9]
    footer = 10 if head[3] == 4 and head[5] & 0x10 else 0
    return 10 + size + footer


def skip_id3v2(fileobj: BinaryIO) -> int:
    """Offset just after the ID3v2 tag(s) at the start of the file (some writers stack them)."""
    offset = 0
    while True:
        fileobj.seek(offset)
        size = id3v2_size(fileobj.read(10))
        if size is None:
            return offset
        offset += size


def parse_vbr_header(frame: bytes, header: FrameHeader) -> VbrHeader | None:
    """Read a Xing/Info or VBRI header from the first frame's bytes, if there is one."""
    mono = channels_of(frame) == 1
    side_info = (17 if mono else 32) if header.mpeg1 else (9 if mono else 17)
    xing = 4 + side_info
    tag = frame[xing : xing + 4]
    if tag in (b"Xing", b"Info") and len(frame) >= xing + 8:
        flags = struct.unpack(">I", frame[xing + 4 : xing + 8])[0]
        values, pos = [], xing + 8
        for bit in (1, 2):
            if flags & bit and len(frame) >= pos + 4:
                values.append(struct.unpack(">I", frame[pos : pos + 4])[0])
                pos += 4
            else:
                values.append(None)
        return VbrHeader(tag.decode("ascii"), values[0], values[1])
    if frame[36:40] == b"VBRI" and len(frame) >= 54:
        size, frames = struct.unpack(">II", frame[46:54])
        return VbrHeader("VBRI", frames, size)
    return None


class _Window:
    """A sliding read buffer over the file: constant memory, few system calls."""

    def __init__(self, fileobj: BinaryIO, end: int) -> None:
        self.fileobj = fileobj
        self.end = end
        self.start = 0
        self.data = b""

    def ensure(self, pos: int, size: int) -> bool:
        """Make ``[pos, pos + size)`` available in ``data``; False if it runs past the end."""
        if pos + size > self.end:
            return False
        if pos < self.start or pos + size > self.start + len(self.data):
            self.fileobj.seek(pos)
            self.data = self.fileobj.read(min(max(CHUNK_SIZE, size), self.end - pos))
            self.start = pos
        return pos + size <= self.start + len(self.data)

    def header(self, pos: int) -> FrameHeader | None:
        """The frame header at absolute offset ``pos``, if valid."""
        if not self.ensure(pos, 4):
            return None
        return parse_header(self.data, pos - self.start)

    def startswith(self, pos: int, marker: bytes) -> bool:
        """Whether the bytes at ``pos`` begin with ``marker``."""
        if not self.ensure(pos, len(marker)):
            return False
        rel = pos - self.start
        return self.data[rel : rel + len(marker)] == marker


def _chain_ok(win: _Window, pos: int, key: int | None, count: int) -> bool:
    """Whether ``count`` consistent frames follow each other from ``pos`` (or reach the end)."""
    for _ in range(count):
        header = win.header(pos)
        if header is None or (key is not None and header.stream_key != key):
            return False
        key = header.stream_key
        pos += header.length
        if pos >= win.end:
            return True
    return True


def find_first_frame(win: _Window, start: int) -> int:
    """Offset of the first frame at or shortly after ``start`` that begins a frame chain."""
    limit = min(start + FIRST_FRAME_WINDOW, win.end)
    pos = start
    while pos < limit:
        if not win.ensure(pos, 1):
            break
        rel = win.data.find(b"\xff", pos - win.start, limit - win.start)
        if rel < 0:
            pos = win.start + len(win.data)
            continue
        pos = win.start + rel
        if _chain_ok(win, pos, None, CHAIN_LENGTH):
            return pos
        pos += 1
    raise Mp3FrameError("no MPEG Layer III frames found")


def _trailer_length(win: _Window, pos: int) -> int | None:
    """Length of a tag at ``pos`` that may sit between or after frames, or None."""
    if win.startswith(pos, b"TAG") and win.end - pos == 128:
        return 128
    if win.startswith(pos, b"APETAGEX") or win.startswith(pos, b"LYRICSBEGIN"):
        return win.end - pos  # these tags only occur at the end: the rest is not audio
    if win.ensure(pos, 10):
        return id3v2_size(win.data, pos - win.start)
    return None


def _resync(win: _Window, pos: int, key: int) -> int:
    """Offset of the next consistent frame pair after garbage at ``pos`` (or the end)."""
    pos += 1
    while pos < win.end:
        if not win.ensure(pos, 1):
            return win.end
        rel = win.data.find(b"\xff", pos - win.start)
        if rel < 0:
            pos = win.start + len(win.data)
            continue
        pos = win.start + rel
        if _chain_ok(win, pos, key, 2):
            return pos
        pos += 1
    return win.end


@dataclass
class _Tally:
    frames: int = 0
    samples: int = 0
    audio_bytes: int = 0
    garbage: int = 0
    missing: int = 0
    end: int = 0


def _walk(win: _Window, pos: int, first: FrameHeader, tally: _Tally) -> None:
    """Step over every frame from ``pos``, accounting frames, tags and garbage."""
    key = first.stream_key
    while pos < win.end:
        header = win.header(pos)
        if header is not None and header.stream_key == key:
            if pos + header.length > win.end:
                tally.missing = pos + header.length - win.end
                break
            tally.frames += 1
            tally.samples += header.samples
            tally.audio_bytes += header.length
            pos += header.length
            tally.end = pos
            continue
        trailer = _trailer_length(win, pos)
        if trailer is not None:
            pos += trailer
            continue
        nxt = _resync(win, pos, key)
        tally.garbage += nxt - pos
        pos = nxt


def scan_stream(fileobj: BinaryIO, start: int, end: int) -> StreamScan:
    """Walk the MP3 frames between ``start`` (after ID3v2) and ``end`` (the file size)."""
    win = _Window(fileobj, end)
    first_offset = find_first_frame(win, start)
    first = win.header(first_offset)
    assert first is not None  # find_first_frame only returns valid frame starts
    win.ensure(first_offset, min(first.length, end - first_offset))
    rel = first_offset - win.start
    frame = win.data[rel : rel + first.length]
    vbr = parse_vbr_header(frame, first)
    tally = _Tally(end=first_offset)
    _walk(win, first_offset, first, tally)
    if vbr is not None and tally.frames:
        # The header frame holds no audio; encoders do not count it either.
        tally.frames -= 1
        tally.samples -= first.samples
    return StreamScan(
        first_offset=first_offset,
        end_offset=tally.end,
        frames=tally.frames,
        samples=tally.samples,
        sample_rate=first.sample_rate,
        channels=channels_of(frame),
        audio_bytes=tally.audio_bytes,
        garbage_bytes=tally.garbage,
        missing_bytes=tally.missing,
        vbr_header=vbr,
    )

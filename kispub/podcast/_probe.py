"""The parsing that runs inside the probe child process (see :mod:`kispub.podcast.audio`).

It holds both halves of the probe server: :func:`serve`, the loop of the small helper
interpreter that forks one child per request, and :func:`probe_file`, what such a child runs.
Everything here may be slow or fail on hostile input; the time limit is enforced twice (the
parent stops waiting, the child's own timer kills it) and any failure reaches the caller as
an :class:`~kispub.podcast.audio.AudioError`. The module imports everything a probe needs up
front, so that each forked child starts warm.
"""

from __future__ import annotations

import base64
import gc
import math
import os
import pickle
import re
import resource
import signal
import socket
import struct
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, BinaryIO

from mutagen import MutagenError
from mutagen.flac import Picture
from mutagen.id3 import ID3, PictureType
from mutagen.mp3 import MP3, BitrateMode, MPEGInfo
from mutagen.mp4 import MP4, Atom, AtomError, Atoms
from mutagen.ogg import OggPage
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from kispub.podcast.audio import (
    FORMATS,
    MSG_EMPTY,
    MSG_INVALID,
    MSG_TOO_COMPLEX,
    MSG_UNREADABLE,
    SNIFF_BYTES,
    AudioError,
    AudioInfo,
    Chapter,
    EmbeddedImage,
    sniff_format,
)
from kispub.podcast.mp3frames import Mp3FrameError, StreamScan, scan_stream, skip_id3v2

# More than this share of the promised audio missing (or of the file being junk) is refused.
TOLERANCE = 0.10
# Outside these average bitrates the stated duration cannot be true for any accepted codec.
MIN_PLAUSIBLE_BITRATE = 1000
MAX_PLAUSIBLE_BITRATE = 4_000_000
MIN_SAMPLE_RATE, MAX_SAMPLE_RATE = 8000, 192_000
MAX_IMAGE_BYTES = 16 << 20
MAX_CHAPTERS = 1000
OPUS_SAMPLE_RATE = 48000  # Opus always decodes at 48 kHz, whatever the input rate was
# A child may use this much address space; a file that needs more is refused, not swapped.
CHILD_MEMORY_LIMIT = 1 << 30
# The child kills itself this long after the parent has given up waiting for it.
CHILD_GRACE_SECONDS = 1.0
MAX_REQUEST_BYTES = 1 << 16

MSG_TRUNCATED = "Het audiobestand lijkt afgekapt: {detail} Upload het volledige bestand opnieuw."
MSG_CUT_IN_HEADER = "het bestand houdt op midden in de beschrijving van de audio."
MSG_NO_INDEX = "de beschrijving van de audio aan het eind van het bestand ontbreekt."
MSG_JUNK = MSG_INVALID + " Een groot deel van het bestand bestaat niet uit audio."
MSG_NO_AUDIO = "Het audiobestand bevat geen audio (de duur is 0 seconden)."
MSG_BAD_DURATION = MSG_INVALID + " De opgegeven duur past niet bij de grootte van het bestand."
MSG_NOT_AAC = "Dit M4A-bestand bevat geen AAC-audio. Lever AAC-audio aan, of een MP3-bestand."
MSG_VIDEO = "Dit bestand bevat video. Lever alleen audio aan: MP3, M4A of Ogg."
MSG_OGG_CODEC = "Dit Ogg-bestand bevat geen Vorbis- of Opus-audio."

# Well-known other formats, to tell the uploader what they actually sent.
_OTHER_FORMATS: tuple[tuple[bytes, int, str], ...] = (
    (b"WAVE", 8, "een WAV-bestand"),
    (b"fLaC", 0, "een FLAC-bestand"),
    (b"\x89PNG", 0, "een PNG-afbeelding"),
    (b"\xff\xd8\xff", 0, "een JPEG-afbeelding"),
    (b"GIF8", 0, "een GIF-afbeelding"),
    (b"%PDF", 0, "een PDF-document"),
    (b"PK\x03\x04", 0, "een ZIP-bestand (of Office-document)"),
    (b"\x1aE\xdf\xa3", 0, "een Matroska- of WebM-bestand"),
    (b"FORM", 0, "een AIFF-bestand"),
)


# --- the probe server and its children ---------------------------------------------------


def serve(control_fd: int) -> None:
    """Main loop of the probe server: fork one child per request until the parent goes away."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps children: no zombies
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent, which stops us
    gc.freeze()  # keep the warm heap shared with the children instead of copied on write
    control = socket.socket(fileno=control_fd)
    while True:
        message, fds, _flags, _addr = socket.recv_fds(control, MAX_REQUEST_BYTES, 4)
        if not message and not fds:
            os._exit(0)  # the parent closed its end (or exited)
        if len(fds) != 1:
            for fd in fds:
                os.close(fd)
            continue
        try:
            pid = os.fork()
        except OSError:
            pid = -1  # out of processes or memory: closing the socket tells the caller
        if pid == 0:
            control.close()
            _child(fds[0], message)  # never returns
        os.close(fds[0])


def _child(fd: int, message: bytes) -> None:
    """Body of a forked child: limit itself, run the request, answer, and exit."""
    code = 0
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        target, args, timeout = pickle.loads(message)  # noqa: S301 - sent by our own parent
        _limit_self(timeout)
        answer = _run(target, args)
        with Connection(fd, readable=False) as writer:
            writer.send(answer)
    except BaseException:
        code = 1
    finally:
        os._exit(code)  # skip the server's atexit handlers and buffered files


def _limit_self(timeout: float) -> None:
    """Bound the child's lifetime and memory, and keep crashes from writing core files."""
    # SIGALRM's default action ends the process, even inside a blocking open() or C code.
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.setitimer(signal.ITIMER_REAL, timeout + CHILD_GRACE_SECONDS)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    cpu = math.ceil(timeout + CHILD_GRACE_SECONDS) + 1
    _lower_limit(resource.RLIMIT_CPU, cpu)
    _lower_limit(resource.RLIMIT_AS, CHILD_MEMORY_LIMIT)


def _lower_limit(which: int, value: int) -> None:
    """Lower a soft resource limit to ``value`` unless it is already lower."""
    soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    if soft == resource.RLIM_INFINITY or soft > value:
        resource.setrlimit(which, (value, hard))


def _run(target: Callable[..., Any], args: tuple[Any, ...]) -> tuple[str, Any, str]:
    """Run the target; report ("ok", result, "") or ("error", Dutch message, detail)."""
    try:
        return ("ok", target(*args), "")
    except AudioError as exc:
        return ("error", str(exc), "")
    except MemoryError:
        return ("error", MSG_TOO_COMPLEX, "MemoryError")
    except Exception as exc:  # any parser failure on untrusted input is a refusal
        return ("error", MSG_INVALID, f"{type(exc).__name__}: {exc}"[:500])


# --- probing ---------------------------------------------------------------------------


def probe_file(path: str) -> AudioInfo:
    """Open, recognise and describe one audio file; raise AudioError if it is not acceptable."""
    try:
        fileobj = open(path, "rb")  # noqa: SIM115 - closed below; open() itself may fail
    except OSError as exc:
        raise AudioError(MSG_UNREADABLE) from exc
    with fileobj:
        size = os.fstat(fileobj.fileno()).st_size
        if size == 0:
            raise AudioError(MSG_EMPTY)
        head = fileobj.read(SNIFF_BYTES)
        fmt = sniff_format(head)
        if fmt is None:
            raise AudioError(refusal_message(head))
        return _PROBERS[fmt](fileobj, size, fmt)


def refusal_message(head: bytes) -> str:
    """The Dutch refusal for an unrecognised file, naming its real type when we know it."""
    if head.startswith(b"OggS"):
        return MSG_OGG_CODEC
    for magic, offset, name in _OTHER_FORMATS:
        if head[offset : offset + len(magic)] == magic:
            return f"{MSG_INVALID} Het lijkt {name} te zijn."
    return MSG_INVALID


def _load(cls: Callable[[BinaryIO], Any], fileobj: BinaryIO) -> Any:
    """Run one mutagen parser; its own errors become the generic refusal."""
    fileobj.seek(0)
    try:
        return cls(fileobj)
    except (MutagenError, AtomError) as exc:
        raise AudioError(MSG_INVALID) from exc


def _info(fmt: str, *, duration: float, size: int, **fields: Any) -> AudioInfo:
    """Build an AudioInfo after the sanity checks every format shares."""
    offset = fields.pop("audio_offset", 0)
    audio_bytes = fields.pop("audio_bytes", None)
    if audio_bytes is None:  # the whole file, less embedded art (base64 in Vorbis comments)
        image = fields.get("image")
        art = len(image.data) * (4 / 3 if fmt.startswith("ogg") else 1) if image else 0
        audio_bytes = max(size - offset - art, 1)
    _check_plausible(duration, audio_bytes, fields["sample_rate"], fields["channels"])
    bytes_per_second = audio_bytes / duration
    bitrate = fields.pop("bitrate", 0) or round(bytes_per_second * 8)
    mime_type, extension = FORMATS[fmt]
    return AudioInfo(
        format=fmt,
        mime_type=mime_type,
        extension=extension,
        duration_ms=round(duration * 1000),
        bitrate=int(bitrate),
        audio_offset=offset,
        bytes_per_second=bytes_per_second,
        **fields,
    )


def _check_plausible(duration: float, audio_bytes: float, sample_rate: int, channels: int) -> None:
    """Refuse numbers no real podcast file has: they come from damaged headers."""
    if not duration or round(duration * 1000) <= 0:
        raise AudioError(MSG_NO_AUDIO)
    if not MIN_SAMPLE_RATE <= sample_rate <= MAX_SAMPLE_RATE or not 1 <= channels <= 8:
        raise AudioError(MSG_INVALID)
    if not MIN_PLAUSIBLE_BITRATE <= audio_bytes * 8 / duration <= MAX_PLAUSIBLE_BITRATE:
        raise AudioError(MSG_BAD_DURATION)


def _clean(value: Any) -> str | None:
    """A tag value as stripped text, or None when empty."""
    if value is None:
        return None
    text = str(value).replace("\x00", "").strip()
    return text or None


def image_mime(data: bytes) -> str | None:
    """The image type from its magic bytes (never from a tag's claim)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"GIF8"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _image(data: bytes | None) -> EmbeddedImage | None:
    """Wrap embedded picture bytes if they are a recognisable, reasonably sized image."""
    if not data or len(data) > MAX_IMAGE_BYTES:
        return None
    mime = image_mime(bytes(data[:16]))
    return EmbeddedImage(bytes(data), mime) if mime else None


def _pick_cover(candidates: list[tuple[int, bytes]]) -> EmbeddedImage | None:
    """The front cover if there is one, else the first usable picture."""
    ordered = sorted(candidates, key=lambda item: item[0] != PictureType.COVER_FRONT)
    for _, data in ordered:
        image = _image(data)
        if image is not None:
            return image
    return None


# --- MP3 -------------------------------------------------------------------------------


def _probe_mp3(fileobj: BinaryIO, size: int, fmt: str) -> AudioInfo:
    """MP3: mutagen for tags and headers, our own frame walk for duration and completeness."""
    audio = _load(MP3, fileobj)
    try:
        scan = scan_stream(fileobj, skip_id3v2(fileobj), size)
    except Mp3FrameError as exc:
        raise AudioError(MSG_INVALID) from exc
    info: MPEGInfo = audio.info
    if info.sample_rate != scan.sample_rate:
        raise AudioError(MSG_INVALID)  # mutagen synced on something other than the stream
    _check_mp3_complete(scan)
    duration, bitrate = _mp3_duration(info, scan)
    tags = audio.tags
    return _info(
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
            raise AudioError(_truncated(missing, promised, scan.duration))
    if vbr is not None and vbr.bytes:
        present = scan.end_offset - scan.first_offset
        missing = 1 - present / vbr.bytes
        if missing > TOLERANCE:
            raise AudioError(_truncated(missing, None, scan.duration))
    junk = scan.garbage_bytes / (scan.garbage_bytes + scan.audio_bytes)
    if junk > TOLERANCE:
        raise AudioError(MSG_JUNK)


def _truncated(missing: float, promised: float | None, present: float) -> str:
    """Dutch explanation of how much audio is missing."""
    detail = f"ongeveer {round(missing * 100)}% van de audio ontbreekt"
    if promised:
        detail += f" (volgens de kop {_clock(promised)}, aanwezig {_clock(present)})"
    return MSG_TRUNCATED.format(detail=detail + ".")


def _clock(seconds: float) -> str:
    """Seconds as m:ss for messages."""
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _mp3_duration(info: MPEGInfo, scan: StreamScan) -> tuple[float, int]:
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
    return _clean(frames[0].text[0])


def _id3_image(tags: ID3 | None) -> EmbeddedImage | None:
    """The cover from the APIC frames (front cover preferred)."""
    if tags is None:
        return None
    return _pick_cover([(int(frame.type), frame.data) for frame in tags.getall("APIC")])


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


# --- M4A -------------------------------------------------------------------------------


def _probe_m4a(fileobj: BinaryIO, size: int, fmt: str) -> AudioInfo:
    """M4A: check the box structure and sample tables against the file size, then mutagen."""
    _check_top_level_boxes(fileobj, size)
    audio = _load(MP4, fileobj)
    info = audio.info
    if not str(getattr(info, "codec", "")).startswith("mp4a.40"):
        raise AudioError(MSG_NOT_AAC)
    moov = _moov(fileobj)
    stsd = _check_mp4_tracks(fileobj, moov, size)
    tags = audio.tags or {}
    duration = float(info.length)
    return _info(
        fmt,
        duration=duration,
        size=size,
        bitrate=info.bitrate,
        sample_rate=info.sample_rate,
        channels=aac_channel_config(stsd) or info.channels,
        title=_first(tags.get("\xa9nam")),
        artist=_first(tags.get("\xa9ART")),
        chapters=_mp4_chapters(audio.chapters, duration),
        image=_pick_cover([(PictureType.COVER_FRONT, c) for c in tags.get("covr", [])]),
    )


def _first(values: Any) -> str | None:
    """The first value of a tag list, cleaned."""
    if not values:
        return None
    return _clean(values[0])


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
            raise AudioError(MSG_TRUNCATED.format(detail=MSG_CUT_IN_HEADER))
        if pos + length > size:
            overrun = True
            if (pos + length - size) / length > TOLERANCE:
                raise AudioError(_truncated((pos + length - size) / length, None, 0))
        pos += length
    if overrun and b"moov" not in names:  # the index is written last and was cut off
        raise AudioError(MSG_TRUNCATED.format(detail=MSG_NO_INDEX))


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
            raise AudioError(_truncated(beyond / len(offsets), None, 0))
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
    found = [(round(c.start * 1000), _clean(c.title) or "") for c in chapters][:MAX_CHAPTERS]
    return _chained(found, duration)


# --- Ogg -------------------------------------------------------------------------------

_CHAPTER_KEY = re.compile(r"^chapter(\d{1,3})$")
_CHAPTER_TIME = re.compile(r"^(\d+):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$")


def _probe_ogg(fileobj: BinaryIO, size: int, fmt: str) -> AudioInfo:
    """Ogg Vorbis or Opus, chosen by the codec header that sniffing found."""
    audio = _load(OggVorbis if fmt == "ogg-vorbis" else OggOpus, fileobj)
    info = audio.info
    _check_ogg_complete(fileobj, info.serial)
    tags = audio.tags or {}
    duration = float(info.length)
    return _info(
        fmt,
        duration=duration,
        size=size,
        bitrate=getattr(info, "bitrate", 0),
        sample_rate=getattr(info, "sample_rate", OPUS_SAMPLE_RATE),
        channels=info.channels,
        title=_first(tags.get("title")),
        artist=_first(tags.get("artist")),
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
        raise AudioError(MSG_TRUNCATED.format(detail="het einde van de Ogg-audio ontbreekt."))


def _ogg_image(encoded: list[str]) -> EmbeddedImage | None:
    """Cover art from METADATA_BLOCK_PICTURE comments (base64 FLAC picture blocks)."""
    candidates: list[tuple[int, bytes]] = []
    for value in encoded[:16]:
        try:
            picture = Picture(base64.b64decode(value, validate=False))
        except (ValueError, MutagenError, struct.error, IndexError):
            continue  # a broken picture is no reason to refuse the audio
        candidates.append((int(picture.type), picture.data))
    return _pick_cover(candidates)


def vorbis_chapters(tags: Any, duration: float) -> tuple[Chapter, ...]:
    """CHAPTERnnn / CHAPTERnnnNAME comments (the Vorbis chapter extension), by start time."""
    found: list[tuple[int, str]] = []
    for key, value in list(tags.items())[: MAX_CHAPTERS * 2]:
        match = _CHAPTER_KEY.match(key.lower())
        time = _CHAPTER_TIME.match(value[0]) if match and value else None
        if match and time:
            hours, minutes, seconds, millis = time.groups()
            start = ((int(hours) * 60 + int(minutes)) * 60 + int(seconds)) * 1000
            start += int((millis or "0").ljust(3, "0"))
            name = tags.get(f"{key}name") or tags.get(f"{key}NAME") or [""]
            found.append((start, _clean(name[0]) or ""))
    found.sort()
    return _chained(found, duration)


def _chained(found: list[tuple[int, str]], duration: float) -> tuple[Chapter, ...]:
    """Chapters from (start, title) pairs, each ending where the next one starts."""
    if not found:
        return ()
    ends = [start for start, _ in found[1:]] + [round(duration * 1000)]
    return tuple(
        Chapter(start_ms=start, end_ms=end if end > start else None, title=title)
        for (start, title), end in zip(found, ends, strict=True)
    )


_PROBERS: dict[str, Callable[[BinaryIO, int, str], AudioInfo]] = {
    "mp3": _probe_mp3,
    "m4a": _probe_m4a,
    "ogg-vorbis": _probe_ogg,
    "ogg-opus": _probe_ogg,
}

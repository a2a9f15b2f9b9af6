"""What the per-format probes share (see :mod:`kispub.podcast.media.probe`).

Limits, the messages more than one format uses, loading a mutagen parser, the sanity checks
every format passes before it becomes an :class:`~kispub.podcast.media.formats.AudioInfo`, tag
cleaning, cover-art choice and chapter chaining. It imports no format module, so every format
module (and :mod:`kispub.podcast.media.probe`, which dispatches to them) can import it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, BinaryIO

from mutagen import MutagenError
from mutagen.id3 import PictureType
from mutagen.mp4 import AtomError

from kispub.core.durations import clock, probed_ms
from kispub.core.refusals import N_, Text
from kispub.core.text import clean_line
from kispub.podcast.media.formats import (
    FORMATS,
    MSG_INVALID,
    AudioError,
    AudioInfo,
    Chapter,
    EmbeddedImage,
    image_mime,
)

# More than this share of the promised audio missing (or of the file being junk) is refused.
TOLERANCE = 0.10
# Outside these average bitrates the stated duration cannot be true for any accepted codec.
MIN_PLAUSIBLE_BITRATE = 1000
MAX_PLAUSIBLE_BITRATE = 4_000_000
MIN_SAMPLE_RATE, MAX_SAMPLE_RATE = 8000, 192_000
MAX_IMAGE_BYTES = 16 << 20
MAX_CHAPTERS = 1000

MSG_TRUNCATED = N_(
    "Het audiobestand lijkt afgekapt: %(detail)s Upload het volledige bestand opnieuw."
)
MSG_MISSING = N_("ongeveer %(percent)s%% van de audio ontbreekt.")
MSG_MISSING_OF = N_(
    "ongeveer %(percent)s%% van de audio ontbreekt "
    "(volgens de kop %(promised)s, aanwezig %(present)s)."
)
MSG_NO_AUDIO = N_("Het audiobestand bevat geen audio (de duur is 0 seconden).")
MSG_BAD_DURATION = N_(
    "Dit bestand is geen geldig MP3-, M4A- of Ogg-audiobestand. "
    "De opgegeven duur past niet bij de grootte van het bestand."
)


def load_parser(cls: Callable[[BinaryIO], Any], fileobj: BinaryIO) -> Any:
    """Run one mutagen parser; its own errors become the generic refusal."""
    fileobj.seek(0)
    try:
        return cls(fileobj)
    except (MutagenError, AtomError) as exc:
        raise AudioError(MSG_INVALID) from exc


def audio_info(fmt: str, *, duration: float, size: int, **fields: Any) -> AudioInfo:
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
        duration_ms=probed_ms(duration),
        bitrate=int(bitrate),
        audio_offset=offset,
        bytes_per_second=bytes_per_second,
        **fields,
    )


def _check_plausible(duration: float, audio_bytes: float, sample_rate: int, channels: int) -> None:
    """Refuse numbers no real podcast file has: they come from damaged headers."""
    if not duration or probed_ms(duration) <= 0:
        raise AudioError(MSG_NO_AUDIO)
    if not MIN_SAMPLE_RATE <= sample_rate <= MAX_SAMPLE_RATE or not 1 <= channels <= 8:
        raise AudioError(MSG_INVALID)
    if not MIN_PLAUSIBLE_BITRATE <= audio_bytes * 8 / duration <= MAX_PLAUSIBLE_BITRATE:
        raise AudioError(MSG_BAD_DURATION)


def clean_text(value: Any) -> str | None:
    """A tag value (a title, an artist, a chapter) as one safe line, or None when empty.

    Tags are whatever the tool that wrote the file put there: control characters that would
    break the feed's XML, line breaks that do not belong in a title (see ``core.text``).
    """
    if value is None:
        return None
    return clean_line(str(value)) or None


def embedded_image(data: bytes | None) -> EmbeddedImage | None:
    """Wrap embedded picture bytes if they are a recognisable, reasonably sized image."""
    if not data or len(data) > MAX_IMAGE_BYTES:
        return None
    mime = image_mime(bytes(data[:16]))
    return EmbeddedImage(bytes(data), mime) if mime else None


def pick_cover(candidates: list[tuple[int, bytes]]) -> EmbeddedImage | None:
    """The front cover if there is one, else the first usable picture."""
    ordered = sorted(candidates, key=lambda item: item[0] != PictureType.COVER_FRONT)
    for _, data in ordered:
        image = embedded_image(data)
        if image is not None:
            return image
    return None


def truncated_message(missing: float, promised: float | None, present: float) -> Text:
    """The explanation of how much audio is missing."""
    percent = round(missing * 100)
    if promised:
        times = {"promised": _clock(promised), "present": _clock(present)}
        return truncated(Text(MSG_MISSING_OF, {"percent": percent, **times}))
    return truncated(Text(MSG_MISSING, {"percent": percent}))


def truncated(detail: Text) -> Text:
    """The refusal of a file cut short, with what is missing."""
    return Text(MSG_TRUNCATED, {"detail": detail})


def _clock(seconds: float) -> str:
    """Seconds as the player would show them, for messages."""
    return clock(probed_ms(seconds))


def first_text(values: Any) -> str | None:
    """The first value of a tag list, cleaned."""
    if not values:
        return None
    return clean_text(values[0])


def chained_chapters(found: list[tuple[int, str]], duration: float) -> tuple[Chapter, ...]:
    """Chapters from (start, title) pairs, each ending where the next one starts."""
    if not found:
        return ()
    ends = [start for start, _ in found[1:]] + [probed_ms(duration)]
    return tuple(
        Chapter(start_ms=start, end_ms=end if end > start else None, title=title)
        for (start, title), end in zip(found, ends, strict=True)
    )

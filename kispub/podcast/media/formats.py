"""What an accepted podcast audio file is: the formats, the description, the refusals.

Only MP3, M4A (AAC in an MP4 container) and Ogg (Vorbis or Opus) are accepted, recognised by
their content (:func:`sniff_format`), never by a file name. Every module of the audio probe
imports its shared types and Dutch messages from here; this module imports no probe.
"""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass
from typing import Any

from kispub.core.refusals import N_, Refusal, Text
from kispub.podcast.media.mp3frames import id3v2_size, parse_header

# Message ids (Dutch), translated where the editor sees them (see kispub.core.refusals).
MSG_INVALID = N_("Dit bestand is geen geldig MP3-, M4A- of Ogg-audiobestand.")
MSG_EMPTY = N_("Het bestand is leeg.")
MSG_UNREADABLE = N_("Het audiobestand kon niet worden geopend.")
MSG_CRASHED = N_(
    "Het audiobestand kon niet worden gelezen: de controle van het bestand liep vast. "
    "Controleer of het een geldig MP3-, M4A- of Ogg-bestand is."
)
MSG_TOO_COMPLEX = N_("Het audiobestand kon niet worden gelezen: het vraagt te veel geheugen.")
MSG_UNAVAILABLE = N_(
    "Het audiobestand kon nu niet worden gecontroleerd. Probeer het later opnieuw."
)
MSG_TIMEOUT = N_("Het bestand kon niet binnen %(seconds)s seconden worden gelezen.")


class AudioError(Refusal):
    """An uploaded file is not acceptable audio; ``str(error)`` is a Dutch message for the
    user, :meth:`~kispub.core.refusals.Refusal.translated` the same in the request's locale."""


@dataclass(frozen=True)
class Chapter:
    """One chapter mark: start and optional end in milliseconds, and its title."""

    start_ms: int
    end_ms: int | None
    title: str


@dataclass(frozen=True)
class EmbeddedImage:
    """Cover art embedded in the audio file; ``mime_type`` is taken from the bytes themselves."""

    data: bytes
    mime_type: str


@dataclass(frozen=True)
class AudioInfo:
    """Everything the podcast channel needs to know about an accepted audio file."""

    format: str  # "mp3" | "m4a" | "ogg-vorbis" | "ogg-opus"
    mime_type: str  # "audio/mpeg" | "audio/mp4" | "audio/ogg"
    extension: str  # ".mp3" | ".m4a" | ".ogg" | ".opus"
    duration_ms: int
    bitrate: int  # bits per second: the encoder's figure when trustworthy, else the average
    sample_rate: int
    channels: int
    title: str | None
    artist: str | None
    chapters: tuple[Chapter, ...]
    image: EmbeddedImage | None
    audio_offset: int  # byte offset where the audio starts (after the ID3v2 tag); 0 otherwise
    bytes_per_second: float  # average audio bytes per second of playing time

    def to_data(self) -> dict[str, Any]:
        """Plain JSON data, for the answer from the sandbox (image bytes as base64)."""
        data = asdict(self)
        data["chapters"] = [asdict(chapter) for chapter in self.chapters]
        if self.image is not None:
            data["image"] = {
                "data": base64.b64encode(self.image.data).decode("ascii"),
                "mime_type": self.image.mime_type,
            }
        return data

    @classmethod
    def from_data(cls, data: Any) -> AudioInfo:
        """Rebuild from :meth:`to_data`'s output; anything else raises AudioError."""
        try:
            image = data["image"]
            return cls(
                format=_typed(data["format"], str),
                mime_type=_typed(data["mime_type"], str),
                extension=_typed(data["extension"], str),
                duration_ms=_typed(data["duration_ms"], int),
                bitrate=_typed(data["bitrate"], int),
                sample_rate=_typed(data["sample_rate"], int),
                channels=_typed(data["channels"], int),
                title=_optional(data["title"], str),
                artist=_optional(data["artist"], str),
                chapters=tuple(
                    Chapter(
                        _typed(c["start_ms"], int),
                        _optional(c["end_ms"], int),
                        _typed(c["title"], str),
                    )
                    for c in data["chapters"]
                ),
                image=None
                if image is None
                else EmbeddedImage(
                    base64.b64decode(_typed(image["data"], str), validate=True),
                    _typed(image["mime_type"], str),
                ),
                audio_offset=_typed(data["audio_offset"], int),
                bytes_per_second=float(_typed(data["bytes_per_second"], int | float)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise AudioError(MSG_INVALID) from exc


def _typed(value: Any, kind: Any) -> Any:
    """``value`` if it is of ``kind`` (never a bool for a number), else TypeError."""
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise TypeError(f"{value!r} is not {kind}")
    return value


def _optional(value: Any, kind: Any) -> Any:
    return None if value is None else _typed(value, kind)


FORMATS: dict[str, tuple[str, str]] = {
    "mp3": ("audio/mpeg", ".mp3"),
    "m4a": ("audio/mp4", ".m4a"),
    "ogg-vorbis": ("audio/ogg", ".ogg"),
    "ogg-opus": ("audio/ogg", ".opus"),
}
# How many leading bytes :func:`sniff_format` wants to see.
SNIFF_BYTES = 512


def sniff_format(head: bytes) -> str | None:
    """Recognise an accepted audio format from the first bytes of a file, or return None."""
    if _looks_like_mp3(head):
        return "mp3"
    if len(head) >= 12 and head[4:8] == b"ftyp" and int.from_bytes(head[:4], "big") >= 8:
        return "m4a"
    if head[:4] == b"OggS" and len(head) >= 28 and head[4] == 0 and head[5] & 0x02:
        packet = head[27 + head[26] :]
        if packet.startswith(b"\x01vorbis"):
            return "ogg-vorbis"
        if packet.startswith(b"OpusHead"):
            return "ogg-opus"
    return None


def _looks_like_mp3(head: bytes) -> bool:
    """An ID3v2 tag, or an MPEG Layer III frame header at the very start."""
    return id3v2_size(head) is not None or parse_header(head) is not None


MSG_OGG_CODEC = N_("Dit Ogg-bestand bevat geen Vorbis- of Opus-audio.")
MSG_LOOKS_LIKE = N_(
    "Dit bestand is geen geldig MP3-, M4A- of Ogg-audiobestand. Het lijkt %(name)s te zijn."
)

# Well-known other formats, to tell the uploader what they actually sent.
_OTHER_FORMATS: tuple[tuple[bytes, int, str], ...] = (
    (b"WAVE", 8, N_("een WAV-bestand")),
    (b"fLaC", 0, N_("een FLAC-bestand")),
    (b"\x89PNG", 0, N_("een PNG-afbeelding")),
    (b"\xff\xd8\xff", 0, N_("een JPEG-afbeelding")),
    (b"GIF8", 0, N_("een GIF-afbeelding")),
    (b"%PDF", 0, N_("een PDF-document")),
    (b"PK\x03\x04", 0, N_("een ZIP-bestand (of Office-document)")),
    (b"\x1aE\xdf\xa3", 0, N_("een Matroska- of WebM-bestand")),
    (b"FORM", 0, N_("een AIFF-bestand")),
)


def refusal_message(head: bytes) -> Text:
    """The refusal for an unrecognised file, naming its real type when we know it."""
    if head.startswith(b"OggS"):
        return Text(MSG_OGG_CODEC)
    for magic, offset, name in _OTHER_FORMATS:
        if head[offset : offset + len(magic)] == magic:
            return Text(MSG_LOOKS_LIKE, {"name": Text(name)})
    return Text(MSG_INVALID)


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


def timeout_message(timeout: float) -> Text:
    """The message for a probe that did not finish in time."""
    return Text(MSG_TIMEOUT, {"seconds": f"{timeout:g}".replace(".", ",")})

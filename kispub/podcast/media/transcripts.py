"""Transcript files (WebVTT and SRT): parsing, validation and readable paragraphs.

Transcripts are small and plain text, so they are checked in the request (no sandbox); the
refusals are translated there, and outside an app context ``gettext`` leaves them as they are.
"""

from __future__ import annotations

import codecs
import html
import re
from dataclasses import dataclass
from typing import Literal

from flask_babel import gettext as _

from kispub.core.text import clean_text

MAX_TRANSCRIPT_BYTES = 2 * 1024 * 1024
TranscriptFormat = Literal["vtt", "srt"]
MIME_TYPES: dict[str, str] = {"vtt": "text/vtt", "srt": "application/x-subrip"}

_VTT_HEADER = re.compile(r"WEBVTT(?:[ \t][^\n]*)?(?:\n|$)")
_VTT_SKIP = re.compile(r"(?:NOTE|STYLE|REGION)(?:[ \t]|$)")
_TIMING = re.compile(r"(\S+)[ \t]+-->[ \t]+(\S+)(?:[ \t].*)?")
_VTT_TIME = re.compile(r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})")
# SRT uses a comma; a dot is accepted too because common tools write one.
_SRT_TIME = re.compile(r"(\d+):([0-5]\d):([0-5]\d)[,.](\d{3})")
_EXAMPLE = {"vtt": "00:01:02.500", "srt": "00:01:02,500"}
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:[ \t]+([^>]*))?>|</v>")
_TAG = re.compile(r"<[^>]*>")
_SSA_OVERRIDE = re.compile(r"\{\\[^}]*\}")  # {\an8} and the like, left in SRT by converters
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_SENTENCE_END = (".", "!", "?", "…")


class TranscriptError(ValueError):
    """A transcript file we refuse; the message is Dutch and meant for the editor."""


@dataclass(frozen=True)
class Cue:
    """One timed piece of text, markup removed."""

    start_ms: int
    end_ms: int
    speaker: str | None
    text: str


@dataclass(frozen=True)
class Transcript:
    """A parsed transcript file."""

    format: TranscriptFormat
    cues: tuple[Cue, ...]

    @property
    def mime_type(self) -> str:
        """The MIME type for podcast:transcript and for serving the file."""
        return MIME_TYPES[self.format]


@dataclass(frozen=True)
class Paragraph:
    """Consecutive cues of one speaker, merged for reading on the episode page."""

    start_ms: int
    speaker: str | None
    text: str
    end_ms: int


@dataclass(frozen=True)
class _Block:
    """Lines between blank lines, with the 1-based number of the first line."""

    line: int
    lines: tuple[str, ...]


def _decode(data: bytes) -> str:
    """UTF-8 text with one BOM removed and newlines normalised, or TranscriptError."""
    if len(data) > MAX_TRANSCRIPT_BYTES:
        size = f"{len(data) / 1024 / 1024:.1f}".replace(".", ",")
        raise TranscriptError(
            _("Het transcript is te groot (%(size)s MB); het maximum is 2 MB.", size=size)
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise TranscriptError(_("Het transcript is UTF-16; sla het op als UTF-8."))
    if b"\x00" in data:
        raise TranscriptError(_("Dit is geen tekstbestand maar een binair bestand."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TranscriptError(
            _(
                "Het transcript is geen geldige UTF-8 (byte %(byte)s); sla het op als UTF-8.",
                byte=exc.start,
            )
        ) from exc
    if _CONTROL.search(text):
        raise TranscriptError(_("Het transcript bevat stuurtekens; is het wel een tekstbestand?"))
    # Whatever else XML cannot carry (U+FFFE, lone surrogates, line separators) is repaired.
    return clean_text(text)


def _blocks(text: str) -> list[_Block]:
    """Split text into blocks separated by blank lines."""
    blocks: list[_Block] = []
    current: list[str] = []
    first = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            first = first if current else number
            current.append(line.rstrip())
        elif current:
            blocks.append(_Block(first, tuple(current)))
            current = []
    if current:
        blocks.append(_Block(first, tuple(current)))
    return blocks


def _timestamp(raw: str, line: int, fmt: TranscriptFormat) -> int:
    """Milliseconds of one timestamp in the file's own syntax."""
    match = (_VTT_TIME if fmt == "vtt" else _SRT_TIME).fullmatch(raw)
    if match is None:
        raise TranscriptError(
            _(
                "Regel %(line)s: ongeldige tijdcode '%(raw)s' (verwacht bijvoorbeeld %(example)s).",
                line=line,
                raw=raw,
                example=_EXAMPLE[fmt],
            )
        )
    hours, minutes, seconds, millis = (int(group or 0) for group in match.groups())
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis


def _timing(raw: str, line: int, fmt: TranscriptFormat) -> tuple[int, int]:
    """Start and end of a timing line; cue settings after the end are ignored."""
    match = _TIMING.fullmatch(raw.strip())
    if match is None:
        raise TranscriptError(
            _("Regel %(line)s: ongeldige tijdregel '%(raw)s'.", line=line, raw=raw.strip())
        )
    start = _timestamp(match[1], line, fmt)
    end = _timestamp(match[2], line, fmt)
    if end < start:
        raise TranscriptError(
            _(
                "Regel %(line)s: de eindtijd %(end)s ligt vóór de begintijd %(start)s.",
                line=line,
                end=match[2],
                start=match[1],
            )
        )
    return start, end


def _clean(text: str) -> str:
    """Cue text without markup or entities, one line per non-empty line."""
    text = html.unescape(_TAG.sub("", _SSA_OVERRIDE.sub("", text)))
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


def _voices(payload: str) -> list[tuple[str | None, str]]:
    """Split cue text at <v Speaker> spans into (speaker, clean text) parts."""
    parts: list[tuple[str | None, str]] = []
    speaker: str | None = None
    pos = 0
    for match in _VOICE.finditer(payload):
        parts.append((speaker, payload[pos : match.start()]))
        # </v> ends the voice; an unclosed <v> lasts to the end of the cue, as in WebVTT.
        speaker = None if match[0] == "</v>" else (match[1] or "").strip() or None
        pos = match.end()
    parts.append((speaker, payload[pos:]))
    return [(who, text) for who, raw in parts if (text := _clean(raw))]


def _cues(block: _Block, fmt: TranscriptFormat) -> list[Cue]:
    """The cues of one block: optional identifier, timing line, text."""
    lines = block.lines
    timing = 0 if "-->" in lines[0] else 1
    if timing >= len(lines) or "-->" not in lines[timing]:
        raise TranscriptError(_("Regel %(line)s: blok zonder tijdregel ('-->').", line=block.line))
    start, end = _timing(lines[timing], block.line + timing, fmt)
    payload = "\n".join(lines[timing + 1 :])
    return [Cue(start, end, who, text) for who, text in _voices(payload)]


def _cue_blocks(text: str, fmt: TranscriptFormat) -> list[_Block]:
    """The blocks that hold cues: WebVTT's header, NOTE, STYLE and REGION left out."""
    blocks = _blocks(text)
    if fmt == "srt":
        return blocks
    header = blocks[0]
    if any("-->" in line for line in header.lines):
        raise TranscriptError(_("Na de kopregel 'WEBVTT' moet een lege regel komen."))
    return [block for block in blocks[1:] if not _VTT_SKIP.match(block.lines[0])]


def _parse(text: str, fmt: TranscriptFormat) -> Transcript:
    """Parse every cue and check that start times never go back."""
    cues: list[Cue] = []
    previous = 0
    for block in _cue_blocks(text, fmt):
        parsed = _cues(block, fmt)
        if parsed and parsed[0].start_ms < previous:
            raise TranscriptError(
                _(
                    "Regel %(line)s: deze cue begint eerder dan de vorige; "
                    "de tijdcodes moeten oplopen.",
                    line=block.line,
                )
            )
        previous = parsed[0].start_ms if parsed else previous
        cues.extend(parsed)
    if not cues:
        raise TranscriptError(_("Het transcript bevat geen tekst met tijdcodes."))
    return Transcript(fmt, tuple(cues))


def _looks_like_srt(block: _Block) -> bool:
    """True when a block opens like an SRT cue: a number, then an SRT timing line."""
    lines = block.lines
    if len(lines) < 2 or not lines[0].strip().isdigit():
        return False
    match = _TIMING.fullmatch(lines[1].strip())
    return match is not None and _SRT_TIME.fullmatch(match[1]) is not None


def parse_transcript(data: bytes) -> Transcript:
    """Parse a WebVTT or SRT file, raising TranscriptError with a Dutch message if refused."""
    text = _decode(data)
    if not text.strip():
        raise TranscriptError(_("Het transcript is leeg."))
    if _VTT_HEADER.match(text):
        return _parse(text, "vtt")
    if _looks_like_srt(_blocks(text)[0]):
        return _parse(text, "srt")
    raise TranscriptError(
        _(
            "Onbekend formaat: een WebVTT-bestand begint met 'WEBVTT', een SRT-bestand met "
            "een cuenummer en een tijdregel zoals '00:00:01,000 --> 00:00:04,000'."
        )
    )


def _continues(paragraph: Paragraph, cue: Cue, max_chars: int) -> bool:
    """Whether cue belongs to paragraph: same speaker and not yet too long."""
    if cue.speaker != paragraph.speaker:
        return False
    if len(paragraph.text) < max_chars:
        return True
    # Past the soft limit, wait for a sentence end; files without punctuation stop at twice it.
    ended = paragraph.text.rstrip("\"'”’»)").endswith(_SENTENCE_END)
    return not ended and len(paragraph.text) < 2 * max_chars


def transcript_paragraphs(transcript: Transcript, max_chars: int = 600) -> list[Paragraph]:
    """Merge consecutive cues of the same speaker into paragraphs of readable length."""
    paragraphs: list[Paragraph] = []
    for cue in transcript.cues:
        text = " ".join(cue.text.split())
        last = paragraphs[-1] if paragraphs else None
        if last is not None and _continues(last, cue, max_chars):
            end = max(last.end_ms, cue.end_ms)
            paragraphs[-1] = Paragraph(last.start_ms, last.speaker, f"{last.text} {text}", end)
        else:
            paragraphs.append(Paragraph(cue.start_ms, cue.speaker, text, cue.end_ms))
    return paragraphs

"""Tests for WebVTT/SRT parsing, validation and paragraphs."""

from __future__ import annotations

from pathlib import Path

import pytest

from kispub.podcast.media.transcripts import (
    MAX_TRANSCRIPT_BYTES,
    Cue,
    Paragraph,
    Transcript,
    TranscriptError,
    parse_transcript,
    transcript_paragraphs,
)

FIXTURES = Path(__file__).parent / "fixtures"
ANNA = "Anna de Vries"
BRAM = "Bram Jansen"


def vtt(*cues: str) -> bytes:
    """A WebVTT file from cue blocks."""
    return ("WEBVTT\n\n" + "\n\n".join(cues) + "\n").encode()


def test_webvtt_fixture_parses_every_cue() -> None:
    transcript = parse_transcript((FIXTURES / "gesprek.vtt").read_bytes())
    assert transcript.format == "vtt"
    assert transcript.mime_type == "text/vtt"
    assert transcript.cues == (
        Cue(
            0, 4500, ANNA, "Welkom bij de podcast van het\nKennisplatform Integratie & Samenleving."
        ),
        Cue(4500, 7250, ANNA, "Vandaag praten we over taal."),
        Cue(7250, 62000, BRAM, "Dank je, Anna."),
        Cue(62000, 65000, ANNA, "Wat vind jij?"),
        Cue(62000, 65000, BRAM, "Goede vraag!"),
        Cue(65000, 66000, None, "Korte tijdcode zonder uren."),
        Cue(3600000, 3601000, None, "Zonder spreker <geen tag>"),
    )


def test_srt_fixture_parses_every_cue() -> None:
    transcript = parse_transcript((FIXTURES / "gesprek.srt").read_bytes())
    assert transcript.format == "srt"
    assert transcript.mime_type == "application/x-subrip"
    assert transcript.cues == (
        Cue(0, 3200, None, "Welkom bij de podcast."),
        Cue(3200, 6000, None, "Vandaag: taal en\nintegratie."),
        Cue(6000, 9500, None, "Tot de volgende keer!"),
    )


def test_result_is_frozen() -> None:
    transcript = parse_transcript(vtt("00:01.000 --> 00:02.000\nHallo"))
    assert isinstance(transcript, Transcript)
    with pytest.raises(AttributeError):
        transcript.cues[0].text = "anders"  # type: ignore[misc]


def test_bom_and_crlf_are_accepted() -> None:
    data = b"\xef\xbb\xbfWEBVTT\r\n\r\n00:01.000 --> 00:02.000\r\n<v Anna>Hall\xc3\xb3\r\n"
    assert parse_transcript(data).cues == (Cue(1000, 2000, "Anna", "Halló"),)


def test_srt_with_bom_and_dot_decimal() -> None:
    data = "\ufeff1\n00:00:01.500 --> 00:00:02,000\nHoi\n".encode()
    assert parse_transcript(data) == Transcript("srt", (Cue(1500, 2000, None, "Hoi"),))


def test_voice_span_with_classes_and_unclosed_voice() -> None:
    data = vtt("00:01.000 --> 00:02.000\n<v.loud.gast  Bram Jansen >Zeker <b>weten</b>")
    assert parse_transcript(data).cues == (Cue(1000, 2000, BRAM, "Zeker weten"),)


def test_text_after_closed_voice_has_no_speaker() -> None:
    data = vtt("00:01.000 --> 00:02.000\n<v Anna>Ja.</v> Applaus")
    assert parse_transcript(data).cues == (
        Cue(1000, 2000, "Anna", "Ja."),
        Cue(1000, 2000, None, "Applaus"),
    )


def test_empty_cues_are_skipped_and_equal_times_allowed() -> None:
    data = vtt("00:01.000 --> 00:02.000\n<i> </i>", "00:02.000 --> 00:02.000\nKort")
    assert parse_transcript(data).cues == (Cue(2000, 2000, None, "Kort"),)


def test_two_megabytes_exactly_is_accepted() -> None:
    head = vtt("00:01.000 --> 00:02.000\nHallo") + b"\nNOTE\n"
    data = head + b"x" * (MAX_TRANSCRIPT_BYTES - len(head))
    assert len(data) == MAX_TRANSCRIPT_BYTES
    assert parse_transcript(data).cues == (Cue(1000, 2000, None, "Hallo"),)


REJECTED = {
    "te groot": (vtt("00:01.000 --> 00:02.000\nHallo") + b"x" * MAX_TRANSCRIPT_BYTES, "2 MB"),
    "binair": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binair"),
    "latin-1": ("WEBVTT\n\n00:01.000 --> 00:02.000\nCafé\n".encode("latin-1"), "UTF-8"),
    "utf-16": ("WEBVTT\n\n00:01.000 --> 00:02.000\nHoi\n".encode("utf-16"), "UTF-16"),
    "stuurteken": (vtt("00:01.000 --> 00:02.000\nHa\x07llo"), "stuurtekens"),
    "leeg": (b"", "leeg"),
    "alleen witruimte": (b" \n\n\t\n", "leeg"),
    "platte tekst": (b"Hallo wereld\nnog een regel\n", "Onbekend formaat"),
    "WEBVTTX": (b"WEBVTTX\n\n00:01.000 --> 00:02.000\nHoi\n", "Onbekend formaat"),
    "geen cues": (b"WEBVTT\n\nNOTE alleen een notitie\n", "geen tekst"),
    "alleen lege cues": (b"1\n00:00:01,000 --> 00:00:02,000\n<i></i>\n", "geen tekst"),
    "eind voor begin": (vtt("00:05.000 --> 00:04.999\nTerug in de tijd"), "eindtijd"),
    "niet oplopend": (
        vtt("00:10.000 --> 00:11.000\nEerst", "00:09.000 --> 00:12.000\nDan"),
        "oplopen",
    ),
    "minuten 99": (vtt("00:99:00.000 --> 01:00:00.000\nHoi"), "ongeldige tijdcode"),
    "rommel": (vtt("abc --> def\nHoi"), "ongeldige tijdcode"),
    "srt-komma in vtt": (vtt("00:00:01,000 --> 00:00:02,000\nHoi"), "ongeldige tijdcode"),
    "geen pijl-spaties": (vtt("00:01.000-->00:02.000\nHoi"), "ongeldige tijdregel"),
    "blok zonder tijd": (vtt("00:01.000 --> 00:02.000\nHoi", "los\nblok"), "tijdregel"),
    "geen lege regel na kop": (b"WEBVTT\n00:01.000 --> 00:02.000\nHoi\n", "lege regel"),
    "srt rommel verderop": (
        b"1\n00:00:01,000 --> 00:00:02,000\nHoi\n\n2\n00:00:0x,000 --> 00:00:03,000\nDoei\n",
        "Regel 6: ongeldige tijdcode",
    ),
}


@pytest.mark.parametrize(("data", "message"), REJECTED.values(), ids=REJECTED.keys())
def test_rejected_with_dutch_message(data: bytes, message: str) -> None:
    with pytest.raises(TranscriptError, match=message):
        parse_transcript(data)


def test_transcript_error_is_a_value_error() -> None:
    assert issubclass(TranscriptError, ValueError)


def test_paragraphs_merge_consecutive_cues_of_one_speaker() -> None:
    transcript = parse_transcript((FIXTURES / "gesprek.vtt").read_bytes())
    assert transcript_paragraphs(transcript) == [
        Paragraph(
            0,
            ANNA,
            "Welkom bij de podcast van het Kennisplatform Integratie & Samenleving. "
            "Vandaag praten we over taal.",
            7250,
        ),
        Paragraph(7250, BRAM, "Dank je, Anna.", 62000),
        Paragraph(62000, ANNA, "Wat vind jij?", 65000),
        Paragraph(62000, BRAM, "Goede vraag!", 65000),
        Paragraph(65000, None, "Korte tijdcode zonder uren. Zonder spreker <geen tag>", 3601000),
    ]


def _cues(*texts: str) -> Transcript:
    """A transcript of one-second cues by a single speaker."""
    cues = tuple(Cue(i * 1000, i * 1000 + 1000, ANNA, text) for i, text in enumerate(texts))
    return Transcript("vtt", cues)


def test_long_paragraph_breaks_at_a_sentence_end() -> None:
    transcript = _cues("a" * 20, "nog meer tekst.", "verder", "en verder.", "Nieuw")
    texts = [p.text for p in transcript_paragraphs(transcript, max_chars=15)]
    assert texts == ["a" * 20 + " nog meer tekst.", "verder en verder.", "Nieuw"]


def test_paragraph_without_punctuation_is_capped() -> None:
    # 23 characters a cue: past 30 it waits for a full stop, at 60 it breaks anyway.
    transcript = _cues(*(["woord " * 4] * 6))
    paragraphs = transcript_paragraphs(transcript, max_chars=30)
    assert [len(p.text) for p in paragraphs] == [71, 71]
    assert [(p.start_ms, p.end_ms) for p in paragraphs] == [(0, 3000), (3000, 6000)]

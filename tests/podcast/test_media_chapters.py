"""Tests for the JSON Chapters document."""

from __future__ import annotations

import json

import pytest

from kispub.podcast.media.chapters import CHAPTERS_MIME_TYPE, render_chapters

ROWS = [
    (94_500, "Taal op de werkvloer", "https://www.kis.nl/dossiers/taal"),
    (0, "Intro", None),
    (1_234, "Één vraag", ""),
]


def test_round_trips_as_json_chapters_1_2() -> None:
    doc = json.loads(render_chapters(ROWS, "Aflevering 2: taal en werk"))
    assert doc == {
        "version": "1.2.0",
        "title": "Aflevering 2: taal en werk",
        "chapters": [
            {"startTime": 0.0, "title": "Intro"},
            {"startTime": 1.234, "title": "Één vraag"},
            {
                "startTime": 94.5,
                "title": "Taal op de werkvloer",
                "url": "https://www.kis.nl/dossiers/taal",
            },
        ],
    }


def test_start_times_are_floats_in_seconds() -> None:
    doc = json.loads(render_chapters(ROWS, "t"))
    assert [type(c["startTime"]) for c in doc["chapters"]] == [float, float, float]


def test_output_is_deterministic_utf8() -> None:
    first = render_chapters(ROWS, "Één")
    assert first == render_chapters(list(reversed(ROWS)), "Één")
    assert "Één vraag".encode() in first
    assert first.startswith(b'{\n  "version": "1.2.0",')


def test_empty_chapter_list_is_valid() -> None:
    assert json.loads(render_chapters([], "t"))["chapters"] == []


def test_mime_type_is_the_specs() -> None:
    assert CHAPTERS_MIME_TYPE == "application/json+chapters"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([(-1, "Te vroeg", None)], "non-negative"),
        ([(1.5, "Geen int", None)], "non-negative integer"),
        ([(True, "Bool", None)], "non-negative integer"),
        ([(0, "  ", None)], "no title"),
        ([(0, "Intro", "/relatief")], "absolute"),
        ([(0, "A", None), (0, "B", None)], "same time"),
    ],
)
def test_rejects_bad_rows(rows: list[tuple[int, str, str | None]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        render_chapters(rows, "t")

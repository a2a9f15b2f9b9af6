"""``flask --app kispub podcast import``: each format, scheduling, re-imports, refusals."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from mutagen.id3 import ID3, TIT2

from kispub.podcast import queries
from kispub.podcast.models import EpisodeStatus, Series
from tests.clock import Clock
from tests.podcast.conftest import FIXTURES, TRUE_SECONDS, episode_count, media_files


def run(runner: FlaskCliRunner, *args: str) -> object:
    return runner.invoke(args=["podcast", "import", *args])


@pytest.mark.parametrize("fixture", list(TRUE_SECONDS))
def test_each_format_imports_and_prints_the_episode_address(
    runner: FlaskCliRunner, series: Series, fixture: str
) -> None:
    result = run(runner, str(FIXTURES / fixture), "--title", f"Import {fixture}", "--publish")
    assert result.exit_code == 0, result.output
    [episode] = queries.editor_overview().episodes[series.id]
    assert result.stdout.strip().splitlines()[-1] == (
        f"https://kis.example/podcast/{series.slug}/{episode.slug}"
    )
    assert episode.status == EpisodeStatus.PUBLISHED
    assert abs(episode.duration_ms / 1000 - TRUE_SECONDS[fixture]) < 1.0


def test_title_from_the_file_draft_by_default_and_scheduling(
    runner: FlaskCliRunner, series: Series, clock: Clock
) -> None:
    assert run(runner, str(FIXTURES / "aac.m4a")).exit_code == 0
    result = run(runner, str(FIXTURES / "vorbis.ogg"), "--title", "Later", "--publish-at",
                 "2026-12-01T07:00")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "scheduled" in result.output
    first, later = sorted(queries.editor_overview().episodes[series.id], key=lambda e: e.id)
    assert first.title == "Testaflevering met hoofdstukken" and first.status == EpisodeStatus.DRAFT
    assert later.publish_at == datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # 07:00 in Amsterdam


def test_a_re_import_replaces_the_audio_and_keeps_the_guid(
    runner: FlaskCliRunner, series: Series
) -> None:
    assert run(runner, str(FIXTURES / "cbr_tagged.mp3"), "--publish").exit_code == 0
    [episode] = queries.editor_overview().episodes[series.id]
    guid, key = episode.guid, episode.audio_key
    result = run(runner, str(FIXTURES / "aac.m4a"), "--episode", episode.slug)
    assert result.exit_code == 0, result.output
    [again] = queries.editor_overview().episodes[series.id]
    assert again.guid == guid and again.audio_key != key and again.audio_mime == "audio/mp4"
    assert episode_count() == 1


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("random.bin", "geen geldig"),
        ("truncated_xing.mp3", "afgekapt"),
        ("png_named.mp3", "PNG-afbeelding"),
    ],
)
def test_refused_files_fail_with_the_reason_and_leave_nothing(
    app: Flask, runner: FlaskCliRunner, series: Series, fixture: str, message: str
) -> None:
    before = media_files(app)
    result = run(runner, str(FIXTURES / fixture), "--title", "X")
    assert result.exit_code == 1
    assert message in result.output and fixture in result.output
    assert media_files(app) == before and episode_count() == 0


def test_an_overlong_title_inside_the_file_is_cut_to_fit(
    runner: FlaskCliRunner, series: Series, tmp_path: Path
) -> None:
    audio = tmp_path / "lang.mp3"
    shutil.copy(FIXTURES / "cbr_tagged.mp3", audio)
    tags = ID3(audio)
    tags.add(TIT2(encoding=3, text="Heel lang " * 60))
    tags.save(audio)
    assert run(runner, str(audio)).exit_code == 0
    [episode] = queries.editor_overview().episodes[series.id]
    assert 290 < len(episode.title) <= 300 and episode.title.startswith("Heel lang")


def test_unknown_series_and_no_series(runner: FlaskCliRunner, app: Flask) -> None:
    result = run(runner, str(FIXTURES / "cbr_tagged.mp3"))
    assert result.exit_code == 1 and "nog geen podcastserie" in result.output
    result = run(runner, str(FIXTURES / "cbr_tagged.mp3"), "--series", "bestaat-niet")
    assert result.exit_code == 1 and "Onbekende serie" in result.output

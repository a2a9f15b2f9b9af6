"""Podcast test helpers: a series with cover art, episodes from the audio fixtures, a clock."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from kispub.extensions import db
from kispub.podcast import services
from kispub.podcast.models import Episode, EpisodeStatus, Series
from kispub.podcast.services import EpisodeData, EpisodeFiles, SeriesData
from tests.clock import Clock, freeze

FIXTURES = Path(__file__).parent / "fixtures"
# True lengths of the generated sound in the audio fixtures (see test_audio.py).
TRUE_SECONDS = {
    "cbr_tagged.mp3": 6.0,
    "vbr_noxing.mp3": 6.0,
    "aac.m4a": 5.0,
    "vorbis.ogg": 4.0,
    "opus.opus": 4.0,
}
MIME_TYPES = {".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".ogg": "audio/ogg", ".opus": "audio/ogg"}
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock(app: Flask) -> Clock:
    """Inject a clock into the app; every request and service reads it."""
    return freeze(app, START)


@pytest.fixture
def series(app: Flask, clock: Clock) -> Series:
    """A series with valid cover art."""
    return make_series(app)


def make_series(app: Flask, title: str = "Denkers en doeners", **overrides: Any) -> Series:
    """A series; overrides go to SeriesData."""
    with app.test_request_context():
        cover = (FIXTURES / "cover_1400.jpg").read_bytes()
        data = SeriesData(
            title=title,
            author="Kennisplatform Integratie & Samenleving",
            owner_name="Redactie KIS",
            owner_email="podcast@kis.example",
            description="Gesprekken over *diversiteit*.",
            **overrides,
        )
        created = services.create_series(data, cover)
        assert created.item is not None
        return created.item


@pytest.fixture
def make_episode(app: Flask, series: Series) -> Callable[..., Episode]:
    """Import an audio fixture as an episode; published now unless told otherwise."""

    def make(
        fixture: str = "cbr_tagged.mp3", target: Series | None = None, **fields: Any
    ) -> Episode:
        fields.setdefault("status", EpisodeStatus.PUBLISHED)
        transcript = fields.pop("transcript", None)
        data = EpisodeData(**fields)
        transcript_bytes = (FIXTURES / transcript).read_bytes() if transcript else None
        with app.test_request_context(), (FIXTURES / fixture).open("rb") as stream:
            files = EpisodeFiles(stream, transcript=transcript_bytes)
            created = services.create_episode((target or series).id, data, files)
        assert created.item is not None
        return created.item

    return make


def make_data(**fields: Any) -> EpisodeData:
    """EpisodeData with a default title."""
    fields.setdefault("title", "Een aflevering")
    return dataclasses.replace(EpisodeData(), **fields)


def media_files(app: Flask) -> set[str]:
    """Every file under the media root, the staging folder included."""
    root = Path(app.config["MEDIA_ROOT"])
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def episode_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(Episode.id))) or 0

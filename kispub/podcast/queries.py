"""Reading podcast series and episodes for pages, feeds, other channels and the back office."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from sqlalchemy import bindparam, func, literal, or_, select, union, union_all
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from sqlalchemy.sql.elements import BindParameter

from kispub.core import clock
from kispub.core.database import UTCDateTime
from kispub.core.pagecache import AnySelect
from kispub.core.storage import parse_key
from kispub.extensions import db
from kispub.podcast.models import (
    Download,
    DownloadDay,
    Episode,
    Guest,
    Series,
    episode_theme,
)
from kispub.themes.models import Theme

PER_PAGE = 10


def all_series() -> list[Series]:
    """Every series, oldest first (the first is the one the home page points to)."""
    return list(db.session.scalars(select(Series).order_by(Series.id)))


def series_by_slug(slug: str) -> Series | None:
    """The series with this slug."""
    return db.session.scalars(select(Series).where(Series.slug == slug)).first()


@dataclass(frozen=True)
class Page:
    """One page of a series' episodes, newest first."""

    items: list[Episode]
    number: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / PER_PAGE))


def episode_page(series: Series, number: int) -> Page:
    """The visible episodes of a series on page ``number`` (1-based), with their themes."""
    condition = (Episode.series_id == series.id, Episode.is_visible(clock.now()))
    total = db.session.scalar(select(func.count(Episode.id)).where(*condition)) or 0
    statement = (
        select(Episode)
        .where(*condition)
        .options(selectinload(Episode.themes))
        .order_by(Episode.publish_at.desc(), Episode.id.desc())
        .limit(PER_PAGE)
        .offset((max(number, 1) - 1) * PER_PAGE)
    )
    return Page(list(db.session.scalars(statement)), number, total)


def feed_episodes(series: Series) -> list[Episode]:
    """Every visible episode of a series for the feed, guests loaded."""
    statement = (
        select(Episode)
        .where(Episode.series_id == series.id, Episode.is_visible(clock.now()))
        .options(selectinload(Episode.guests))
        .order_by(Episode.publish_at.desc(), Episode.id.desc())
    )
    return list(db.session.scalars(statement))


def visible_episode(series_slug: str, episode_slug: str) -> Episode | None:
    """A visible episode by its page address, with guests and themes."""
    statement = (
        select(Episode)
        .join(Episode.series)
        .where(
            Series.slug == series_slug,
            Episode.slug == episode_slug,
            Episode.is_visible(clock.now()),
        )
        .options(
            contains_eager(Episode.series),
            selectinload(Episode.guests),
            selectinload(Episode.themes),
        )
    )
    return db.session.scalars(statement).first()


@dataclass(frozen=True)
class AudioFile:
    """What serving and counting an episode's audio needs, without loading the episode."""

    episode_id: int
    key: str
    mime_type: str
    size: int
    audio_offset: int
    bytes_per_second: float

    @property
    def extension(self) -> str:
        """ ".mp3", ".m4a", ".ogg" or ".opus"."""
        return parse_key(self.key).extension

    @property
    def sha256(self) -> str:
        """The content hash, a strong validator for the file."""
        return parse_key(self.key).sha256

    @classmethod
    def of(cls, episode: Episode) -> AudioFile:
        return cls(
            episode.id,
            episode.audio_key,
            episode.audio_mime,
            episode.audio_size,
            episode.audio_offset,
            episode.bytes_per_second,
        )


# The moment a built-once statement is run for; it stands for a datetime given at execution.
NOW = cast(datetime, bindparam("now", type_=UTCDateTime()))


def is_public_image(key: str) -> bool:
    """Whether a stored image is a series cover or the cover of a visible episode."""
    of_series = select(Series.id).where(Series.cover_key == key).exists()
    of_episode = (
        select(Episode.id).where(Episode.cover_key == key, Episode.is_visible(clock.now())).exists()
    )
    return bool(db.session.scalar(select(or_(of_series, of_episode))))


@dataclass(frozen=True)
class FeedState:
    """What decides a feed's content, from one query."""

    series_id: int
    slug: str
    updated_at: datetime  # moved by every change to the series or one of its episodes
    new_feed_url: str | None
    newest_published_at: datetime | None  # of the newest episode visible now


_FEED_STATES = select(
    Series.id,
    Series.slug,
    Series.updated_at,
    Series.new_feed_url,
    select(Episode.publish_at)
    .where(Episode.series_id == Series.id, Episode.is_visible(NOW))
    .order_by(Episode.publish_at.desc())
    .limit(1)
    .correlate(Series)
    .scalar_subquery(),
)


def feed_states() -> list[FeedState]:
    """Every series' feed state, in one query (the publisher compares them with its stamps)."""
    rows = db.session.execute(_FEED_STATES, {"now": clock.now()})
    return [FeedState(*row) for row in rows]


def feed_state(slug: str) -> FeedState | None:
    """One series' feed state."""
    statement = _FEED_STATES.where(Series.slug == slug)
    row = db.session.execute(statement, {"now": clock.now()}).first()
    return None if row is None else FeedState(*row)


def published_audio() -> list[tuple[str, str]]:
    """(guid, audio key) of every episode whose audio is public now."""
    statement = select(Episode.guid, Episode.audio_key).where(Episode.is_visible(clock.now()))
    return [(guid, key) for guid, key in db.session.execute(statement)]


def series_by_id(series_id: int) -> Series | None:
    """A series by id."""
    return db.session.get(Series, series_id)


def latest_episodes(limit: int = 3) -> list[Episode]:
    """The newest visible episodes of all series."""
    statement = (
        select(Episode)
        .where(Episode.is_visible(clock.now()))
        .order_by(Episode.publish_at.desc(), Episode.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(statement))


def episodes_for_theme(theme: Theme, limit: int = 10) -> list[Episode]:
    """The newest visible episodes on a theme."""
    statement = (
        select(Episode)
        .where(Episode.themes.contains(theme), Episode.is_visible(clock.now()))
        .order_by(Episode.publish_at.desc(), Episode.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(statement))


def visible_episodes(ids: Sequence[int]) -> list[Episode]:
    """The visible ones among these episodes, in any order."""
    statement = select(Episode).where(Episode.id.in_(list(ids)), Episode.is_visible(clock.now()))
    return list(db.session.scalars(statement))


def every_episode() -> list[Episode]:
    """Every episode of every series, drafts and scheduled ones too, newest first."""
    statement = (
        select(Episode)
        .options(joinedload(Episode.series))
        .order_by(Episode.publish_at.desc().nulls_first(), Episode.id.desc())
    )
    return list(db.session.scalars(statement))


def episode_in_series(series: Series, slug: str) -> Episode | None:
    """Any episode of a series by slug, drafts too."""
    statement = (
        select(Episode)
        .where(Episode.series_id == series.id, Episode.slug == slug)
        .options(selectinload(Episode.guests), selectinload(Episode.themes))
    )
    return db.session.scalars(statement).first()


def episode_for_editing(episode_id: int) -> Episode | None:
    """Any episode by id, drafts and scheduled ones too."""
    statement = (
        select(Episode)
        .where(Episode.id == episode_id)
        .options(selectinload(Episode.guests), selectinload(Episode.themes))
    )
    return db.session.scalars(statement).first()


@dataclass(frozen=True)
class Overview:
    """What the back office lists: every series with all its episodes and download counts."""

    series: list[Series]
    episodes: dict[int, list[Episode]] = field(default_factory=dict)
    downloads: dict[int, int] = field(default_factory=dict)


def editor_overview() -> Overview:
    """Series, their episodes newest first, and IAB download counts, in three queries."""
    series = all_series()
    episodes: dict[int, list[Episode]] = {s.id: [] for s in series}
    statement = select(Episode).order_by(Episode.publish_at.desc().nulls_first(), Episode.id)
    for episode in db.session.scalars(statement):
        episodes[episode.series_id].append(episode)
    return Overview(series, episodes, _download_counts())


def download_count(episode: Episode) -> int:
    """IAB downloads of one episode so far."""
    return _download_counts(episode.id).get(episode.id, 0)


def _download_counts(episode_id: int | None = None) -> dict[int, int]:
    """Downloads per episode: the rolled-up days plus windows counted but not rolled up yet."""
    days = select(DownloadDay.episode_id, DownloadDay.downloads.label("n"))
    recent = select(Download.episode_id, literal(1).label("n")).where(
        Download.counted_at.is_not(None)
    )
    if episode_id is not None:
        days = days.where(DownloadDay.episode_id == episode_id)
        recent = recent.where(Download.episode_id == episode_id)
    both = union_all(days, recent).subquery()
    statement = select(both.c.episode_id, func.sum(both.c.n)).group_by(both.c.episode_id)
    return {episode: int(total) for episode, total in db.session.execute(statement)}


def media_keys() -> list[str]:
    """Every stored file a series or episode references (for the media garbage collector).

    One statement, so all four columns are read from the same snapshot.
    """
    columns = (Series.cover_key, Episode.audio_key, Episode.cover_key, Episode.transcript_key)
    statement = union(*(select(column).where(column.is_not(None)) for column in columns))
    return list(db.session.scalars(statement))


def content_version(now: BindParameter[datetime]) -> list[AnySelect]:
    """The podcast's part of the public pages' content version (kispub/core/pagecache.py):
    episodes (edits touch updated_at; publication by now), series, guests and themes."""
    # The hybrid's SQL side takes any expression; its signature names the Python side's type.
    visible = func.count().filter(Episode.is_visible(now))  # type: ignore[arg-type]
    return [
        select(
            func.count(), func.max(Episode.id), func.max(Episode.updated_at), visible
        ).select_from(Episode),
        select(func.count(), func.max(Series.id), func.max(Series.updated_at)).select_from(Series),
        select(func.count(), func.max(Guest.id)).select_from(Guest),
        select(func.count(), func.sum(episode_theme.c.theme_id)),
    ]

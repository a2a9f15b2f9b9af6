"""Reading podcast series and episodes for pages, feeds, other channels and the back office."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from flask import url_for
from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from kispub.core import clock
from kispub.core.dates import long_date
from kispub.core.links import LinkedItem
from kispub.core.markdown import markdown_to_text
from kispub.extensions import db
from kispub.podcast.models import Download, Episode, EpisodeStatus, Series
from kispub.podcast.pages import state_label
from kispub.podcast.services import all_series, visible
from kispub.themes.models import Theme
from kispub.themes.registry import ThemeItem, ThemeSection

PER_PAGE = 10


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
    at = clock.now()
    condition = and_(Episode.series_id == series.id, visible(at))
    total = db.session.scalar(select(func.count(Episode.id)).where(condition)) or 0
    statement = (
        select(Episode)
        .where(condition)
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
        .where(Episode.series_id == series.id, visible(clock.now()))
        .options(selectinload(Episode.guests))
        .order_by(Episode.publish_at.desc(), Episode.id.desc())
    )
    return list(db.session.scalars(statement))


def visible_episode(series_slug: str, episode_slug: str) -> Episode | None:
    """A visible episode by its page address, with guests and themes."""
    statement = (
        select(Episode)
        .join(Episode.series)
        .where(Series.slug == series_slug, Episode.slug == episode_slug, visible(clock.now()))
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
        return PurePosixPath(self.key).suffix

    @property
    def sha256(self) -> str:
        return PurePosixPath(self.key).stem

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


# Built once: the enclosure URL is the busiest address of the channel.
_AUDIO_BY_GUID = select(
    Episode.id,
    Episode.audio_key,
    Episode.audio_mime,
    Episode.audio_size,
    Episode.audio_offset,
    Episode.bytes_per_second,
).where(
    Episode.guid == bindparam("guid"),
    Episode.status == EpisodeStatus.PUBLISHED,
    Episode.publish_at <= bindparam("now"),
)


def visible_audio(guid: str) -> AudioFile | None:
    """The audio of a visible episode by its guid (the enclosure URL)."""
    row = db.session.execute(_AUDIO_BY_GUID, {"guid": guid, "now": clock.now()}).first()
    return None if row is None else AudioFile(*row)


def is_public_image(key: str) -> bool:
    """Whether a stored image is a series cover or the cover of a visible episode."""
    of_series = select(Series.id).where(Series.cover_key == key).exists()
    of_episode = select(Episode.id).where(Episode.cover_key == key, visible(clock.now())).exists()
    return bool(db.session.scalar(select(or_(of_series, of_episode))))


def latest_episodes(limit: int = 3) -> list[Episode]:
    """The newest visible episodes of all series."""
    statement = (
        select(Episode)
        .where(visible(clock.now()))
        .order_by(Episode.publish_at.desc(), Episode.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(statement))


def episodes_for_theme(theme: Theme, limit: int = 10) -> list[Episode]:
    """The newest visible episodes on a theme."""
    statement = (
        select(Episode)
        .where(Episode.themes.contains(theme), visible(clock.now()))
        .order_by(Episode.publish_at.desc(), Episode.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(statement))


def resolve_episodes(ids: Sequence[int]) -> list[LinkedItem]:
    """Visible episodes as other channels show them (the "episode" content kind)."""
    statement = select(Episode).where(Episode.id.in_(list(ids)), visible(clock.now()))
    return [
        LinkedItem(
            kind="episode",
            id=episode.id,
            title=episode.title,
            url=url_for("podcast.episode", series=episode.series.slug, episode=episode.slug),
            meta=f"Podcast · {episode.publish_at:%d-%m-%Y}" if episode.publish_at else "Podcast",
        )
        for episode in db.session.scalars(statement)
    ]


def episode_choices() -> list[LinkedItem]:
    """Every episode an editor can link to, drafts and scheduled ones too, newest first."""
    now = clock.now()
    statement = (
        select(Episode)
        .options(joinedload(Episode.series))
        .order_by(Episode.publish_at.desc().nulls_first(), Episode.id.desc())
    )
    return [
        LinkedItem(
            kind="episode",
            id=episode.id,
            title=episode.title,
            url=url_for("podcast_admin.edit_episode", episode_id=episode.id),
            meta=f"{episode.series.title} · {state_label(episode, now)}",
        )
        for episode in db.session.scalars(statement)
    ]


def theme_section(theme: Theme) -> ThemeSection | None:
    """The podcast's block on a theme page: the newest episodes on the theme."""
    items = tuple(
        ThemeItem(
            title=episode.title,
            url=url_for("podcast.episode", series=episode.series.slug, episode=episode.slug),
            summary=markdown_to_text(episode.show_notes)[:240],
            meta=f"{long_date(episode.publish_at)} · {episode.series.title}"
            if episode.publish_at
            else "",
        )
        for episode in episodes_for_theme(theme)
    )
    return ThemeSection(title="Podcast", items=items) if items else None


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
    counts = select(Download.episode_id, func.count(Download.id)).where(
        Download.counted_at.is_not(None)
    )
    downloads = {row[0]: row[1] for row in db.session.execute(counts.group_by(Download.episode_id))}
    return Overview(series, episodes, downloads)


def download_count(episode: Episode) -> int:
    """IAB downloads of one episode so far."""
    statement = select(func.count(Download.id)).where(
        Download.episode_id == episode.id, Download.counted_at.is_not(None)
    )
    return db.session.scalar(statement) or 0

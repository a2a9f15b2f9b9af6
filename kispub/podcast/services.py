"""Changing podcast series and episodes, and the helpers every podcast module shares."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, select

from kispub.core import clock
from kispub.core.database import write_transaction
from kispub.core.text import slugify
from kispub.core.urls import absolute_url
from kispub.extensions import db
from kispub.podcast.feed import APPLE_CATEGORIES, podcast_guid
from kispub.podcast.models import Episode, EpisodeStatus, EpisodeType, Guest, Series
from kispub.themes.models import Theme
from kispub.themes.services import themes_by_slugs

# Series slugs that would collide with the channel's own addresses.
RESERVED_SLUGS = frozenset({"audio", "afbeelding", "feed-xml", "feed"})
# Roles of the Podcast Taxonomy Project that editors pick from, with their Dutch labels.
PERSON_ROLES = {"guest": "Gast", "host": "Presentator", "co-host": "Co-presentator"}


class PodcastError(ValueError):
    """A change we refuse; the message is Dutch and meant for the editor."""


def visible(at: datetime) -> ColumnElement[bool]:
    """SQL condition: published and due at ``at``."""
    return and_(Episode.status == EpisodeStatus.PUBLISHED, Episode.publish_at <= at)


# --- series --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesData:
    """The editable fields of a series."""

    title: str
    author: str
    owner_name: str
    owner_email: str
    description: str = ""
    category: str = "Society & Culture"
    subcategory: str | None = None
    language: str = "nl"
    explicit: bool = False
    copyright: str | None = None
    new_feed_url: str | None = None
    slug: str | None = None


def all_series() -> list[Series]:
    """Every series, oldest first (the first is the one the home page points to)."""
    return list(db.session.scalars(select(Series).order_by(Series.id)))


def series_by_slug(slug: str) -> Series | None:
    """The series with this slug."""
    return db.session.scalars(select(Series).where(Series.slug == slug)).first()


def _check_series(data: SeriesData) -> None:
    subcategories = APPLE_CATEGORIES.get(data.category)
    if subcategories is None:
        raise PodcastError(f"Onbekende Apple Podcasts-categorie: {data.category}.")
    if data.subcategory and data.subcategory not in subcategories:
        raise PodcastError(f"{data.subcategory} is geen subcategorie van {data.category}.")
    if data.new_feed_url and not data.new_feed_url.startswith(("https://", "http://")):
        raise PodcastError("Het nieuwe feedadres moet met https:// of http:// beginnen.")


def create_series(data: SeriesData, cover_key: str | None = None) -> Series:
    """Create a series; its podcast:guid is derived from its first feed URL and then kept."""
    _check_series(data)
    slug = data.slug or slugify(data.title)
    if not slug or slug in RESERVED_SLUGS:
        raise PodcastError("Kies een andere titel: dit adres is niet beschikbaar.")
    with write_transaction() as session:
        if series_by_slug(slug) is not None:
            raise PodcastError(f"Er bestaat al een serie met het adres '{slug}'.")
        guid = podcast_guid(absolute_url("podcast.feed", series=slug))
        at = clock.now()
        series = Series(
            slug=slug, podcast_guid=guid, cover_key=cover_key, created_at=at, updated_at=at
        )
        _apply_series(series, data)
        session.add(series)
        session.flush()
    return series


def update_series(series: Series, data: SeriesData, cover_key: str | None = None) -> bool:
    """Change a series' fields (never its slug or guid); returns whether anything changed."""
    _check_series(data)
    with write_transaction():
        before = _series_values(series)
        _apply_series(series, data)
        if cover_key:
            series.cover_key = cover_key
        changed = _series_values(series) != before
        if changed:
            series.updated_at = clock.now()
    return changed


def _apply_series(series: Series, data: SeriesData) -> None:
    for name in (
        "title", "author", "owner_name", "owner_email", "description", "category",
        "subcategory", "language", "explicit", "copyright", "new_feed_url",
    ):  # fmt: skip
        value = getattr(data, name)
        setattr(series, name, value.strip() if isinstance(value, str) else value)
    series.subcategory = series.subcategory or None
    series.copyright = series.copyright or None
    series.new_feed_url = series.new_feed_url or None


def _series_values(series: Series) -> tuple[object, ...]:
    names = ("title", "author", "owner_name", "owner_email", "description", "category")
    more = ("subcategory", "language", "explicit", "copyright", "new_feed_url", "cover_key")
    return tuple(getattr(series, name) for name in names + more)


# --- episodes: changing --------------------------------------------------------------------


@dataclass(frozen=True)
class GuestData:
    """A person in an episode."""

    name: str
    role: str = "guest"
    description: str = ""
    url: str | None = None


@dataclass(frozen=True)
class ChapterData:
    """A chapter mark."""

    start_ms: int
    title: str


@dataclass(frozen=True)
class EpisodeData:
    """The editable fields of an episode. An empty title or None chapters: take the file's."""

    title: str = ""
    number: int | None = None
    season: int | None = None
    episode_type: EpisodeType = EpisodeType.FULL
    show_notes: str = ""
    explicit: bool = False
    status: EpisodeStatus = EpisodeStatus.DRAFT
    publish_at: datetime | None = None
    guests: tuple[GuestData, ...] = ()
    theme_slugs: tuple[str, ...] = ()
    chapters: tuple[ChapterData, ...] | None = None
    slug: str | None = None


def new_episode(series: Series, data: EpisodeData, title: str) -> Episode:
    """A new episode row with a fresh guid and a slug unique in the series (not yet added)."""
    at = clock.now()
    episode = Episode(
        series_id=series.id,
        guid=str(uuid.uuid4()),  # random, never derived from title or URL, never changed
        slug=_free_slug(series, data.slug or title),
        created_at=at,
        updated_at=at,
    )
    episode.series = series
    return episode


def _free_slug(series: Series, wanted: str) -> str:
    base = slugify(wanted)[:100] or "aflevering"
    taken = set(
        db.session.scalars(
            select(Episode.slug).where(
                Episode.series_id == series.id, Episode.slug.like(f"{base}%")
            )
        )
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def apply_episode_data(episode: Episode, data: EpisodeData, title: str) -> None:
    """Copy the editable fields onto an episode (inside the caller's transaction)."""
    if not title.strip():
        raise PodcastError("Geef de aflevering een titel.")
    themes = _themes(data.theme_slugs)
    episode.title = title.strip()
    episode.number, episode.season = data.number, data.season
    episode.episode_type, episode.explicit = data.episode_type, data.explicit
    episode.show_notes = data.show_notes.strip()
    episode.status = data.status
    publish_at = data.publish_at
    if data.status == EpisodeStatus.PUBLISHED and publish_at is None:
        publish_at = episode.publish_at or clock.now()
    episode.publish_at = publish_at
    episode.guests = [
        Guest(position=i, name=g.name.strip(), role=g.role, description=g.description.strip(),
              url=g.url or None)
        for i, g in enumerate(data.guests)
        if g.name.strip()
    ]  # fmt: skip
    episode.themes = themes
    if data.chapters is not None:
        episode.chapters = [{"start_ms": c.start_ms, "title": c.title} for c in data.chapters]


def _themes(slugs: Sequence[str]) -> list[Theme]:
    try:
        return themes_by_slugs(slugs)
    except ValueError as error:
        raise PodcastError(str(error)) from error


def update_episode(episode: Episode, data: EpisodeData) -> None:
    """Save an editor's changes; the guid and slug stay as they are."""
    with write_transaction():
        apply_episode_data(episode, data, data.title or episode.title)
        touch(episode)


def differs(episode: Episode, data: EpisodeData) -> bool:
    """Whether saving ``data`` would change the episode (content loading stays idempotent)."""
    publish_at = data.publish_at
    if data.status == EpisodeStatus.PUBLISHED and publish_at is None:
        publish_at = episode.publish_at
    current = (
        episode.title, episode.number, episode.season, episode.episode_type, episode.show_notes,
        episode.explicit, episode.status, episode.publish_at,
        [(g.name, g.role, g.description, g.url) for g in episode.guests],
        sorted(t.slug for t in episode.themes),
    )  # fmt: skip
    wanted = (
        data.title.strip() or episode.title, data.number, data.season, data.episode_type,
        data.show_notes.strip(), data.explicit, data.status, publish_at,
        [(g.name.strip(), g.role, g.description.strip(), g.url or None) for g in data.guests
         if g.name.strip()],
        sorted(set(data.theme_slugs)),
    )  # fmt: skip
    chapters = [{"start_ms": c.start_ms, "title": c.title} for c in data.chapters or ()]
    return current != wanted or (data.chapters is not None and chapters != episode.chapters)


def touch(episode: Episode) -> None:
    """Mark an episode and its series changed (the series' time keys the feed cache)."""
    at = clock.now()
    episode.updated_at = at
    episode.series.updated_at = at


def delete_episode(episode: Episode) -> None:
    """Remove an episode (its audio file stays in storage, which is shared by content)."""
    with write_transaction() as session:
        episode.series.updated_at = clock.now()
        session.delete(episode)

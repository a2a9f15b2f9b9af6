"""What the public pages show, as frozen page objects built in a few queries per page.

Beyond the models: clock times, chapters, the transcript as paragraphs, schema.org JSON-LD and
Open Graph properties. Views hand a page object to its template (:func:`context`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from typing import Any

from kispub.core.durations import clock, iso_duration
from kispub.core.links import LinkedItem, linking_items, unique_by_url
from kispub.core.localtime import amsterdam_iso
from kispub.core.markdown import markdown_to_text
from kispub.core.storage import get_storage
from kispub.podcast import queries
from kispub.podcast.links import (
    EPISODE_KIND,
    audio_url,
    episode_url,
    feed_url,
    image_url,
    series_image_url,
    series_url,
)
from kispub.podcast.media.transcripts import Paragraph, TranscriptError, parse_transcript
from kispub.podcast.media.transcripts import transcript_paragraphs as _paragraphs
from kispub.podcast.models import PERSON_ROLES, Episode, Series

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexPage:
    """The channel's front page: every series and the newest episodes."""

    all_series: list[Series]
    latest: list[Episode]
    feeds: list[tuple[str, str]]  # (series title, feed URL)


@dataclass(frozen=True)
class SeriesPage:
    """One page of a series' episodes, newest first."""

    series: Series
    page: queries.Page
    feed_url: str
    open_graph: list[tuple[str, str]]
    metadata: dict[str, Any]


@dataclass(frozen=True)
class EpisodePage:
    """An episode page: player, chapters, show notes, guests, transcript, related ateliers."""

    episode: Episode
    audio_url: str
    feed_url: str
    chapters: list[ChapterLink]
    transcript: list[Paragraph]
    ateliers: list[LinkedItem]
    dossiers: list[LinkedItem]  # the dossiers that include the episode
    roles: dict[str, str]
    open_graph: list[tuple[str, str]]
    metadata: dict[str, Any]
    preview: bool = False  # opened through a preview link: not published (yet)


def context(page: IndexPage | SeriesPage | EpisodePage) -> dict[str, Any]:
    """A page object's fields as template variables (nested objects stay as they are)."""
    return {field.name: getattr(page, field.name) for field in fields(page)}


def index_page() -> IndexPage:
    """Every series with its feed, and the three newest episodes."""
    series = queries.all_series()
    feeds = [(s.title, feed_url(s)) for s in series]
    return IndexPage(series, queries.latest_episodes(3), feeds)


def series_page(slug: str, number: int) -> SeriesPage | None:
    """Page ``number`` of a series; None when the series or the page does not exist."""
    series = queries.series_by_slug(slug)
    if series is None or number < 1:
        return None
    page = queries.episode_page(series, number)
    if page.number > page.pages:
        return None
    og = open_graph(
        series.title,
        markdown_to_text(series.description),
        series_url(series),
        series_image_url(series),
        type="website",
    )
    return SeriesPage(series, page, feed_url(series), og, series_metadata(series))


def episode_page(series_slug: str, episode_slug: str) -> EpisodePage | None:
    """A visible episode's page; None when there is no such visible episode."""
    episode = queries.visible_episode(series_slug, episode_slug)
    if episode is None:
        return None
    return _episode_page(episode, audio_url(episode))


def preview_page(episode_id: int, preview_audio_url: str) -> EpisodePage | None:
    """Any episode's page for a preview link, its audio from ``preview_audio_url``.

    Without Open Graph or JSON-LD: those name the public address, which may not exist yet.
    """
    episode = queries.episode_for_editing(episode_id)
    if episode is None:
        return None
    page = _episode_page(episode, preview_audio_url)
    return replace(page, open_graph=[], metadata={}, preview=True)


def _episode_page(episode: Episode, audio: str) -> EpisodePage:
    return EpisodePage(
        episode=episode,
        audio_url=audio,
        feed_url=feed_url(episode.series),
        chapters=chapter_links(episode),
        transcript=transcript(episode),
        ateliers=linking_items(EPISODE_KIND, episode.id, "atelier"),
        dossiers=unique_by_url(linking_items(EPISODE_KIND, episode.id, "dossier")),
        roles=PERSON_ROLES,
        open_graph=episode_open_graph(episode),
        metadata=episode_metadata(episode),
    )


def seconds(ms: int) -> str:
    """Seconds for a Media Fragment ("#t=12.5") or a data attribute."""
    return f"{ms / 1000:g}"


@dataclass(frozen=True)
class ChapterLink:
    """A chapter as a clickable timestamp."""

    start_ms: int
    title: str

    @property
    def seconds(self) -> str:
        """The Media Fragments time ("#t=12.5")."""
        return seconds(self.start_ms)

    @property
    def clock(self) -> str:
        return clock(self.start_ms)


def chapter_links(episode: Episode) -> list[ChapterLink]:
    """The episode's chapters in start order."""
    rows = sorted(episode.chapters or [], key=lambda c: c["start_ms"])
    return [ChapterLink(int(c["start_ms"]), str(c["title"])) for c in rows]


def transcript(episode: Episode) -> list[Paragraph]:
    """The transcript as paragraphs for reading; empty if there is none."""
    if not episode.transcript_key:
        return []
    path = str(get_storage().path(episode.transcript_key))
    return list(_cached_paragraphs(episode.transcript_key, path))


@lru_cache(maxsize=16)  # transcripts are at most 2 MB; most are far smaller
def _cached_paragraphs(key: str, path: str) -> tuple[Paragraph, ...]:
    # Keys are content hashes, so a key's paragraphs never change: caching by key is safe.
    try:
        with open(path, "rb") as handle:
            return tuple(_paragraphs(parse_transcript(handle.read())))
    except (OSError, TranscriptError):
        logger.exception("transcript %s could not be read", key)
        return ()


def episode_metadata(episode: Episode) -> dict[str, Any]:
    """schema.org PodcastEpisode JSON-LD."""
    series = episode.series
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "PodcastEpisode",
        "url": episode_url(episode),
        "name": episode.title,
        "description": markdown_to_text(episode.show_notes) or episode.title,
        "timeRequired": iso_duration(episode.duration_ms),
        "associatedMedia": {
            "@type": "MediaObject",
            "contentUrl": audio_url(episode),
            "encodingFormat": episode.audio_mime,
            "duration": iso_duration(episode.duration_ms),
            "contentSize": str(episode.audio_size),
        },
        "partOfSeries": {"@type": "PodcastSeries", "name": series.title, "url": series_url(series)},
        "image": image_url(episode.cover_key) or series_image_url(series),
        "inLanguage": series.language,
    }
    if episode.publish_at is not None:
        # The instant with Amsterdam's offset: its UTC date is the day before for an evening.
        data["datePublished"] = amsterdam_iso(episode.publish_at)
    if episode.number is not None:
        data["episodeNumber"] = episode.number
    if episode.guests:
        data["contributor"] = [{"@type": "Person", "name": g.name} for g in episode.guests]
    return data


def series_metadata(series: Series) -> dict[str, Any]:
    """schema.org PodcastSeries JSON-LD."""
    return {
        "@context": "https://schema.org",
        "@type": "PodcastSeries",
        "name": series.title,
        "description": markdown_to_text(series.description) or series.title,
        "url": series_url(series),
        "webFeed": feed_url(series),
        "image": series_image_url(series),
        "inLanguage": series.language,
        "author": {"@type": "Organization", "name": series.author},
    }


def episode_open_graph(episode: Episode) -> list[tuple[str, str]]:
    """Open Graph properties of an episode page, its audio included."""
    return open_graph(
        episode.title,
        markdown_to_text(episode.show_notes) or episode.series.title,
        episode_url(episode),
        image_url(episode.cover_key) or series_image_url(episode.series),
        type="article",
        audio=audio_url(episode),
        audio__type=episode.audio_mime,
    )


def open_graph(
    title: str, description: str, url: str, image: str, **more: str
) -> list[tuple[str, str]]:
    """Open Graph properties as (property, content) pairs."""
    pairs = [
        ("og:title", title),
        ("og:description", description[:300]),
        ("og:url", url),
        ("og:image", image),
        ("og:site_name", "Kennisplatform Integratie & Samenleving"),
        ("og:locale", "nl_NL"),
    ]
    return pairs + [(f"og:{name.replace('__', ':')}", value) for name, value in more.items()]

"""What the pages show beyond the model: clock times, chapters, transcript, page metadata."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from kispub.core.markdown import markdown_to_text
from kispub.core.storage import get_storage
from kispub.podcast.models import Episode, EpisodeStatus, Series
from kispub.podcast.transcripts import Paragraph, TranscriptError, parse_transcript
from kispub.podcast.transcripts import transcript_paragraphs as _paragraphs
from kispub.podcast.urls import (
    audio_url,
    episode_url,
    feed_url,
    image_url,
    series_image_url,
    series_url,
)

logger = logging.getLogger(__name__)


def clock(ms: int) -> str:
    """A timestamp as players show it: "4:05" or "1:02:03"."""
    hours, rest = divmod(ms // 1000, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def seconds(ms: int) -> str:
    """Seconds for a Media Fragment ("#t=12.5") or a data attribute."""
    return f"{ms / 1000:g}"


def duration_label(ms: int) -> str:
    """A length for people: "45 sec", "12 min", "1 uur 5 min"."""
    seconds = round(ms / 1000)
    if seconds < 60:
        return f"{seconds} sec"
    hours, minutes = divmod(round(seconds / 60), 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} uur {minutes} min" if minutes else f"{hours} uur"


def iso_duration(ms: int) -> str:
    """ISO 8601 duration for schema.org, e.g. "PT1H2M3S"."""
    hours, rest = divmod(round(ms / 1000), 3600)
    minutes, seconds = divmod(rest, 60)
    text = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return f"PT{text}{seconds}S"


def state_label(episode: Episode, now: datetime) -> str:
    """ "Concept", "Gepland" or "Gepubliceerd" for the back office."""
    if episode.status == EpisodeStatus.DRAFT:
        return "Concept"
    if episode.publish_at is not None and episode.publish_at > now:
        return "Gepland"
    return "Gepubliceerd"


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
        data["datePublished"] = episode.publish_at.date().isoformat()
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

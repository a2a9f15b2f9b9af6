"""The public, absolute addresses of a series and its episodes (feeds, players, JSON-LD)."""

from __future__ import annotations

from kispub.core.urls import absolute_url
from kispub.podcast.models import Episode, Series


def series_url(series: Series) -> str:
    return absolute_url("podcast.series", series=series.slug)


def feed_url(series: Series) -> str:
    return absolute_url("podcast.feed", series=series.slug)


def episode_url(episode: Episode) -> str:
    return absolute_url("podcast.episode", series=episode.series.slug, episode=episode.slug)


def audio_url(episode: Episode) -> str:
    """The enclosure URL: by guid, so it survives title and slug changes."""
    return absolute_url("podcast.audio", guid=episode.guid, ext=episode.audio_extension[1:])


def image_url(key: str | None) -> str | None:
    """A stored cover image, or None."""
    return absolute_url("podcast.image", key=key) if key else None


def series_image_url(series: Series) -> str:
    """The series cover; a series without one falls back to the site icon."""
    return image_url(series.cover_key) or absolute_url("static", filename="favicon.svg")


def chapters_url(episode: Episode) -> str | None:
    if not episode.chapters:
        return None
    return absolute_url("podcast.chapters", series=episode.series.slug, episode=episode.slug)


def transcript_url(episode: Episode) -> str | None:
    if not episode.transcript_key:
        return None
    ext = "vtt" if episode.transcript_type == "text/vtt" else "srt"
    return absolute_url(
        "podcast.transcript", series=episode.series.slug, episode=episode.slug, ext=ext
    )

"""Where podcast content lives, and what the channel offers other channels to link to.

The public, absolute addresses of a series, its episodes and their files (feeds, players,
JSON-LD); the "episode" content kind that ateliers link to (:mod:`kispub.core.links`); and the
podcast's section on theme pages.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import url_for

from kispub.core import clock
from kispub.core.dates import day_date, long_date
from kispub.core.links import LinkedItem
from kispub.core.markdown import markdown_to_text
from kispub.core.urls import absolute_url
from kispub.podcast import queries
from kispub.podcast.models import Episode, Series
from kispub.themes.models import Theme
from kispub.themes.registry import ThemeItem, ThemeSection

EPISODE_KIND = "episode"


def series_url(series: Series) -> str:
    """The series page."""
    return absolute_url("podcast.series", series=series.slug)


def feed_url(series: Series) -> str:
    """The series' RSS feed."""
    return absolute_url("podcast.feed", series=series.slug)


def episode_url(episode: Episode) -> str:
    """The episode page."""
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
    """The JSON Chapters document, when the episode has chapters."""
    if not episode.chapters:
        return None
    return absolute_url("podcast.chapters", series=episode.series.slug, episode=episode.slug)


def transcript_url(episode: Episode) -> str | None:
    """The transcript file, when there is one."""
    if not episode.transcript_key:
        return None
    ext = "vtt" if episode.transcript_type == "text/vtt" else "srt"
    return absolute_url(
        "podcast.transcript", series=episode.series.slug, episode=episode.slug, ext=ext
    )


# --- what other channels see ---------------------------------------------------------


def resolve_episodes(ids: Sequence[int]) -> list[LinkedItem]:
    """Visible episodes as other channels show them (the "episode" content kind)."""
    return [
        LinkedItem(
            kind=EPISODE_KIND,
            id=episode.id,
            title=episode.title,
            url=url_for("podcast.episode", series=episode.series.slug, episode=episode.slug),
            meta=f"Podcast · {day_date(episode.publish_at)}" if episode.publish_at else "Podcast",
        )
        for episode in queries.visible_episodes(ids)
    ]


def episode_choices() -> list[LinkedItem]:
    """Every episode an editor can link to, drafts and scheduled ones too, newest first."""
    now = clock.now()
    return [
        LinkedItem(
            kind=EPISODE_KIND,
            id=episode.id,
            title=episode.title,
            url=absolute_url("podcast_admin.edit_episode", episode_id=episode.id),
            meta=f"{episode.series.title} · {episode.state_label(now)}",
        )
        for episode in queries.every_episode()
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
        for episode in queries.episodes_for_theme(theme)
    )
    return ThemeSection(title="Podcast", items=items) if items else None

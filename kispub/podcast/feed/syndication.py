"""From series and episodes to the RSS feed.

The feed is a file in the public folder (:mod:`kispub.podcast.publishing` writes it), rebuilt
only when what it shows changes. One indexed query (:func:`kispub.podcast.queries.feed_states`)
gives each series' state: its change time (which every edit of the series or one of its
episodes moves) and the publication time of its newest episode that is visible *now*. That
pair, with the site's address, is the feed's stamp: an edit, a removal or a scheduled
episode falling due gives a new stamp, and only then is the feed rendered again.
"""

from __future__ import annotations

from datetime import datetime

from markupsafe import escape

from kispub.core.markdown import markdown_to_text, render_markdown
from kispub.core.urls import base_url
from kispub.podcast import queries
from kispub.podcast.feed.rss import FeedEpisode, FeedSeries, Person, render_feed
from kispub.podcast.links import (
    audio_url,
    chapters_url,
    episode_url,
    feed_url,
    image_url,
    series_image_url,
    series_url,
    transcript_url,
)
from kispub.podcast.models import Episode, Series

RSS_MIMETYPE = "application/rss+xml"
FEED_MAX_AGE = 300  # seconds; apps poll far less often, and a due episode shows within this


def feed_stamp(state: queries.FeedState) -> str:
    """What a feed's bytes depend on; the same stamp, the same feed."""
    published = state.newest_published_at.isoformat() if state.newest_published_at else "-"
    return f"{state.updated_at.isoformat()} {published} {base_url()}"


def render_series_feed(state: queries.FeedState) -> bytes:
    """The RSS bytes of the series in ``state``."""
    published = state.newest_published_at
    last_modified = max(state.updated_at, published) if published else state.updated_at
    series = queries.series_by_id(state.series_id)
    assert series is not None
    return build_feed(series, last_modified)


def build_feed(series: Series, last_modified: datetime) -> bytes:
    """The RSS bytes of a series with every visible episode."""
    episodes = [feed_episode(episode) for episode in queries.feed_episodes(series)]
    return render_feed(feed_series(series, last_modified), episodes)


def feed_series(series: Series, last_modified: datetime) -> FeedSeries:
    """Channel data; ``last_modified`` is the newest change of anything in the feed."""
    return FeedSeries(
        title=series.title,
        description=markdown_to_text(series.description) or series.title,
        link=series_url(series),
        feed_url=feed_url(series),
        author=series.author,
        owner_name=series.owner_name,
        owner_email=series.owner_email,
        image_url=series_image_url(series),
        updated_at=last_modified,
        language=series.language,
        category=series.category,
        subcategory=series.subcategory,
        explicit=series.explicit,
        copyright=series.copyright,
        new_feed_url=series.new_feed_url,
        guid=series.podcast_guid,
    )


def feed_episode(episode: Episode) -> FeedEpisode:
    """Item data of one visible episode."""
    assert episode.publish_at is not None
    transcript = transcript_url(episode)
    notes_html = str(render_markdown(episode.show_notes)) or f"<p>{escape(episode.title)}</p>"
    return FeedEpisode(
        guid=episode.guid,
        title=episode.title,
        link=episode_url(episode),
        description_html=notes_html,
        summary_text=markdown_to_text(episode.show_notes),
        published_at=episode.publish_at,
        enclosure_url=audio_url(episode),
        enclosure_length=episode.audio_size,
        enclosure_type=episode.audio_mime,
        duration_seconds=episode.duration_seconds,
        number=episode.number,
        season=episode.season,
        episode_type=episode.episode_type.value,
        explicit=episode.explicit,
        image_url=image_url(episode.cover_key),
        transcript_url=transcript,
        transcript_type=episode.transcript_type if transcript else None,
        chapters_url=chapters_url(episode),
        chapters=tuple((c["start_ms"], c["title"]) for c in episode.chapters),
        persons=tuple(Person(g.name, g.role, g.url) for g in episode.guests),
    )

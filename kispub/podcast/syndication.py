"""From series and episodes to the feed.py data, rendered as RSS."""

from __future__ import annotations

from datetime import datetime

from markupsafe import escape

from kispub.core.markdown import markdown_to_text, render_markdown
from kispub.podcast.feed import FeedEpisode, FeedSeries, Person, render_feed
from kispub.podcast.models import Episode, Series
from kispub.podcast.queries import feed_episodes
from kispub.podcast.urls import (
    audio_url,
    chapters_url,
    episode_url,
    feed_url,
    image_url,
    series_image_url,
    series_url,
    transcript_url,
)


def build_feed(series: Series, last_modified: datetime) -> bytes:
    """The RSS bytes of a series with every visible episode."""
    episodes = [feed_episode(episode) for episode in feed_episodes(series)]
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

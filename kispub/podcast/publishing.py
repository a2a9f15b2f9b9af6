"""The podcast's public files: each series' feed and the audio of every visible episode.

:mod:`kispub.core.public` runs :func:`publish_files` in the worker after every change to a
series or an episode, when a scheduled episode falls due, and once a minute. The folder then
holds exactly what is public now: a feed per series that has not moved (a moved one is left
to the app, which answers 301), and a symlink per visible episode to its audio in the media
folder, so a draft, a scheduled or an unpublished episode's audio is simply not there.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial

from kispub.core import public
from kispub.core.storage import get_storage, parse_key
from kispub.podcast import queries
from kispub.podcast.feed.syndication import feed_stamp, render_series_feed
from kispub.podcast.models import Episode, EpisodeStatus

log = logging.getLogger(__name__)

AUDIO_FOLDER = "podcast/audio"
AUDIO_TYPES = {"mp3": "audio/mpeg", "m4a": "audio/mp4", "ogg": "audio/ogg", "opus": "audio/ogg"}


def feed_path(slug: str) -> str:
    """The feed's URL path, which is its place in the public folder."""
    return f"podcast/{slug}/feed.xml"


def audio_path(guid: str, extension: str) -> str:
    """An enclosure's URL path (``extension`` without its dot)."""
    return f"{AUDIO_FOLDER}/{guid}.{extension}"


def publish_files(rebuild: bool) -> None:
    """Bring the feeds and the audio in the public folder in line with the database.

    Feeds are rendered again only when their stamp changed, or on ``rebuild``.
    """
    _publish_feeds(rebuild)
    _publish_audio()


def falls_due_at(row: object) -> datetime | None:
    """When a changed episode's files must change by themselves: a scheduled publication."""
    if isinstance(row, Episode) and row.status == EpisodeStatus.PUBLISHED:
        return row.publish_at
    return None


def _publish_feeds(rebuild: bool) -> None:
    states = queries.feed_states()
    for state in states:
        path = feed_path(state.slug)
        if state.new_feed_url:
            public.remove(path)
        else:
            build = partial(render_series_feed, state)
            public.write_stamped(path, feed_stamp(state), build, rebuild=rebuild)
    current = {state.slug for state in states if not state.new_feed_url}
    for slug in public.names("podcast") - current:
        public.remove(feed_path(slug))  # a renamed or deleted series


def _publish_audio() -> None:
    storage = get_storage()
    wanted = {
        f"{guid}{parse_key(key).extension}": storage.path(key)
        for guid, key in queries.published_audio()
    }
    for name in public.names(AUDIO_FOLDER) - wanted.keys():
        public.remove(f"{AUDIO_FOLDER}/{name}")
    for name, target in wanted.items():
        if target.exists():
            public.link(f"{AUDIO_FOLDER}/{name}", target)
        else:  # a restore without its media: better a 404 than a link to nothing
            log.error("audio of a published episode is missing: %s", target)

"""Serving the feed from a cache with validators, and the audio with ranges and counting.

The feed is rebuilt only when what it shows changes. One indexed query gives the series'
state: its change time (which every edit of the series or one of its episodes moves) and
the publication time of its newest episode that is visible *now*. That pair is the cache
key, so an edit, a removal or a scheduled episode falling due gives a new key, and anything
else is served from the process's cache (ETag, Last-Modified, 304) without rendering.
"""

from __future__ import annotations

import gzip
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Response, abort, current_app, request
from sqlalchemy import bindparam, select
from sqlalchemy.exc import SQLAlchemyError

from kispub.core import clock
from kispub.core.http import Document, conditional_document, serve_file
from kispub.core.storage import get_storage
from kispub.core.urls import base_url
from kispub.extensions import db
from kispub.podcast.downloads import AudioRequest, record_request
from kispub.podcast.models import Episode, EpisodeStatus, Series
from kispub.podcast.queries import AudioFile
from kispub.podcast.syndication import build_feed

logger = logging.getLogger(__name__)

RSS_MIMETYPE = "application/rss+xml"
FEED_MAX_AGE = 300  # seconds; apps poll far less often, and a due episode shows within this
AUDIO_MAX_AGE = 86400


@dataclass(frozen=True)
class _FeedState:
    """What decides the feed's content, from one query."""

    series_id: int
    new_feed_url: str | None
    key: tuple[Any, ...]
    last_modified: datetime


# Built once: a feed request that is answered from the cache costs just this query.
_FEED_STATE = select(
    Series.id,
    Series.updated_at,
    Series.new_feed_url,
    select(Episode.publish_at)
    .where(
        Episode.series_id == Series.id,
        Episode.status == EpisodeStatus.PUBLISHED,
        Episode.publish_at <= bindparam("now"),
    )
    .order_by(Episode.publish_at.desc())
    .limit(1)
    .correlate(Series)
    .scalar_subquery(),
).where(Series.slug == bindparam("slug"))


def _feed_state(slug: str) -> _FeedState | None:
    """The cache key in one indexed lookup: the series, and its newest visible episode.

    Every change to a series or any of its episodes moves ``series.updated_at`` (see
    services.touch); the newest publication time that has passed moves when a scheduled
    episode falls due. Nothing else changes what the feed shows.
    """
    row = db.session.execute(_FEED_STATE, {"slug": slug, "now": clock.now()}).first()
    if row is None:
        return None
    series_id, updated_at, new_feed_url, published = row
    last_modified = max(updated_at, published) if published else updated_at
    key = (updated_at, new_feed_url, published, base_url())
    return _FeedState(series_id, new_feed_url, key, last_modified)


@dataclass(frozen=True)
class FeedDocuments:
    """One rendering of a feed, as is and gzipped (each with its own ETag)."""

    plain: Document
    gzipped: Document


def feed_documents(slug: str) -> tuple[_FeedState, FeedDocuments] | None:
    """The series' feed, from the cache when nothing it shows has changed."""
    state = _feed_state(slug)
    if state is None:
        return None
    cache: dict[int, tuple[tuple[Any, ...], FeedDocuments]] = current_app.extensions.setdefault(
        "podcast_feed_cache", {}
    )
    cached = cache.get(state.series_id)
    if cached is not None and cached[0] == state.key:
        return state, cached[1]
    series = db.session.get(Series, state.series_id)
    assert series is not None
    body = build_feed(series, state.last_modified)
    documents = FeedDocuments(
        Document(body, RSS_MIMETYPE, state.last_modified),
        Document(gzip.compress(body, mtime=0), RSS_MIMETYPE, state.last_modified),
    )
    _ = documents.plain.etag, documents.gzipped.etag  # hash now, not per request
    cache[state.series_id] = (state.key, documents)
    return state, documents


def feed_response(slug: str) -> Response:
    """The feed with validators; a moved feed answers 301 and still carries its body."""
    found = feed_documents(slug)
    if found is None:
        abort(404)
    state, documents = found
    if state.new_feed_url:
        # Apple: redirect with 301 *and* keep itunes:new-feed-url in the old feed.
        response = Response(documents.plain.body, status=301, mimetype=RSS_MIMETYPE)
        response.headers["Location"] = state.new_feed_url
        return response
    # Podcast apps accept gzip; the feed of a long-running show shrinks about tenfold.
    gzipped = request.accept_encodings["gzip"] > 0
    response = conditional_document(
        documents.gzipped if gzipped else documents.plain, max_age=FEED_MAX_AGE
    )
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response


# --- audio -----------------------------------------------------------------------------


def audio_response(audio: AudioFile, *, count: bool = True) -> Response:
    """An episode's audio with Range support, counted as a download where it qualifies."""
    path = get_storage().path(audio.key)
    response = serve_file(path, audio.mime_type, audio.sha256, AUDIO_MAX_AGE)
    if count:
        _count(audio, response)
    return response


def _count(audio: AudioFile, response: Response) -> None:
    interval = served_interval(response, audio.size)
    if interval is None:
        return
    audio_request = AudioRequest(
        episode_id=audio.episode_id,
        size=audio.size,
        audio_offset=audio.audio_offset,
        bytes_per_second=audio.bytes_per_second,
        start=interval[0],
        stop=interval[1],
        address=request.remote_addr or "",
        user_agent=request.headers.get("User-Agent", ""),
        at=clock.now(),
    )
    try:
        record_request(audio_request)
    except SQLAlchemyError:
        # Counting must never cost a listener their episode.
        logger.exception("could not count an audio request")
        db.session.rollback()


def served_interval(response: Response, size: int) -> tuple[int, int] | None:
    """The bytes [start, stop) a GET response sends, or None (HEAD, 304, 416)."""
    if request.method != "GET":
        return None
    if "X-Accel-Redirect" in response.headers:  # nginx answers the Range itself
        if request.range is None:
            return (0, size)
        bounds = request.range.range_for_length(size)
        return None if bounds is None else bounds
    if response.status_code == 200:
        return (0, size)
    if response.status_code == 206 and response.content_range.stop is not None:
        return (response.content_range.start or 0, response.content_range.stop)
    return None

"""Sending an episode's audio: Range requests in constant memory, and counting downloads.

The routes are in :mod:`kispub.podcast.views` (the enclosure) and
:mod:`kispub.podcast.admin` (the editors' preview); this is the HTTP work they share. The body
is sent by :func:`kispub.core.http.serve_file` (or by nginx via X-Accel-Redirect); the bytes a
GET actually sends are handed to :mod:`kispub.podcast.downloads` for IAB counting.
"""

from __future__ import annotations

import logging

from flask import Response, request
from sqlalchemy.exc import SQLAlchemyError

from kispub.core import clock, public
from kispub.core.http import serve_file
from kispub.core.storage import get_storage
from kispub.extensions import db
from kispub.podcast import queries
from kispub.podcast.downloads import AudioRequest, record_request
from kispub.podcast.publishing import AUDIO_TYPES, audio_path
from kispub.podcast.queries import AudioFile

logger = logging.getLogger(__name__)

AUDIO_MAX_AGE = 86400


def audio_response(audio: AudioFile, *, count: bool = True, private: bool = False) -> Response:
    """An episode's audio with Range support, counted as a download where it qualifies.

    ``private`` audio (the editors' preview, drafts included) is never kept by any cache.
    """
    path = get_storage().path(audio.key)
    response = serve_file(path, audio.mime_type, audio.sha256, AUDIO_MAX_AGE, private=private)
    if count:
        _count(audio, response)
    return response


def published_audio_response(guid: str, extension: str) -> Response | None:
    """An enclosure from the public folder, as nginx serves it there; None: not published.

    Without nginx in front this is where listeners get the audio; the public folder decides
    what is published (:mod:`kispub.podcast.publishing`), so both servers agree.
    """
    try:
        target = public.path_of(audio_path(guid, extension)).resolve(strict=True)
        stat = target.stat()
    except (public.UnsafePath, OSError):
        return None
    etag = public.nginx_etag(stat.st_size, stat.st_mtime)
    response = serve_file(target, AUDIO_TYPES[extension], etag, AUDIO_MAX_AGE)
    found = queries.visible_audio(guid)
    if found is not None:
        _count(found, response)
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

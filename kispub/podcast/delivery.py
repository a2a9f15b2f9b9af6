"""Sending an episode's audio: Range requests in constant memory, logged for counting.

The routes are in :mod:`kispub.podcast.views` (the enclosure and the preview) and
:mod:`kispub.podcast.admin` (the editors' preview); this is the HTTP work they share. The body
is sent by :func:`kispub.core.http.serve_file`. A public
request is written to the access log as nginx would have logged it; the worker's ingest
counts downloads from there (:mod:`kispub.podcast.logcount`), the same way for both.
"""

from __future__ import annotations

from pathlib import Path

from flask import Response, request
from werkzeug.exceptions import RequestedRangeNotSatisfiable

from kispub.core import public
from kispub.core.accesslog import write_line
from kispub.core.http import serve_file
from kispub.core.storage import get_storage
from kispub.podcast.publishing import AUDIO_TYPES, audio_path
from kispub.podcast.queries import AudioFile

AUDIO_MAX_AGE = 86400


def preview_audio_response(audio: AudioFile) -> Response:
    """An episode's audio for an editor's preview, drafts included: never logged or counted,
    and never kept by any cache."""
    path = get_storage().path(audio.key)
    return _served(path, audio.mime_type, audio.sha256, audio.size, count=False, private=True)


def published_audio_response(guid: str, extension: str) -> Response | None:
    """An enclosure from the public folder, as nginx serves it there; None: not published.

    Without nginx in front this is where listeners get the audio; the public folder decides
    what is published (:mod:`kispub.podcast.publishing`), so both servers agree. The request
    is logged as nginx would log it, and counted by the ingest like nginx's lines.
    """
    try:
        target = public.path_of(audio_path(guid, extension)).resolve(strict=True)
        stat = target.stat()
    except (public.UnsafePath, OSError):
        return None
    etag = public.nginx_etag(stat.st_size, stat.st_mtime)
    return _served(target, AUDIO_TYPES[extension], etag, stat.st_size, count=True)


def _served(
    path: Path, mimetype: str, etag: str, size: int, *, count: bool, private: bool = False
) -> Response:
    try:
        response = serve_file(path, mimetype, etag, AUDIO_MAX_AGE, private=private)
    except RequestedRangeNotSatisfiable:
        if count:  # logged as nginx logs it, though it sends no audio
            write_line(416, 0, f"bytes */{size}")
        raise
    if count:
        write_line(*as_sent(response, size))
    return response


def as_sent(response: Response, size: int) -> tuple[int, int, str]:
    """The status, body bytes and Content-Range the client gets, as nginx logs them.

    The whole file for a 200, the range for a 206, nothing for HEAD, 304 and 416.
    """
    status = response.status_code
    content_range = response.headers.get("Content-Range", "")
    if request.method != "GET" or status not in (200, 206):
        return status, 0, content_range
    if status == 206 and response.content_range.stop is not None:
        sent = response.content_range.stop - (response.content_range.start or 0)
        return status, sent, content_range
    return status, response.content_length or size, content_range

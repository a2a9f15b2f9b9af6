"""HTTP helpers: conditional GET for generated documents, and file serving with Range."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import Response, current_app, request, send_file


@dataclass(frozen=True)
class Document:
    """A generated document (feed, calendar) with its validators."""

    body: bytes
    mimetype: str
    last_modified: datetime | None = None

    @property
    def etag(self) -> str:
        return hashlib.sha256(self.body).hexdigest()[:32]


def conditional_document(document: Document, max_age: int = 300) -> Response:
    """Serve a document with ETag and Last-Modified; answer 304 when the client has it."""
    response = Response(document.body, mimetype=document.mimetype)
    response.set_etag(document.etag)
    if document.last_modified is not None:
        response.last_modified = document.last_modified
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    # make_conditional turns the response into a 304 (no body) on a matching validator.
    return response.make_conditional(request)


def serve_file(path: Path, mimetype: str, etag: str, max_age: int = 86400) -> Response:
    """Serve a stored file with HEAD, single Range, If-Range, If-None-Match, in constant memory.

    With X_ACCEL_REDIRECT set (say ``/protected-media/``), the body is left to nginx.
    """
    accel_prefix = current_app.config.get("X_ACCEL_REDIRECT")
    if accel_prefix:
        media_root = Path(current_app.config["MEDIA_ROOT"]).resolve()
        response = Response(mimetype=mimetype)
        relative = path.resolve().relative_to(media_root).as_posix()
        response.headers["X-Accel-Redirect"] = accel_prefix.rstrip("/") + "/" + relative
        response.set_etag(etag)
        return response
    response = send_file(path, mimetype=mimetype, conditional=True, etag=etag, max_age=max_age)
    response.headers["Accept-Ranges"] = "bytes"
    return response

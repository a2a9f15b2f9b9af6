"""HTTP helpers: conditional GET for generated documents, and file serving with Range."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from urllib.parse import quote

from flask import Response, request, send_file


@dataclass(frozen=True)
class Document:
    """A generated document (feed, calendar) with its validators."""

    body: bytes
    mimetype: str
    last_modified: datetime | None = None

    @cached_property
    def etag(self) -> str:
        """A strong validator; hashed once per document, not per request."""
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
    response.make_conditional(request)  # changes the response in place and returns it
    return response


def serve_file(
    path: Path, mimetype: str, etag: str, max_age: int = 86400, *, private: bool = False
) -> Response:
    """Serve a stored file with HEAD, single Range, If-Range, If-None-Match, in constant memory.

    A ``private`` file (a draft only editors may hear) is marked so that no cache keeps it.
    What anyone may fetch in volume (feeds, published audio) is not served through here behind
    nginx: it is a file in the public folder (kispub/core/public.py) that nginx sends itself.
    """
    response = send_file(path, mimetype=mimetype, conditional=True, etag=etag, max_age=max_age)
    response.headers["Accept-Ranges"] = "bytes"
    _send_ranges_in_large_blocks(response, path)
    if private:
        not_stored(response)
    return response


_NOT_TOKEN = re.compile(r"[^A-Za-z0-9 ._()+-]+")


def content_disposition(filename: str, *, attachment: bool = False) -> str:
    """A Content-Disposition value safe for any file name (RFC 6266).

    ``filename`` gets an ASCII fallback (accents dropped, anything that could end or break
    the quoted string replaced), and ``filename*`` (RFC 5987) the name itself in UTF-8 for
    every browser that reads it.
    """
    stem, dot, extension = filename.rpartition(".")
    if not dot:
        stem, extension = filename, ""
    fallback = _ascii(stem) or "bestand"
    if _ascii(extension):
        fallback += "." + _ascii(extension)
    value = f'{"attachment" if attachment else "inline"}; filename="{fallback}"'
    if fallback != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return value


def _ascii(text: str) -> str:
    """``text`` in plain ASCII: accents dropped, other characters and quotes replaced."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_TOKEN.sub("_", plain).strip(" ._")


def not_stored(response: Response) -> None:
    """Mark a response as personal: ``Cache-Control: private, no-store``, nothing else."""
    response.headers["Cache-Control"] = "private, no-store"


RANGE_BLOCK = 256 * 1024


def _send_ranges_in_large_blocks(response: Response, path: Path) -> None:
    """Send a byte range in 256 KB blocks instead of Werkzeug's 8 KB ones.

    A whole file goes out through the server's sendfile; a range is copied through Python,
    where per-block overhead dominates (podcast apps ask for ranges all the time).
    """
    content_range = response.content_range
    if response.status_code != 206 or content_range.stop is None or response.is_sequence:
        return
    original = response.response
    response.response = _blocks(path, content_range.start or 0, content_range.stop)
    close = getattr(original, "close", None)
    if close is not None:
        close()


def _blocks(path: Path, start: int, stop: int) -> Iterator[bytes]:
    with path.open("rb") as handle:
        handle.seek(start)
        remaining = stop - start
        while remaining > 0 and (block := handle.read(min(RANGE_BLOCK, remaining))):
            remaining -= len(block)
            yield block

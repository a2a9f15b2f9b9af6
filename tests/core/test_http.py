"""Conditional GET for generated documents, and Range requests on stored files."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask

from kispub.core.http import Document, conditional_document, serve_file

BODY = b"<rss>feed</rss>"
CHANGED = datetime(2020, 11, 24, 13, 0, tzinfo=UTC)


@pytest.fixture
def http_app(app: Flask, tmp_path: Path) -> Flask:
    media = Path(app.config["MEDIA_ROOT"])
    media.mkdir(parents=True, exist_ok=True)
    (media / "clip.mp3").write_bytes(bytes(range(256)) * 40)  # 10,240 bytes

    @app.get("/test-document")
    def document():
        return conditional_document(Document(BODY, "application/rss+xml", CHANGED), max_age=60)

    @app.get("/test-file")
    def file():
        return serve_file(media / "clip.mp3", "audio/mpeg", etag="clip-v1")

    return app


def test_document_answers_304_on_etag_or_date(http_app: Flask) -> None:
    client = http_app.test_client()
    full = client.get("/test-document")
    assert full.status_code == 200 and full.data == BODY
    assert full.headers["Cache-Control"] == "public, max-age=60"
    assert full.headers["Last-Modified"] == "Tue, 24 Nov 2020 13:00:00 GMT"
    by_etag = client.get("/test-document", headers={"If-None-Match": full.headers["ETag"]})
    by_date = client.get(
        "/test-document", headers={"If-Modified-Since": full.headers["Last-Modified"]}
    )
    assert by_etag.status_code == by_date.status_code == 304
    assert by_etag.data == b""
    stale = client.get("/test-document", headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200


def test_file_ranges_suffixes_and_unsatisfiable(http_app: Flask) -> None:
    client = http_app.test_client()
    data = bytes(range(256)) * 40
    with client.get("/test-file", headers={"Range": "bytes=0-1"}) as probe:
        assert probe.status_code == 206 and probe.data == data[:2]
        assert probe.headers["Content-Range"] == "bytes 0-1/10240"
        assert probe.headers["Content-Length"] == "2"
    with client.get("/test-file", headers={"Range": "bytes=-100"}) as suffix:
        assert suffix.status_code == 206 and suffix.data == data[-100:]
    with client.get("/test-file", headers={"Range": "bytes=20000-"}) as beyond:
        assert beyond.status_code == 416
        assert beyond.headers["Content-Range"] == "bytes */10240"
    with client.head("/test-file") as head:
        assert head.status_code == 200 and head.headers["Content-Length"] == "10240"
        assert head.headers["Accept-Ranges"] == "bytes" and head.data == b""
        assert head.headers["Content-Type"] == "audio/mpeg"


def test_file_if_range_and_if_none_match(http_app: Flask) -> None:
    client = http_app.test_client()
    with client.get("/test-file") as full:
        etag = full.headers["ETag"]
    with client.get("/test-file", headers={"If-None-Match": etag}) as cached:
        assert cached.status_code == 304
    fresh = {"Range": "bytes=10-19", "If-Range": etag}
    stale = {"Range": "bytes=10-19", "If-Range": '"old-version"'}
    with client.get("/test-file", headers=fresh) as partial:
        assert partial.status_code == 206 and len(partial.data) == 10
    with client.get("/test-file", headers=stale) as whole:
        assert whole.status_code == 200 and len(whole.data) == 10240

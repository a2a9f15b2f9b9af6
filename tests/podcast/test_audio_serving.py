"""The enclosure URL: HEAD, byte ranges, validators, and only published, due episodes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kispub.core import public
from kispub.core.accesslog import ByteRange, LogLine, parse_line
from kispub.core.storage import get_storage
from kispub.podcast.models import Episode, EpisodeStatus
from tests.accesslog import log_path
from tests.clock import Clock
from tests.podcast.conftest import FIXTURES

DATA = (FIXTURES / "cbr_tagged.mp3").read_bytes()
SIZE = len(DATA)


@pytest.fixture
def episode(make_episode: Callable[..., Episode]) -> Episode:
    return make_episode("cbr_tagged.mp3")


def url(episode: Episode) -> str:
    return f"/podcast/audio/{episode.guid}{episode.audio_extension}"


def nginx_etag(episode: Episode) -> str:
    """The ETag nginx gives the file: its modification time and size in hex."""
    stat = get_storage().path(episode.audio_key).stat()
    return f'"{int(stat.st_mtime):x}-{stat.st_size:x}"'


def get(client: FlaskClient, path: str, method: str = "GET", **headers: str) -> Any:
    with client.open(path, method=method, headers=headers) as response:
        response.get_data()
        return response


def test_head_gives_type_length_and_ranges_without_a_body(
    client: FlaskClient, episode: Episode
) -> None:
    response = get(client, url(episode), "HEAD")
    assert response.status_code == 200
    assert response.mimetype == "audio/mpeg"
    assert int(response.headers["Content-Length"]) == SIZE
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["ETag"] == nginx_etag(episode)
    assert response.data == b""


def test_whole_file(client: FlaskClient, episode: Episode) -> None:
    response = get(client, url(episode))
    assert response.status_code == 200
    assert response.data == DATA
    assert "max-age=86400" in response.headers["Cache-Control"]


@pytest.mark.parametrize(
    ("header", "start", "stop"),
    [
        ("bytes=0-1", 0, 2),
        ("bytes=100-199", 100, 200),
        ("bytes=1000-", 1000, SIZE),
        ("bytes=-500", SIZE - 500, SIZE),
        (f"bytes=0-{SIZE + 5000}", 0, SIZE),
    ],
)
def test_single_byte_ranges(
    client: FlaskClient, episode: Episode, header: str, start: int, stop: int
) -> None:
    response = get(client, url(episode), Range=header)
    assert response.status_code == 206
    assert response.headers["Content-Range"] == f"bytes {start}-{stop - 1}/{SIZE}"
    assert int(response.headers["Content-Length"]) == stop - start
    assert response.data == DATA[start:stop]


def test_unsatisfiable_range_is_416(client: FlaskClient, episode: Episode) -> None:
    response = get(client, url(episode), Range=f"bytes={SIZE}-")
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{SIZE}"


def test_if_range_and_if_none_match(client: FlaskClient, episode: Episode) -> None:
    etag = nginx_etag(episode)
    same = get(client, url(episode), Range="bytes=10-19", **{"If-Range": etag})
    assert same.status_code == 206 and same.data == DATA[10:20]
    changed = get(client, url(episode), Range="bytes=10-19", **{"If-Range": '"other"'})
    assert changed.status_code == 200 and changed.data == DATA
    assert get(client, url(episode), **{"If-None-Match": etag}).status_code == 304


def test_drafts_scheduled_and_unknown_audio_are_404(
    client: FlaskClient, make_episode: Callable[..., Episode], clock: Clock
) -> None:
    draft = make_episode(status=EpisodeStatus.DRAFT)
    later = make_episode(publish_at=clock.now + timedelta(days=1))
    assert get(client, url(draft)).status_code == 404
    assert get(client, url(draft), "HEAD").status_code == 404
    assert get(client, url(later)).status_code == 404
    assert get(client, f"/podcast/audio/{later.guid}.m4a").status_code == 404
    assert get(client, "/podcast/audio/onbekend.mp3").status_code == 404
    clock.advance(days=1)
    assert get(client, url(later)).status_code == 404  # until the worker's next run
    public.publish()
    assert get(client, url(later)).status_code == 200


def test_editors_can_listen_to_a_draft(
    app: Flask, client: FlaskClient, make_episode: Callable[..., Episode], editor: Any
) -> None:
    draft = make_episode(status=EpisodeStatus.DRAFT)
    response = get(client, f"/beheer/podcast/aflevering/{draft.id}/audio", Range="bytes=0-9")
    assert response.status_code == 206 and response.data == DATA[:10]
    assert logged(app) == []  # an editor listening is no download


def logged(app: Flask) -> list[LogLine]:
    """The lines the app wrote to the access log so far."""
    path = log_path(app)
    raw = path.read_bytes().splitlines() if path.exists() else []
    lines = [parse_line(line) for line in raw]
    assert None not in lines
    return [line for line in lines if line is not None]


def test_each_request_is_logged_with_what_it_sent(
    app: Flask, client: FlaskClient, episode: Episode, clock: Clock
) -> None:
    etag = nginx_etag(episode)
    get(client, url(episode), "HEAD")
    get(client, url(episode), **{"User-Agent": "Podcastapp/2.0"})
    get(client, url(episode), Range="bytes=100-199")
    get(client, url(episode), Range=f"bytes={SIZE - 10}-{SIZE + 5000}")
    get(client, url(episode), **{"If-None-Match": etag})
    get(client, url(episode), Range=f"bytes={SIZE}-")
    get(client, "/podcast/audio/onbekend.mp3")  # a 404 of the app is no audio it served
    sent = [(line.method, line.status, line.bytes, line.range) for line in logged(app)]
    assert sent == [
        ("HEAD", 200, 0, None),
        ("GET", 200, SIZE, None),
        ("GET", 206, 100, ByteRange(100, 200, SIZE)),
        ("GET", 206, 10, ByteRange(SIZE - 10, SIZE, SIZE)),
        ("GET", 304, 0, None),
        ("GET", 416, 0, None),
    ]
    second = logged(app)[1]
    assert (second.uri, second.addr, second.ua, second.time) == (
        url(episode),
        "127.0.0.1",
        "Podcastapp/2.0",
        clock.now,
    )

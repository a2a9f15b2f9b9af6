"""deploy/ as it runs in production: Debian's nginx with deploy/nginx/kispub.conf in front of
gunicorn (deploy/gunicorn.conf.py) and the worker, on a SQLite database made by ``init-db``.

Episodes are made through the services in this process; the worker (a real Huey consumer on
the SQLite queue) writes the public folder that nginx serves. Waits poll with generous limits;
nothing asserts how fast anything happened.
"""

from __future__ import annotations

import gzip
import json
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from kispub import create_app
from kispub.core import clock
from kispub.core.preview import preview_token
from kispub.core.security import CONTENT_SECURITY_POLICY
from kispub.extensions import db
from kispub.podcast import queries, services
from kispub.podcast.links import EPISODE_KIND
from kispub.podcast.models import Episode, EpisodeStatus
from kispub.podcast.services import EpisodeData, EpisodeFiles, SeriesData
from tests.deploy.stack import (
    NGINX,
    ROOT,
    Answer,
    Processes,
    app_environment,
    flask,
    free_port,
    nginx_conf,
    request,
    start_gunicorn,
    start_nginx,
    start_worker,
    wait_for_app,
    wait_until,
)

pytestmark = [
    pytest.mark.slow,
    # Its own SQLite database whatever the suite runs on: the SQLite run of `make test` has it.
    pytest.mark.dialect_free,
    pytest.mark.skipif(not NGINX.exists(), reason=f"Debian's nginx is not installed ({NGINX})"),
]

FIXTURES = ROOT / "tests" / "podcast" / "fixtures"
AUDIO = FIXTURES / "cbr_tagged.mp3"  # six seconds: a whole download counts (IAB 2.1)
SLUG = "denkers-en-doeners"
FEED = f"/podcast/{SLUG}/feed.xml"
PODCAST_APP = "AntennaPod/3.4.0"
# Headers only the app sets: an answer carrying one came through gunicorn.
APP_ONLY = "Cross-Origin-Opener-Policy"
WAIT = 90  # seconds: a job at a publish time, else the worker's minute


@dataclass
class Stack:
    nginx: int  # ports
    app: int
    public: Path
    log: Path
    env: dict[str, str]
    flask_app: Flask
    series_id: int
    processes: Processes

    def via_nginx(self, path: str, method: str = "GET", **headers: str) -> Answer:
        self.processes.check_alive()
        return request(self.nginx, path, method, **headers)

    def via_app(self, path: str, method: str = "GET", **headers: str) -> Answer:
        return request(self.app, path, method, **headers)


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    # Not pytest's tmp_path: its folders are private to this user, and nginx's workers run
    # as www-data, as they do in production.
    folder = Path(tempfile.mkdtemp(prefix="kispub-stack-"))
    folder.chmod(0o755)
    processes = Processes(folder)
    try:
        yield _start(folder, processes)
    finally:
        processes.stop_all()
        shutil.rmtree(folder, ignore_errors=True)


def _start(folder: Path, processes: Processes) -> Stack:
    public, log = folder / "public", folder / "log" / "kispub.access.json"
    log.parent.mkdir()
    settings: dict[str, Any] = {
        "SECRET_KEY": "s" * 64,
        "BASE_URL": "https://kis.example",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'kispub.sqlite3'}",
        "MEDIA_ROOT": str(folder / "media"),
        "PUBLIC_ROOT": str(public),
        "ACCESS_LOG": str(log),
        "JOBS_SQLITE_PATH": str(folder / "jobs.sqlite3"),
        "JOBS_IMMEDIATE": False,
        "OUTBOX_DIR": str(folder / "outbox"),
        "PROXY_FIX": True,
    }
    env = app_environment(settings, folder / "instance")
    # gunicorn boots while init-db runs: the app touches no database before a request.
    app_port, port = start_gunicorn(processes, "gunicorn", env), free_port()
    flask(env, "init-db")
    app = create_app({**settings, "TESTING": True})
    series = _make_series(app)
    wait_for_app(processes, app_port)
    static = ROOT / "kispub" / "static"
    values = {"port": port, "app_port": app_port, "public": public, "log": log, "static": static}
    start_nginx(processes, nginx_conf(folder, values), port)
    start_worker(processes, env)
    return Stack(port, app_port, public, log, env, app, series, processes)


def _make_series(app: Flask) -> int:
    with app.test_request_context():
        data = SeriesData(
            title="Denkers en doeners",
            author="Kennisplatform Integratie & Samenleving",
            owner_name="Redactie KIS",
            owner_email="podcast@kis.example",
            slug=SLUG,
        )
        created = services.create_series(data, (FIXTURES / "cover_1400.jpg").read_bytes())
        assert created.item is not None
        return created.item.id


@dataclass(frozen=True)
class Made:
    """An episode as the test needs it after its session has gone."""

    id: int
    guid: str
    audio_path: str


def _make_episode(stack: Stack, title: str, publish_in: timedelta | None = None) -> Made:
    publish_at = clock.now() + publish_in if publish_in else None
    data = EpisodeData(title=title, status=EpisodeStatus.PUBLISHED, publish_at=publish_at)
    with stack.flask_app.test_request_context(), AUDIO.open("rb") as stream:
        created = services.create_episode(stack.series_id, data, EpisodeFiles(stream))
        episode = created.item
        assert episode is not None
        path = f"/podcast/audio/{episode.guid}{episode.audio_extension}"
        return Made(episode.id, episode.guid, path)


def _served_by_nginx(answer: Answer) -> bool:
    return answer.status == 200 and APP_ONLY not in answer.headers


def test_the_feed_through_nginx_is_the_apps_byte_for_byte_plain_and_gzipped(stack: Stack) -> None:
    episode = _make_episode(stack, "Over de feed")
    # The worker writes the feed into the public folder; nginx then sends it itself.
    wait_until(
        lambda: (
            episode.guid.encode() in stack.via_nginx(FEED).body
            and _served_by_nginx(stack.via_nginx(FEED))
        ),
        WAIT,
        "the feed file, served by nginx",
    )
    plain_nginx, plain_app = stack.via_nginx(FEED), stack.via_app(FEED)
    assert plain_nginx.body == plain_app.body
    assert plain_nginx.body == (stack.public / FEED.lstrip("/")).read_bytes()
    assert plain_nginx.header("Content-Type") == "application/rss+xml; charset=utf-8"
    assert plain_nginx.header("Cache-Control") == "public, max-age=300"
    assert plain_nginx.header("ETag") == plain_app.header("ETag")

    zipped_nginx = stack.via_nginx(FEED, Accept_Encoding="gzip")
    zipped_app = stack.via_app(FEED, Accept_Encoding="gzip")
    assert zipped_nginx.header("Content-Encoding") == "gzip"
    assert zipped_nginx.body == zipped_app.body
    assert gzip.decompress(zipped_nginx.body) == plain_nginx.body
    assert "Accept-Encoding" in (zipped_nginx.header("Vary") or "")

    for answer, encoding in ((plain_nginx, "identity"), (zipped_nginx, "gzip")):
        etag = answer.header("ETag")
        assert etag
        again = stack.via_nginx(FEED, If_None_Match=etag, Accept_Encoding=encoding)
        assert (again.status, again.body) == (304, b"")


def test_the_calendar_through_nginx_is_the_apps(stack: Stack) -> None:
    path = "/kennisateliers.ics"
    wait_until(lambda: _served_by_nginx(stack.via_nginx(path)), WAIT, "the calendar file")
    for encoding in ("identity", "gzip"):
        from_nginx = stack.via_nginx(path, Accept_Encoding=encoding)
        assert from_nginx.body == stack.via_app(path, Accept_Encoding=encoding).body
        assert from_nginx.header("Content-Type") == "text/calendar; charset=utf-8"
        again = stack.via_nginx(path, Accept_Encoding=encoding, If_None_Match=from_nginx.etag)
        assert again.status == 304


def test_a_feed_without_a_file_falls_back_to_the_app(stack: Stack) -> None:
    missing = stack.via_nginx("/podcast/geen-serie/feed.xml")
    assert missing.status == 404
    assert APP_ONLY in missing.headers  # the app's answer, not nginx's


def test_audio_ranges_through_nginx(stack: Stack) -> None:
    episode = _make_episode(stack, "Over bereiken")
    path = episode.audio_path
    wait_until(lambda: stack.via_nginx(path, "HEAD").status == 200, WAIT, "published audio")
    audio = AUDIO.read_bytes()
    answer = stack.via_nginx(path, Range="bytes=100-199")
    assert answer.status == 206
    assert answer.body == audio[100:200]
    assert answer.header("Content-Range") == f"bytes 100-199/{len(audio)}"
    assert answer.header("Content-Type") == "audio/mpeg"
    assert answer.header("ETag") and answer.header("Last-Modified")
    assert APP_ONLY not in answer.headers
    assert answer.header("Cache-Control") == "public, max-age=86400"
    whole = stack.via_nginx(path)
    assert (whole.status, whole.body) == (200, audio)
    tail = stack.via_nginx(path, Range="bytes=-10", If_Range=str(whole.header("ETag")))
    assert (tail.status, tail.body) == (206, audio[-10:])


def test_a_download_through_nginx_is_counted_after_the_ingest(stack: Stack) -> None:
    episode = _make_episode(stack, "Over tellen")
    path = episode.audio_path
    wait_until(lambda: stack.via_nginx(path, "HEAD").status == 200, WAIT, "published audio")
    assert stack.via_nginx(path, User_Agent=PODCAST_APP).status == 200
    # nginx flushes its log buffer within a second (flush=1s in kispub.conf).
    wait_until(lambda: _logged(stack, path), 30, "the download in nginx's access log")
    flask(stack.env, "access-log", "ingest")
    with stack.flask_app.app_context():
        db.session.rollback()
        found = db.session.get(Episode, episode.id)
        assert found is not None
        assert queries.download_count(found) == 1


def _logged(stack: Stack, path: str) -> bool:
    if not stack.log.exists():
        return False
    for line in stack.log.read_text().splitlines():
        entry = json.loads(line)
        if entry["uri"] == path and entry["method"] == "GET" and entry["ua"] == PODCAST_APP:
            assert entry["status"] == 200 and entry["range"] == ""
            assert entry["bytes"] == AUDIO.stat().st_size
            return True
    return False


def test_scheduled_audio_is_a_404_until_its_time_then_appears(stack: Stack) -> None:
    episode = _make_episode(stack, "Straks", publish_in=timedelta(seconds=6))
    path = episode.audio_path
    assert stack.via_nginx(path).status == 404
    assert episode.guid.encode() not in stack.via_nginx(FEED).body
    wait_until(lambda: stack.via_nginx(path).status == 200, WAIT, "the scheduled audio")
    wait_until(lambda: episode.guid.encode() in stack.via_nginx(FEED).body, WAIT, "the feed item")


def test_unpublished_audio_disappears(stack: Stack) -> None:
    episode = _make_episode(stack, "Even")
    path = episode.audio_path
    wait_until(lambda: stack.via_nginx(path).status == 200, WAIT, "published audio")
    with stack.flask_app.test_request_context():
        draft = EpisodeData(title="Even", status=EpisodeStatus.DRAFT)
        services.update_episode(episode.id, draft)
    wait_until(lambda: stack.via_nginx(path).status == 404, WAIT, "the audio gone")
    assert stack.via_app(path).status == 404


def test_a_drafts_preview_audio_comes_from_the_app_through_nginx(stack: Stack) -> None:
    episode = _make_episode(stack, "Concept", publish_in=timedelta(days=7))
    with stack.flask_app.test_request_context():
        token = preview_token(EPISODE_KIND, episode.id)
    answer = stack.via_nginx(f"/podcast/voorbeeld/{token}/audio", Range="bytes=0-9")
    assert (answer.status, answer.body) == (206, AUDIO.read_bytes()[:10])
    assert APP_ONLY in answer.headers and answer.header("Cache-Control") == "private, no-store"
    assert stack.via_nginx(episode.audio_path).status == 404


def test_security_headers_once_each(stack: Stack) -> None:
    page = stack.via_nginx("/")
    assert page.status == 200
    # Pages: the app's own headers, not doubled by nginx.
    assert page.all("Content-Security-Policy") == [CONTENT_SECURITY_POLICY]
    assert page.all("X-Content-Type-Options") == ["nosniff"]
    assert len(page.all("Referrer-Policy")) == 1
    # Files nginx sends: its own, with a policy that loads nothing.
    static = stack.via_nginx("/static/css/site.css")
    assert static.status == 200 and APP_ONLY not in static.headers
    assert static.body == (ROOT / "kispub" / "static" / "css" / "site.css").read_bytes()
    for answer in (static, stack.via_nginx("/podcast/audio/geen.mp3")):
        assert answer.all("X-Content-Type-Options") == ["nosniff"]
        assert answer.all("Referrer-Policy") == ["strict-origin-when-cross-origin"]
        [policy] = answer.all("Content-Security-Policy")
        assert policy.startswith("default-src 'none'")
        # Plain http here: HSTS only goes out over TLS.
        assert "Strict-Transport-Security" not in answer.headers


def test_names_starting_with_a_dot_are_never_served(stack: Stack) -> None:
    (stack.public / "podcast" / "audio").mkdir(parents=True, exist_ok=True)
    for name in (".stamp", "podcast/.feed.xml.tmp", "podcast/audio/.x.mp3"):
        file = stack.public / name
        file.write_bytes(b"intern")
        file.chmod(0o644)
        answer = stack.via_nginx(f"/{name}")
        assert answer.status == 403, name
        assert b"intern" not in answer.body
    assert stack.via_nginx("/static/.hidden").status == 403

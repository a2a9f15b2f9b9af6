"""Two web machines, in small: two gunicorn servers (deploy/gunicorn.conf.py, several worker
processes) and two job workers on one PostgreSQL schema and one Redis, as README's "Several
machines" sets them up. What one server changes, the other serves at once; what one server
counts (throttling), the other sees.

PostgreSQL only: SQLite is one machine's file. Both servers get the schema of this xdist
worker through the database URL (``options=-csearch_path=...``), as the test process does.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import lxml.html
import pytest
import redis
from flask import Flask

from kispub.accounts.models import Role
from kispub.podcast import services
from kispub.podcast.models import EpisodeStatus
from kispub.podcast.services import EpisodeData, EpisodeFiles, SeriesData
from tests.conftest import POSTGRES
from tests.deploy.stack import (
    Processes,
    app_environment,
    request,
    start_gunicorn,
    start_worker,
    wait_for_app,
    wait_until,
)
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.processes import redis_reachable
from tests.second_factor import next_code

REDIS = "redis://127.0.0.1:6379/8"  # no other test uses this number

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not POSTGRES, reason="several machines share PostgreSQL, not SQLite"),
    pytest.mark.skipif(not redis_reachable(REDIS), reason=f"no Redis at {REDIS}"),
]

FIXTURES = Path(__file__).parents[1] / "podcast" / "fixtures"
SLUG = "twee-machines"
FEED = f"/podcast/{SLUG}/feed.xml"


@dataclass
class Machines:
    a: int  # ports of the two servers
    b: int
    settings: dict[str, Any]  # what the test process shares with them


@pytest.fixture(scope="module")
def machines(_postgres_schema: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Machines]:
    folder = tmp_path_factory.mktemp("machines")
    run = f"kispub-test-{uuid.uuid4().hex[:12]}"
    shared: dict[str, Any] = {
        # Shared storage, one database, one Redis, one secret key.
        "SECRET_KEY": "g" * 64,
        "SQLALCHEMY_DATABASE_URI": _postgres_schema,
        "MEDIA_ROOT": str(folder / "shared" / "media"),
        "PUBLIC_ROOT": str(folder / "shared" / "public"),
        "RATELIMIT_STORAGE_URI": REDIS,
        "RATELIMIT_KEY_PREFIX": run,
        "REDIS_URL": REDIS,
        "JOBS_QUEUE_NAME": run,
        "JOBS_IMMEDIATE": False,
        "BASE_URL": "http://kis.example",  # cookies without Secure: the test speaks http
        # The servers take the client's address from X-Forwarded-For, as behind nginx: each
        # test comes from an address of its own, so their throttling counts stay apart.
        "PROXY_FIX": True,
    }
    processes = Processes(folder)
    try:
        ports = []
        for name in ("a", "b"):
            env = app_environment(
                {**shared, "ACCESS_LOG": str(folder / f"{name}.access.log")}, folder / name
            )
            # Several processes on the first machine, one on the second.
            env["WEB_CONCURRENCY"] = "2" if name == "a" else "1"
            ports.append(start_gunicorn(processes, f"gunicorn-{name}", env))
            start_worker(processes, env, f"worker-{name}")  # each machine's, one queue
        for port in ports:
            wait_for_app(processes, port)
        yield Machines(ports[0], ports[1], shared)
    finally:
        processes.stop_all()
        _forget(run)


def _forget(run: str) -> None:
    client = redis.Redis.from_url(REDIS)
    keys = list(client.scan_iter(f"*{run}*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def app_config(app_config: dict[str, Any], machines: Machines) -> dict[str, Any]:
    """The test process is a third machine: same database, storage, Redis and queue."""
    return {**app_config, **machines.settings}


class Browser:
    """Cookies, forms and redirects over real HTTP, from one address (X-Forwarded-For)."""

    def __init__(self, address: str) -> None:
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        self.opener.addheaders = [("X-Forwarded-For", address)]

    def get(self, port: int, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(f"http://127.0.0.1:{port}{path}"))

    def submit(self, port: int, path: str, fields: dict[str, str], has: str) -> tuple[int, str]:
        """Fill in the form on ``path`` that has a field ``has`` (hidden fields, CSRF token,
        current values kept) and send it; the answer after redirects."""
        status, html = self.get(port, path)
        assert status == 200, html
        [form] = [f for f in lxml.html.fromstring(html).forms if has in f.fields]
        values = {**dict(form.form_values()), **fields}
        body = urllib.parse.urlencode(values).encode()
        action = urllib.parse.urljoin(path, form.action or path)
        return self._open(urllib.request.Request(f"http://127.0.0.1:{port}{action}", body))

    def _open(self, req: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(req, timeout=30) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read().decode()


def _make_episode(app: Flask, title: str) -> tuple[int, str]:
    """A series and a published episode, made by the test process: (id, page path)."""
    with app.test_request_context():
        series = services.create_series(
            SeriesData("Twee machines", "KIS", "Redactie", "podcast@kis.example", slug=SLUG),
            (FIXTURES / "cover_1400.jpg").read_bytes(),
        ).item
        assert series is not None
        data = EpisodeData(title=title, status=EpisodeStatus.PUBLISHED)
        with (FIXTURES / "cbr_tagged.mp3").open("rb") as stream:
            episode = services.create_episode(series.id, data, EpisodeFiles(stream)).item
        assert episode is not None
        return episode.id, f"/podcast/{SLUG}/{episode.slug}"


def test_an_edit_through_one_server_is_served_by_the_other_at_once(
    app: Flask, machines: Machines
) -> None:
    episode_id, page = _make_episode(app, "Oude titel")
    for port in (machines.a, machines.b):  # both have rendered (and cached) the old state
        assert "Oude titel" in request(port, page).body.decode()
        assert b"Oude titel" in request(port, FEED).body
    editor = make_user(role=Role.EDITOR)
    browser = Browser("192.0.2.10")
    login = {"email": editor.email, "password": DEFAULT_PASSWORD}
    status, _ = browser.submit(machines.a, "/inloggen", login, has="password")
    assert status == 200
    code = {"code": next_code(editor)}
    status, _ = browser.submit(machines.a, "/inloggen/tweede-stap", code, has="code")
    assert status == 200
    edit = f"/beheer/podcast/aflevering/{episode_id}"
    status, html = browser.submit(machines.a, edit, {"title": "Nieuwe titel"}, has="title")
    assert status == 200 and "Nieuwe titel" in html

    # The other machine: the page at once; the session (same secret key) works there too.
    assert "Nieuwe titel" in request(machines.b, page).body.decode()
    assert browser.get(machines.b, edit)[0] == 200
    # The feed as soon as it is served again: built from the database where there is no file,
    # else rewritten by a worker right after the change (the polling is for that job).
    for port in (machines.b, machines.a):
        wait_until(lambda p=port: b"Nieuwe titel" in request(p, FEED).body, 60, "the new feed")
        assert b"Oude titel" not in request(port, FEED).body


def test_failed_logins_through_one_server_throttle_the_other(machines: Machines) -> None:
    stranger = Browser("192.0.2.20")
    wrong = {"email": "niemand@example.org", "password": "fout wachtwoord"}
    for _ in range(5):  # LOGIN_RATE_LIMIT: 5 per minute per address
        status, html = stranger.submit(machines.a, "/inloggen", wrong, has="password")
        assert status == 200 and "onjuist wachtwoord" in html
    status, _ = stranger.submit(machines.b, "/inloggen", wrong, has="password")
    assert status == 429
    # Another address trying another account is not throttled by the stranger's attempts
    # (the same account would be: failures per account are counted in Redis too).
    other = Browser("192.0.2.21")
    elsewhere = {"email": "iemand@example.org", "password": "fout wachtwoord"}
    assert other.submit(machines.b, "/inloggen", elsewhere, has="password")[0] == 200
    assert other.submit(machines.a, "/inloggen", wrong, has="password")[0] == 429

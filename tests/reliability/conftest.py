"""Reliability fixtures: the app served by gunicorn in a process of its own (so that it can be
killed), HTTP helpers over http.client, and podcast/atelier builders.

Everything in tests/reliability is marked slow.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from kispub.accounts.models import User
from kispub.core.storage import parse_key
from kispub.extensions import db
from kispub.podcast import services
from kispub.podcast.models import Episode, Series
from kispub.podcast.services import EpisodeData, EpisodeFiles, SeriesData
from tests.podcast.conftest import FIXTURES
from tests.second_factor import next_code

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything in tests/reliability is slow."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.slow)


class FixedClock:
    """A clock that stands still until a test moves it."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


# --- a real server process -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``gunicorn 'kispub:create_app()'`` in a session of its own, on the test's settings."""

    def __init__(self, config: dict[str, Any], instance: Path, log: Path, workers: int = 1,
                 threads: int = 4, preload: bool = False) -> None:  # fmt: skip
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("KISPUB_")}
        self.env["KISPUB_INSTANCE_PATH"] = str(instance)
        settings = {
            **config,
            "BASE_URL": self.base_url,
            "JOBS_IMMEDIATE": False,  # mail stays queued in the outbox table: the tests count it
            "RATELIMIT_ENABLED": False,  # the writers come from one address, far above the limits
        }
        for key, value in settings.items():
            if isinstance(value, str | int | float | bool) or value is None:
                self.env[f"KISPUB_{key}"] = json.dumps(value)
        self.command = [GUNICORN, "--workers", str(workers), "--threads", str(threads),
                        "--worker-class", "gthread", "--bind", f"127.0.0.1:{self.port}",
                        "--graceful-timeout", "2", "kispub:create_app()"]  # fmt: skip
        if preload:  # the app is built once in the master: a killed worker is replaced fast
            self.command.insert(1, "--preload")
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill() takes the workers too
            )  # fmt: skip
        return self.wait_ready()

    def wait_ready(self) -> Server:
        """Wait until /healthz answers."""
        assert self.process is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.output()
            try:
                if request(self.base_url, "GET", "/healthz").status == 200:
                    return self
            except OSError:
                time.sleep(0.02)
        raise AssertionError(f"gunicorn did not start:\n{self.output()}")

    def workers(self) -> list[int]:
        """The worker processes' ids (the master's children)."""
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def kill_workers(self) -> None:
        """SIGKILL the workers that serve requests; the master starts new ones."""
        for pid in self.workers():
            os.kill(pid, signal.SIGKILL)

    def kill(self) -> None:
        """SIGKILL to master and workers at once, as systemd or the OOM killer would."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@pytest.fixture
def make_server(app_config: dict[str, Any], tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Start gunicorn servers on the test's database and media; all stopped at the end."""
    started: list[Server] = []
    instance = tmp_path / "server-instance"
    instance.mkdir()

    def make(**options: Any) -> Server:
        server = Server(app_config, instance, tmp_path / "gunicorn.log", **options)
        started.append(server)
        return server.start()

    yield make
    for server in started:
        server.stop()


# --- HTTP ----------------------------------------------------------------------------------


@dataclass
class Answer:
    """A response, read whole."""

    status: int
    headers: dict[str, str]
    body: str


def request(base_url: str, method: str, path: str, form: dict[str, str] | None = None,
            cookie: str = "", connection: http.client.HTTPConnection | None = None,
            timeout: float = 30) -> Answer:  # fmt: skip
    """One request; a form is sent urlencoded; redirects are not followed."""
    own = connection is None
    host = urllib.parse.urlsplit(base_url)
    conn = connection or http.client.HTTPConnection(host.hostname, host.port, timeout=timeout)
    headers = {"Cookie": cookie} if cookie else {}
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, text)
    finally:
        if own:
            conn.close()


def log_in(base_url: str, user: User, password: str) -> str:
    """Log in through the real form (and the second step for staff); the session cookie."""
    answer = request(base_url, "POST", "/inloggen", {"email": user.email, "password": password})
    assert answer.status == 302, answer.body[:500]
    cookie = answer.headers["set-cookie"].split(";")[0]
    if user.needs_second_factor:
        code = {"code": next_code(user)}
        answer = request(base_url, "POST", "/inloggen/tweede-stap", code, cookie)
        assert answer.status == 302, answer.body[:500]
        cookie = answer.headers["set-cookie"].split(";")[0]
    return cookie


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[str, bytes]:
    """A multipart/form-data body and its Content-Type."""
    boundary = f"kispub{os.urandom(8).hex()}"
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())  # fmt: skip
    for name, (filename, data) in files.items():
        disposition = f'form-data; name="{name}"; filename="{filename}"'
        head = (f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
                "Content-Type: application/octet-stream\r\n\r\n")  # fmt: skip
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


def upload_form(series_id: int, nonce: str, fixture: str = "cbr_tagged.mp3",
                title: str = "Een aflevering") -> tuple[str, bytes]:  # fmt: skip
    """The back office's upload form, filled in, as a multipart body."""
    fields = {"series": str(series_id), "status": "draft", "episode_type": "full",
              "nonce": nonce, "title": title}  # fmt: skip
    return multipart(fields, {"audio": (fixture, (FIXTURES / fixture).read_bytes())})


# --- content -------------------------------------------------------------------------------


def new_series(app: Flask, title: str = "Denkers en doeners") -> Series:
    """A series with valid cover art, through the service."""
    with app.test_request_context():
        data = SeriesData(title=title, author="KIS", owner_name="Redactie KIS",
                          owner_email="podcast@kis.example")  # fmt: skip
        created = services.create_series(data, (FIXTURES / "cover_1400.jpg").read_bytes())
    assert created.item is not None
    return created.item


def new_episode(app: Flask, series_id: int, fixture: str = "cbr_tagged.mp3",
                transcript: str | None = None, title: str = "Aflevering") -> Episode:  # fmt: skip
    """An episode from an audio fixture, through the service."""
    text = (FIXTURES / transcript).read_bytes() if transcript else None
    with app.test_request_context(), (FIXTURES / fixture).open("rb") as stream:
        created = services.create_episode(
            series_id, EpisodeData(title=title), EpisodeFiles(stream, transcript=text)
        )
    assert created.item is not None
    return created.item


def referenced_files(app: Flask) -> set[str]:
    """Every key a series or episode row references."""
    db.session.rollback()
    keys: set[str] = set()
    for column in (Series.cover_key, Episode.audio_key, Episode.cover_key, Episode.transcript_key):
        keys.update(k for k in db.session.scalars(select(column)) if k)
    return keys


def assert_media_intact(root: Path, referenced: set[str]) -> None:
    """Every stored file is whole (its content hashes to its name), every reference is stored."""
    for path in root.glob("[0-9a-f][0-9a-f]/*"):
        key = f"{path.parent.name}/{path.name}"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == parse_key(key).sha256, key
    missing = {key for key in referenced if not (root / key).is_file()}
    assert missing == set(), f"rows reference files that are not stored: {missing}"

"""A real SMTP server on loopback, a real worker process, and the storages it runs on."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import smtplib
import socket
import ssl
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP as SMTPProtocol
from aiosmtpd.smtp import Envelope, Session

from tests.processes import redis_reachable

REAL_SMTP = smtplib.SMTP  # the autouse guard replaces it in every test
REDIS_URL = os.environ.get("KISPUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")
FLASK = str(Path(sys.executable).with_name("flask"))


class RecordingHandler:
    """Answers DATA with ``reply``; keeps what it accepted; can stall a conversation at RCPT."""

    def __init__(self) -> None:
        self.reply = "250 OK"
        self.accepted: list[bytes] = []
        self.attempts: list[float] = []  # monotonic time of every DATA, accepted or not
        self.stall_next = threading.Event()  # set: the next conversation stops at RCPT
        self.stalled = threading.Event()  # set by the handler once it is stalling
        self.release = threading.Event()

    async def handle_RCPT(
        self, server: Any, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.stall_next.is_set():
            self.stall_next.clear()
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        self.attempts.append(time.monotonic())
        if self.reply.startswith("250"):
            assert isinstance(envelope.original_content, bytes)
            self.accepted.append(envelope.original_content)
        return self.reply


class SMTPServer:
    """aiosmtpd in a thread of its own, on a free loopback port."""

    def __init__(self, tls_context: ssl.SSLContext | None = None) -> None:
        self.handler = RecordingHandler()
        self.tls_context = tls_context  # offered through STARTTLS when given
        self.loop = asyncio.new_event_loop()
        self.port = 0
        started = threading.Event()
        self.thread = threading.Thread(target=self._serve, args=(started,), daemon=True)
        self.thread.start()
        assert started.wait(10), "the SMTP server did not start"

    def _serve(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(
            self.loop.create_server(
                lambda: SMTPProtocol(self.handler, tls_context=self.tls_context), "127.0.0.1", 0
            )
        )
        self.port = server.sockets[0].getsockname()[1]
        started.set()
        self.loop.run_forever()
        server.close()
        self.loop.run_until_complete(server.wait_closed())
        self.loop.close()

    def stop(self) -> None:
        self.handler.release.set()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture
def smtp_server() -> Iterator[SMTPServer]:
    server = SMTPServer()
    yield server
    server.stop()


@pytest.fixture
def allow_smtp(smtp_server: SMTPServer, monkeypatch: pytest.MonkeyPatch) -> SMTPServer:
    """Let this test's own process talk SMTP to the loopback server, and to nothing else."""
    allow_smtp_to(monkeypatch, smtp_server.port)
    return smtp_server


def allow_smtp_to(monkeypatch: pytest.MonkeyPatch, allowed_port: int) -> None:
    """Undo the guard against sending mail for one loopback port only."""

    def loopback_smtp(host: str, port: int, *args: Any, **kwargs: Any) -> smtplib.SMTP:
        if (host, port) != ("127.0.0.1", allowed_port):
            raise AssertionError(f"a test tried to send e-mail to {host}:{port}")
        return REAL_SMTP(host, port, *args, **kwargs)

    monkeypatch.setattr(smtplib, "SMTP", loopback_smtp)


def free_port() -> int:
    """A loopback port where nothing listens (a mail server that is down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(params=["sqlite", "redis"])
def queue_storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Settings for the job queue: a SQLite file, or Redis under a queue name of this test."""
    if request.param == "sqlite":
        yield {"REDIS_URL": None, "JOBS_SQLITE_PATH": str(tmp_path / "queue.sqlite3")}
        return
    if not redis_reachable(REDIS_URL):
        pytest.skip(f"Redis is not reachable at {REDIS_URL} (set KISPUB_TEST_REDIS_URL)")
    name = f"kispub-test-{uuid.uuid4().hex[:12]}"  # tests running in parallel share the db
    yield {"REDIS_URL": REDIS_URL, "JOBS_QUEUE_NAME": name}
    _drop_redis_queue(name)


def _drop_redis_queue(name: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"huey.*{name}*"))
    if keys:
        client.delete(*keys)
    client.close()


class Worker:
    """``flask --app kispub worker`` in a process of its own, with the test's settings."""

    def __init__(self, config: dict[str, Any], instance: Path, log: Path) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("KISPUB_")}
        self.env["KISPUB_INSTANCE_PATH"] = str(instance)
        for key, value in config.items():
            if isinstance(value, str | int | float | bool) or value is None:
                self.env[f"KISPUB_{key}"] = json.dumps(value)
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [FLASK, "--app", "kispub", "worker", "--workers", "2"],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        """SIGKILL: no clean-up, as when the machine or the OOM killer stops it."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def make_worker(tmp_path: Path) -> Iterator[Callable[[dict[str, Any]], Worker]]:
    """Start workers on the test's settings; each is stopped at the end of the test."""
    started: list[Worker] = []
    instance = tmp_path / "worker-instance"
    instance.mkdir()

    def make(config: dict[str, Any]) -> Worker:
        worker = Worker(config, instance, tmp_path / "worker.log")
        started.append(worker)
        return worker

    yield make
    for worker in started:
        worker.stop()


def wait_for(condition: Callable[[], Any], timeout: float = 20, what: str = "") -> Any:
    """Poll until ``condition()`` is truthy; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what or condition}")


# Short retry delays for tests that watch a worker retry.
FAST_RETRIES = {"MAIL_MAX_ATTEMPTS": 3, "MAIL_RETRY_DELAY": 0.2, "OUTBOX_STALE_AFTER": 1}


def worker_config(
    app_config: dict[str, Any], queue_storage: dict[str, Any], smtp_server: SMTPServer
) -> dict[str, Any]:
    """Jobs go to the queue (no immediate mode) and mail to the loopback server, quickly."""
    return {
        **app_config,
        **queue_storage,
        **FAST_RETRIES,
        "JOBS_IMMEDIATE": False,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_server.port,
        "MAIL_USE_TLS": False,
        "MAIL_TIMEOUT": 10,
    }

"""Production start-up refuses per-process throttling counts when gunicorn runs several workers."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kispub.core.workers import _workers_from_environment
from tests.processes import redis_reachable

ROOT = Path(__file__).parents[1]
GUNICORN = Path(sys.executable).parent / "gunicorn"
MESSAGE = "KISPUB_RATELIMIT_STORAGE_URI=redis://"


def _environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KISPUB_", "GUNICORN_"))}
    env.pop("WEB_CONCURRENCY", None)
    env.update(
        KISPUB_SECRET_KEY="z" * 64,
        KISPUB_INSTANCE_PATH=str(tmp_path / "instance"),
        KISPUB_SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'kispub.sqlite3'}",
        KISPUB_MEDIA_ROOT=str(tmp_path / "media"),
        **extra,
    )
    return env


def _start(tmp_path: Path, *args: str, **extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(GUNICORN), "--bind", "127.0.0.1:0", *args, "kispub.wsgi:app"],
        cwd=ROOT,
        env=_environment(tmp_path, **extra),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize(
    ("args", "extra"),
    [
        (("--workers", "2"), {}),
        ((), {"GUNICORN_CMD_ARGS": "-w 2"}),
    ],
    ids=["command-line", "GUNICORN_CMD_ARGS"],
)
def test_two_workers_with_memory_storage_do_not_start(
    tmp_path: Path, args: tuple[str, ...], extra: dict[str, str]
) -> None:
    server = _start(tmp_path, *args, **extra)
    try:
        _, stderr = server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert server.returncode != 0
    assert "RateLimitStorageNotShared" in stderr and MESSAGE in stderr, stderr[-3000:]


@pytest.mark.skipif(not redis_reachable(), reason="no Redis on 127.0.0.1:6379")
def test_two_workers_with_redis_storage_start_and_serve(tmp_path: Path) -> None:
    server = _start(
        tmp_path, "--workers", "2", KISPUB_RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/5"
    )
    try:
        port, booted, lines = None, 0, []
        deadline = time.monotonic() + 60
        assert server.stderr is not None
        while booted < 2 and time.monotonic() < deadline:
            line = server.stderr.readline()
            if not line:
                break
            lines.append(line)
            if found := re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line):
                port = int(found.group(1))
            booted += "Booting worker" in line
        assert port is not None and booted == 2, "".join(lines)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/inloggen", timeout=10) as answer:
            assert answer.status == 200
        assert server.poll() is None, "".join(lines)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate()


def test_one_worker_with_memory_storage_is_fine(tmp_path: Path) -> None:
    """The check reads gunicorn's own settings; one worker keeps one set of counts."""
    server = _start(tmp_path, "--workers", "1")
    try:
        assert server.stderr is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = server.stderr.readline()
            if "Booting worker" in line or not line:
                break
        time.sleep(1.0)  # a failing worker would stop the master within this time
        assert server.poll() is None
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=30)


@pytest.mark.parametrize(
    ("environ", "workers"),
    [
        ({}, 1),
        ({"GUNICORN_CMD_ARGS": "--workers 3"}, 3),
        ({"GUNICORN_CMD_ARGS": "--bind :80 --workers=4"}, 4),
        ({"GUNICORN_CMD_ARGS": "-w5"}, 5),
        ({"WEB_CONCURRENCY": "2"}, 2),
        ({"WEB_CONCURRENCY": "veel"}, 1),
    ],
)
def test_workers_from_the_environment(environ: dict[str, str], workers: int) -> None:
    assert _workers_from_environment(environ) == workers

"""SIGKILL to the server in the middle of episode uploads leaves no partial file and no orphan
row; the staging files a killed process leaves are removed by the periodic clean-up."""

from __future__ import annotations

import random
import secrets
import socket
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from kispub.accounts.models import Role
from kispub.core.clock import set_clock
from kispub.core.media_gc import clean_staging, collect_media_garbage
from kispub.extensions import db
from kispub.podcast.models import Episode
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.reliability.conftest import (
    FixedClock,
    Server,
    assert_media_intact,
    log_in,
    new_series,
    referenced_files,
    upload_form,
)

TRIALS = 30
CHUNK = 2048


def slow_upload(server: Server, cookie: str, body: bytes, content_type: str) -> int | None:
    """POST the upload over a raw socket in small, paced chunks; the status, or None if cut."""
    head = (f"POST /beheer/podcast/nieuw HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            f"Cookie: {cookie}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()  # fmt: skip
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
            sock.sendall(head)
            for start in range(0, len(body), CHUNK):
                sock.sendall(body[start : start + CHUNK])
                time.sleep(0.004)
            answer = sock.recv(64)
    except OSError:  # reset or broken pipe: the server died under us
        return None
    return int(answer.split()[1]) if answer.startswith(b"HTTP/1.1 ") else None


def test_sigkill_mid_upload_leaves_no_partial_file_and_no_orphan_row(
    app: Flask, make_server: Callable[..., Server], tmp_path: Path
) -> None:
    media = Path(app.config["MEDIA_ROOT"])
    series = new_series(app)
    editor = make_user(role=Role.EDITOR)
    server = make_server(preload=True, threads=2)
    cookie = log_in(server.base_url, editor, DEFAULT_PASSWORD)

    # One upload that is not killed: how long a whole one takes, body and processing.
    content_type, body = upload_form(series.id, secrets.token_urlsafe(24), title="Heel")
    started = time.monotonic()
    assert slow_upload(server, cookie, body, content_type) == 303
    whole = time.monotonic() - started

    rng = random.Random(20261207)  # noqa: S311 - kill moments, reproducible
    outcomes: list[Any] = []
    staged_left: set[str] = set()
    for trial in range(TRIALS):
        # Mostly the worker serving the upload (as the OOM killer would); every fifth trial
        # master and workers at once (as systemd would), and a new server.
        whole_server = trial % 5 == 4
        kill = server.kill if whole_server else server.kill_workers
        killer = threading.Timer(rng.uniform(0, whole * 1.2), kill)
        killer.start()
        title = f"Poging {trial}"
        content_type, body = upload_form(series.id, secrets.token_urlsafe(24), title=title)
        outcomes.append(slow_upload(server, cookie, body, content_type))
        killer.join()
        staging = media / ".staging"
        if staging.is_dir():
            staged_left.update(p.name for p in staging.iterdir())
        assert_media_intact(media, referenced_files(app))  # after every single kill
        server = make_server(preload=True, threads=2) if whole_server else server.wait_ready()

    db.session.rollback()
    episodes = list(db.session.scalars(select(Episode)))
    for episode in episodes:
        assert (media / episode.audio_key).stat().st_size == episode.audio_size
    # Every answered upload is stored; one killed after its commit may be stored unanswered.
    assert 1 + outcomes.count(303) <= len(episodes) <= 1 + TRIALS
    print(f"\n{TRIALS} kills: {outcomes.count(303)} finished first, "
          f"{len(staged_left)} staged file(s) left behind")  # fmt: skip

    # The periodic clean-up takes what the killed processes left in .staging once it is stale,
    clock = FixedClock()
    set_clock(app, clock)
    clock.now += timedelta(minutes=61)
    clean_staging()
    assert not any((media / ".staging").iterdir())
    # and the garbage collector any file stored for a row that never committed.
    clock.now += timedelta(hours=25)
    collect_media_garbage()
    stored = {f"{p.parent.name}/{p.name}" for p in media.glob("[0-9a-f][0-9a-f]/*")}
    assert stored == referenced_files(app)

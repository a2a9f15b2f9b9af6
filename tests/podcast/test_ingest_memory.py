"""The ingest reads a log of any length in the same memory: three times the lines (and
three times the listeners) must not raise the peak of what Python allocates."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask

from kispub.core.accesslog import ingest
from kispub.podcast.models import Episode
from tests.accesslog import append, log_path, nginx_line

T = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
APPS = ("AntennaPod/3.2.0", "AppleCoreMedia/1.0.0.20E252 (iPhone; U; CPU OS 16_4)", "Overcast/3.0")
BOUND = 1024 * 1024  # bytes the peak may differ by: noise, not growth with the log


def write(log: Path, episodes: list[Episode], first: int, lines: int) -> None:
    """``lines`` lines from listeners numbered from ``first``, three requests each: a probe,
    then two ranges; a page and a bot now and then."""
    out = []
    for n in range(first, first + lines):
        listener, step = divmod(n, 3)
        at = T + timedelta(seconds=n // 10)
        if n % 10 == 9:
            out.append(nginx_line(at, "/podcast/", addr=f"10.1.{n % 250}.1", ua=APPS[0], sent=9000))
            continue
        episode = episodes[listener % len(episodes)]
        uri = f"/podcast/audio/{episode.guid}.mp3"
        start, stop = [(0, 2), (0, 60_000), (60_000, episode.audio_size)][step]
        out.append(
            nginx_line(
                at,
                uri,
                addr=f"10.{listener >> 16 & 255}.{listener >> 8 & 255}.{listener & 255}",
                ua="Googlebot/2.1" if listener % 20 == 0 else APPS[listener % len(APPS)],
                status=206,
                sent=stop - start,
                content_range=f"bytes {start}-{stop - 1}/{episode.audio_size}",
            )
        )
    append(log, *out)


def peak_of_ingest() -> int:
    gc.collect()
    tracemalloc.start()
    try:
        report = ingest()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert report.counted > 0
    return peak


@pytest.mark.slow
def test_a_longer_log_is_read_in_the_same_memory(
    app: Flask, make_episode: Callable[..., Episode]
) -> None:
    episodes = [make_episode(title=f"Aflevering {n}") for n in range(3)]
    log = log_path(app)
    write(log, episodes, 0, 3_000)  # warm up: imports, statement caches, the day's salt
    ingest()
    write(log, episodes, 3_000, 20_000)
    small = peak_of_ingest()
    write(log, episodes, 23_000, 60_000)
    large = peak_of_ingest()
    assert large < small + BOUND, (small, large)

"""Ingest of a 1,000,000-line access log: lines per second, in memory that stays flat.

Writes a log in nginx's kispub_json format (deploy/nginx; see kispub/core/accesslog.py)
with the mix a podcast site sees over three days: podcast apps of about 20,000 listeners
(IPv4 and IPv6) fetching ranges, probes and whole files of 40 episodes, the popular ones
most; apps polling the feed; people reading pages; bots and directory checks. Then it
ingests the log into a fresh database, as the worker does, and prints the lines per second
and how far the process's peak memory (VmHWM) rose above where it was before the ingest,
for a tenth of the log and for all of it: flat memory shows as two about equal numbers.

Run ``make bench-ingest`` (or ``.venv/bin/python bench/ingest.py [--lines N]``). SQLite
always; PostgreSQL too, in a scratch database on the server of KISPUB_BENCH_POSTGRES_URL
(default ``postgresql://postgres@127.0.0.1:5432/postgres``), dropped afterwards and skipped
with a message when that server cannot be reached. ``measure_ingest(lines)`` is the same
measurement for bench/run.py.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from sites import create_postgres_database  # noqa: E402

LISTENERS = 20_000
EPISODES = 40
EPISODE_BYTES = 48 * 1024 * 1024  # an hour at 112 kbit/s, past a 40 KB tag
TAG_BYTES = 40_000
BYTES_PER_SECOND = 14_000.0
RANGE_BYTES = 1024 * 1024
DAYS = 3
START = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
APPS = (
    "AppleCoreMedia/1.0.0.21E236 (iPhone; U; CPU OS 17_4 like Mac OS X; nl_nl)",
    "Podcasts/1.1.0.20240306.6 CFNetwork/1494.0.7 Darwin/23.4.0",
    "AntennaPod/3.3.2",
    "Spotify/8.9.28 Android/34 (SM-S918B)",
    "PocketCasts/1.0 (Pocket Casts - Android, v7.60)",
    "Overcast/3.0 (+http://overcast.fm/; iOS podcast app)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36",
)
BOTS = (
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "iTMS",
    "Overcast/1.0 Podcast Sync (123 subscribers; feed-id=456; +http://overcast.fm/)",
    "Spotify/1.0 (Podcast Ingestion)",
    "curl/8.5.0",
)
PAGES = ("/", "/podcast/", "/kennisateliers/", "/coronadossier", "/themas/", "/podcast/kis/")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="lines in the log")
    args = parser.parse_args()
    results = measure_ingest(args.lines)
    print(render(results, args.lines))


def measure_ingest(lines: int = 1_000_000) -> dict[str, Any]:
    """Per database ("SQLite", "PostgreSQL" when reachable): lines, seconds, lines_per_s,
    downloads counted, and peak memory growth in MB for a tenth of the log and for all."""
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="kispub-bench-ingest-") as folder:
        tmp = Path(folder)
        guids = [f"bench-{n:03d}-{uuid.uuid4().hex[:12]}" for n in range(EPISODES)]
        logs = [tmp / "access-warm-up.log", tmp / "access-tenth.log", tmp / "access.log"]
        print(f"writing {lines:,} log lines ...", flush=True)
        for log, size in zip(logs, (2_000, lines // 10, lines), strict=True):
            write_log(log, size, guids)
        for database in ("SQLite", "PostgreSQL"):
            with database_url(database, tmp) as url:
                if url is not None:
                    print(f"{database}: ingesting ...", flush=True)
                    results[database] = _measure(url, tmp / database.lower(), guids, logs)
    return results


# --- the log ---------------------------------------------------------------------------


def write_log(path: Path, lines: int, guids: list[str], seed: int = 16) -> None:
    """``lines`` lines as nginx writes them, spread evenly over DAYS, streamed to ``path``."""
    rng = random.Random(seed)  # noqa: S311 - a repeatable mix, not a secret
    listeners = [_listener(rng, n) for n in range(LISTENERS)]
    # Popularity falls off with age: the newest episodes get most of the listening.
    weights = [1 / (1 + n) ** 1.1 for n in range(len(guids))]
    step = DAYS * 86400 / max(lines, 1)
    with path.open("w", encoding="utf-8", buffering=1 << 20) as log:
        for n in range(lines):
            at = START + timedelta(seconds=int(n * step))
            log.write(_line(rng, at, listeners, guids, weights))


def _listener(rng: random.Random, n: int) -> tuple[str, str]:
    if rng.random() < 0.3:
        address = f"2001:db8:{n >> 8:x}:{n & 255:x}:{rng.getrandbits(16):x}::{rng.randrange(1, 99)}"
    else:
        address = f"198.18.{n >> 8 & 255}.{n & 255}" if n < 65536 else f"198.19.0.{n % 256}"
    return address, rng.choice(APPS)


def _line(
    rng: random.Random,
    at: datetime,
    listeners: list[tuple[str, str]],
    guids: list[str],
    weights: list[float],
) -> str:
    kind = rng.random()
    if kind < 0.62:
        addr, ua = rng.choice(listeners)
        guid = rng.choices(guids, weights)[0]
        return _audio(rng, at, addr, ua, guid)
    if kind < 0.82:
        addr, ua = rng.choice(listeners)
        status, sent = (304, 0) if rng.random() < 0.7 else (200, 61_000)
        return _entry(at, addr, "GET", "/podcast/kis/feed.xml", status, sent, "", ua)
    if kind < 0.93:
        addr, ua = rng.choice(listeners)
        return _entry(at, addr, "GET", rng.choice(PAGES), 200, rng.randrange(8_000, 60_000), "", ua)
    bot = rng.choice(BOTS)
    guid = rng.choice(guids)
    method = "HEAD" if rng.random() < 0.5 else "GET"
    sent = 0 if method == "HEAD" else EPISODE_BYTES
    return _entry(at, "66.249.66.1", method, f"/podcast/audio/{guid}.mp3", 200, sent, "", bot)


def _audio(rng: random.Random, at: datetime, addr: str, ua: str, guid: str) -> str:
    uri = f"/podcast/audio/{guid}.mp3"
    roll = rng.random()
    if roll < 0.1:  # the probe apps send first
        return _entry(at, addr, "GET", uri, 206, 2, f"bytes 0-1/{EPISODE_BYTES}", ua)
    if roll < 0.2:  # a whole download, sometimes broken off
        sent = EPISODE_BYTES if rng.random() < 0.8 else rng.randrange(EPISODE_BYTES)
        return _entry(at, addr, "GET", uri, 200, sent, "", ua)
    start = rng.randrange(EPISODE_BYTES // RANGE_BYTES) * RANGE_BYTES
    stop = min(start + RANGE_BYTES, EPISODE_BYTES)
    content_range = f"bytes {start}-{stop - 1}/{EPISODE_BYTES}"
    return _entry(at, addr, "GET", uri, 206, stop - start, content_range, ua)


def _entry(
    at: datetime, addr: str, method: str, uri: str, status: int, sent: int, cr: str, ua: str
) -> str:
    # The values hold nothing nginx's escape=json would change, so JSON's quoting is its.
    text = json.dumps
    return (
        f'{{"time":"{at.isoformat(timespec="seconds")}","addr":"{addr}","method":"{method}",'
        f'"uri":"{uri}","status":{status},"bytes":{sent},"range":"{cr}","ua":{text(ua)},'
        f'"gpc":"","purpose":""}}\n'
    )


# --- the measurement -------------------------------------------------------------------


@contextmanager
def database_url(database: str, folder: Path) -> Iterator[str | None]:
    """A URL of an empty database; PostgreSQL's is dropped afterwards."""
    if database == "SQLite":
        yield f"sqlite:///{folder / 'bench-ingest.sqlite3'}"
        return
    created = create_postgres_database()
    if created is None:
        yield None
        return
    url, drop = created
    try:
        yield url
    finally:
        drop()


def _measure(url: str, tmp: Path, guids: list[str], logs: list[Path]) -> dict[str, Any]:
    """Ingest the warm-up log (imports, statement caches), then a tenth, then the whole."""
    from kispub import create_app
    from kispub.core.accesslog import ingest
    from kispub.extensions import db

    tmp.mkdir()
    config = {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": uuid.uuid4().hex,
        "MEDIA_ROOT": str(tmp / "media"),
        "OUTBOX_DIR": str(tmp / "outbox"),
        "JOBS_SQLITE_PATH": str(tmp / "jobs.sqlite3"),
    }
    app = create_app(config)
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        _add_episodes(guids)
        measured = []
        for log in logs:
            app.config["ACCESS_LOG"] = str(log)  # each log has a cursor of its own, from 0
            measured.append(_timed(ingest))
        db.session.remove()
        db.engine.dispose()
    _, first, (report, seconds, growth) = measured
    return {
        "lines": report.lines,
        "seconds": seconds,
        "lines_per_s": report.lines / seconds,
        "downloads": report.counted,
        "skipped": report.skipped,
        "peak_growth_mb_tenth": first[2],
        "peak_growth_mb": growth,
    }


def _timed(run: Callable[[], Any]) -> tuple[Any, float, float]:
    """What ``run`` returns, its seconds, and how far peak memory rose above the start (MB)."""
    before = _reset_peak()
    started = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - started
    return result, seconds, (_status_kb("VmHWM") - before) / 1024


def _reset_peak() -> int:
    """Reset the process's peak RSS to its current RSS (Linux clear_refs); the RSS in kB."""
    # Where the kernel refuses, the peak includes what came before: a looser bound.
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    return _status_kb("VmRSS")


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def _add_episodes(guids: list[str]) -> None:
    from kispub.core.database import write_transaction
    from kispub.podcast.models import Episode, EpisodeStatus, Series

    with write_transaction() as session:
        series = Series(
            slug="kis",
            title="Bench",
            author="KIS",
            owner_name="KIS",
            owner_email="podcast@kis.example",
            podcast_guid=str(uuid.uuid4()),
        )
        session.add(series)
        session.flush()
        for n, guid in enumerate(guids):
            episode = Episode(
                series_id=series.id,
                guid=guid,
                slug=f"aflevering-{n}",
                title=f"Aflevering {n}",
                status=EpisodeStatus.PUBLISHED,
                publish_at=START - timedelta(days=n),
                audio_key=f"audio/{'0' * 64}.mp3",
                audio_mime="audio/mpeg",
                audio_size=EPISODE_BYTES,
                duration_ms=int((EPISODE_BYTES - TAG_BYTES) / BYTES_PER_SECOND * 1000),
                audio_offset=TAG_BYTES,
                bytes_per_second=BYTES_PER_SECOND,
            )
            session.add(episode)


def render(results: dict[str, Any], lines: int) -> str:
    """The machine, then a row per database."""
    load = Path("/proc/loadavg").read_text().split()[0]
    rows = [
        f"Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{datetime.now(UTC):%Y-%m-%d}, load average {load} at the end.",
        "",
        "| database | lines | seconds | lines/s | downloads | peak memory growth, "
        f"{lines // 10:,} lines | peak memory growth, {lines:,} lines |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for database, r in results.items():
        rows.append(
            f"| {database} | {r['lines']:,} | {r['seconds']:.1f} | {r['lines_per_s']:,.0f} | "
            f"{r['downloads']:,} | {r['peak_growth_mb_tenth']:.1f} MB "
            f"| {r['peak_growth_mb']:.1f} MB |"
        )
    return "\n".join(rows)


if __name__ == "__main__":
    main()

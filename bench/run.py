"""Benchmark the podcast channel under gunicorn on loopback.

* feed requests/s for a series of 1,000 episodes, full (200) and revalidated (304), as a
  ratio to /healthz of the same app, and to nginx serving the same feed bytes as a file;
* audio range-request throughput (random 1 MB ranges of a 24 MB MP3, downloads counted)
  as a ratio to nginx serving the same file, directly and with X-Accel-Redirect;
* peak memory (RSS) of the gunicorn processes while 20 clients download the file at once.

Run ``make bench`` (or ``.venv/bin/python bench/run.py``); ``--write`` also replaces the
table in bench/RESULTS.md. Needs gunicorn (in the virtualenv) and nginx; uses wrk when it is
installed (``apt-get install wrk``), otherwise a small Python load generator (slower, so the
absolute numbers are lower, the ratios still compare like with like).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from loadgen import LoadResult, python_load, wrk_load  # noqa: E402
from memory import Memory, download_memory  # noqa: E402
from servers import free_port, gunicorn_server, nginx_server  # noqa: E402

EPISODES = 1000
AUDIO_BYTES = 24 * 1024 * 1024
RANGE_BYTES = 1024 * 1024
DOWNLOADERS = 20
ROUNDS = 3
# Seconds of rest before each measurement: after gigabytes of feed traffic the next few
# seconds are measurably slower for anything (seen on /healthz), which would skew ratios.
SETTLE = 4.0
# Threads per worker stay below SQLAlchemy's pool size (5): beyond it every request past the
# fifth opens and closes its own SQLite connection, which costs more than the request.
WORKERS, THREADS = 2, 4
USER_AGENT = "kispub-bench/1.0 (AntennaPod-like listener)"


@dataclass
class Setup:
    """Everything the measurements need to know about the prepared site."""

    tmp: Path
    env: dict[str, str]
    feed_path: str
    audio_path: str
    audio_key: str
    audio_size: int


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="per measurement and round")
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = parser.parse_args()
    nginx = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if nginx is None or not gunicorn.exists():
        sys.exit("The benchmark needs nginx (apt-get install nginx) and gunicorn (make install).")
    wrk = shutil.which("wrk")
    print(f"load generator: {'wrk' if wrk else 'Python (wrk not installed: apt-get install wrk)'}")
    with tempfile.TemporaryDirectory(prefix="kispub-bench-") as folder:
        setup = prepare(Path(folder))
        rows = measure(setup, Path(gunicorn), nginx, wrk, args.seconds)
    table = render(rows, wrk)
    print(table)
    if args.write:
        write_results(table)


# --- preparing a site with 1,000 episodes --------------------------------------------------


def big_mp3(target: int) -> bytes:
    """A valid CBR MP3 of about ``target`` bytes: the demo's frames, repeated, no Info frame."""
    from kispub.podcast.media.mp3frames import id3v2_size, parse_header

    data = (ROOT / "kispub/demo/media/aflevering-1.mp3").read_bytes()
    pos, frames = id3v2_size(data) or 0, []
    while (header := parse_header(data, pos)) is not None and pos + header.length <= len(data):
        frames.append(data[pos : pos + header.length])
        pos += header.length
    body = b"".join(f for f in frames if b"Info" not in f and b"Xing" not in f)
    return body * (target // len(body) + 1)


def prepare(tmp: Path) -> Setup:
    """A migrated SQLite database with one series of 1,000 published episodes."""
    port = free_port()
    env = {
        "KISPUB_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "KISPUB_MEDIA_ROOT": str(tmp / "media"),
        "KISPUB_SECRET_KEY": uuid.uuid4().hex,
        "KISPUB_BASE_URL": f"http://127.0.0.1:{port}",
        "KISPUB_PODCAST_PROBE_TIMEOUT": "120",
    }
    os.environ.update(env)
    flask = Path(sys.executable).with_name("flask")
    subprocess.run([flask, "--app", "kispub", "init-db"], check=True, env={**os.environ}, cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    (tmp / "big.mp3").write_bytes(big_mp3(AUDIO_BYTES))
    from kispub import create_app

    app = create_app()
    with app.app_context(), app.test_request_context(base_url=env["KISPUB_BASE_URL"]):
        first = fill(tmp / "big.mp3")
        feed = f"/podcast/{first.series.slug}/feed.xml"
        audio = f"/podcast/audio/{first.guid}.mp3"
        return Setup(tmp, env, feed, audio, first.audio_key, first.audio_size)


def fill(audio: Path):
    """Create the series and its 1,000 episodes (one real import, the rest share its audio)."""
    from kispub.core.database import write_transaction
    from kispub.podcast import services
    from kispub.podcast.models import Episode, EpisodeStatus, Guest

    cover = (ROOT / "kispub/demo/media/podcast-cover.jpg").read_bytes()
    series = services.create_series(
        services.SeriesData(
            title="Benchmark", author="KIS", owner_name="Redactie", owner_email="r@kis.example"
        ),
        cover,
    ).item
    assert series is not None
    start = datetime(2020, 1, 1, 7, tzinfo=UTC)
    data = services.EpisodeData(title="Aflevering 1", number=1, status=EpisodeStatus.PUBLISHED,
                                publish_at=start)  # fmt: skip
    with audio.open("rb") as stream:
        files = services.EpisodeFiles(stream)
        first = services.create_episode(series.id, data, files).item
    assert first is not None
    notes = "Een gesprek over **integratie**, [migratie](https://www.kis.nl) en diversiteit. " * 4
    with write_transaction() as session:
        for n in range(2, EPISODES + 1):
            session.add(
                Episode(
                    series_id=series.id, guid=str(uuid.uuid4()), slug=f"aflevering-{n}",
                    title=f"Aflevering {n}", number=n, status=EpisodeStatus.PUBLISHED,
                    publish_at=start + timedelta(days=n), show_notes=notes,
                    audio_key=first.audio_key, audio_mime=first.audio_mime,
                    audio_size=first.audio_size, duration_ms=first.duration_ms,
                    audio_offset=first.audio_offset, bytes_per_second=first.bytes_per_second,
                    chapters=first.chapters, guests=[Guest(name=f"Gast {n}", position=0)],
                )
            )  # fmt: skip
    return first


# --- measurements ------------------------------------------------------------------------


def load(wrk: str | None, url: str, seconds: float, **kw: object) -> LoadResult:
    if wrk:
        return wrk_load(wrk, url, seconds, user_agent=USER_AGENT, **kw)  # type: ignore[arg-type]
    return python_load(url, seconds, user_agent=USER_AGENT, **kw)  # type: ignore[arg-type]


def measure(setup: Setup, gunicorn: Path, nginx: str, wrk: str | None, seconds: float) -> list:
    """Every measurement ROUNDS times, interleaved, keeping the median (the host is shared)."""
    # Memory first, in fresh workers that only serve audio, with a thread for every client.
    with gunicorn_server(gunicorn, setup.env, WORKERS, DOWNLOADERS // WORKERS) as (port, pid):
        url = f"http://127.0.0.1:{port}{setup.audio_path}"
        memory = download_memory(url, pid, setup.audio_size, DOWNLOADERS, USER_AGENT)
    accel = {**setup.env, "KISPUB_X_ACCEL_REDIRECT": "/protected-media/"}
    media = Path(setup.env["KISPUB_MEDIA_ROOT"])
    with (
        gunicorn_server(gunicorn, setup.env, WORKERS, THREADS) as (port, _),
        gunicorn_server(gunicorn, accel, WORKERS, THREADS) as (accel_port, _),
        nginx_server(nginx, setup.tmp, media, accel_port, WORKERS) as (static, proxy),
    ):
        plan, sizes = _plan(setup, f"http://127.0.0.1:{port}", static, proxy)
        results: dict[str, list[LoadResult]] = {name: [] for name in plan}
        for _ in range(ROUNDS):
            for name, (url, options) in plan.items():
                time.sleep(SETTLE)
                results[name].append(load(wrk, url, seconds, **options))
    middle = {name: sorted(runs, key=lambda r: r.rps)[ROUNDS // 2] for name, runs in
              results.items()}  # fmt: skip
    return _rows(middle, memory, *sizes)


def _plan(setup: Setup, base: str, static: int, proxy: int) -> tuple[dict, tuple[int, int]]:
    """What to load, by name: (url, options); and the feed's size plain and gzipped, in KB."""
    gz = {"Accept-Encoding": "gzip"}
    feed, etag = fetch(base + setup.feed_path, {})
    packed, gz_etag = fetch(base + setup.feed_path, gz)
    media = Path(setup.env["KISPUB_MEDIA_ROOT"])
    (media / "feed.xml").write_bytes(feed)
    (media / "feed.xml.gz").write_bytes(packed)
    ranges = {"size": setup.audio_size, "chunk": RANGE_BYTES}
    # Lightest first: the 2.3 MB bodies go last in each round, so they cannot slow the rest.
    plan = {
        "health": (base + "/healthz", {}),
        "cached": (base + setup.feed_path, {"headers": {"If-None-Match": etag}}),
        "cached_gz": (base + setup.feed_path, {"headers": {**gz, "If-None-Match": gz_etag}}),
        "full_gz": (base + setup.feed_path, {"headers": gz}),
        "static_gz": (f"http://127.0.0.1:{static}/feed.xml", {"headers": gz}),
        "ranges": (base + setup.audio_path, ranges),
        "accel_ranges": (f"http://127.0.0.1:{proxy}{setup.audio_path}", ranges),
        "static_ranges": (f"http://127.0.0.1:{static}/{setup.audio_key}", ranges),
        "static_feed": (f"http://127.0.0.1:{static}/feed.xml", {}),
        "full": (base + setup.feed_path, {}),
    }
    return plan, (len(feed) // 1024, len(packed) // 1024)


def _rows(r: dict[str, LoadResult], memory: Memory, kb: int, gz_kb: int) -> list:
    """The table rows: (name, result, the result it is a ratio of, note)."""
    health = r["health"]
    return [
        ("GET /healthz", health, None, ""),
        (f"feed, 200 ({kb} KB)", r["full"], health,
         f"{r['full'].rps / r['static_feed'].rps:.2f} × nginx static file"),
        (f"feed, 200 gzip ({gz_kb} KB)", r["full_gz"], health,
         f"{r['full_gz'].rps / r['static_gz'].rps:.2f} × nginx gzip_static"),
        ("feed, 304 (If-None-Match)", r["cached"], health, ""),
        ("feed, 304 gzip (If-None-Match)", r["cached_gz"], health, ""),
        (f"nginx: feed.xml as a static file ({kb} KB)", r["static_feed"], None, ""),
        (f"nginx: feed.xml.gz, gzip_static ({gz_kb} KB)", r["static_gz"], None, ""),
        ("audio, 1 MB ranges, gunicorn", r["ranges"], None,
         f"{r['ranges'].mb_per_s / r['static_ranges'].mb_per_s:.2f} × nginx"),
        ("audio, 1 MB ranges, nginx + X-Accel", r["accel_ranges"], None,
         f"{r['accel_ranges'].mb_per_s / r['static_ranges'].mb_per_s:.2f} × nginx"),
        ("audio, 1 MB ranges, nginx alone", r["static_ranges"], None, ""),
        ("memory", memory, None, ""),
    ]  # fmt: skip


def fetch(url: str, headers: dict[str, str]) -> tuple[bytes, str]:
    """A response body and its ETag."""
    import urllib.request

    with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as response:
        return response.read(), response.headers["ETag"]


# --- output ------------------------------------------------------------------------------


def render(rows: list, wrk: str | None) -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())  # fmt: skip
    lines = [
        f"Machine: {os.cpu_count()} × {cpu}, Python {platform.python_version()}, "
        f"gunicorn {WORKERS} workers × {THREADS} threads (gthread), SQLite, "
        f"load by {'wrk' if wrk else 'Python threads'}, {datetime.now(UTC):%Y-%m-%d}, "
        f"load average at the end {Path('/proc/loadavg').read_text().split()[0]} "
        "(the host is shared with other work).",
        "",
        "| measurement | requests/s | MB/s | ratio | note |",
        "|---|---:|---:|---:|---|",
    ]
    for name, result, reference, note in rows:
        if isinstance(result, Memory):
            continue
        ratio = f"{result.rps / reference.rps:.2f} × /healthz" if reference else ""
        lines.append(f"| {name} | {result.rps:,.0f} | {result.mb_per_s:,.1f} | {ratio} | {note} |")
    memory = next(r for _, r, _, _ in rows if isinstance(r, Memory))
    lines += [
        "",
        f"Memory while {DOWNLOADERS} clients download the {AUDIO_BYTES // 2**20} MB file at once, "
        "half whole and half in 4 MB ranges "
        f"(gunicorn {WORKERS} × {DOWNLOADERS // WORKERS} threads, all {DOWNLOADERS} served "
        f"concurrently, {memory.seconds:.1f} s): master + {WORKERS} workers "
        f"{memory.idle_mb:.0f} MB after warming up, {memory.peak_mb:.0f} MB peak "
        f"(largest worker {memory.peak_worker_mb:.0f} MB).",
    ]
    return "\n".join(lines)


def write_results(table: str) -> None:
    path = ROOT / "bench" / "RESULTS.md"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    start, end = "<!-- results -->", "<!-- /results -->"
    block = f"{start}\n{table}\n{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)
    print(f"updated {path}")


if __name__ == "__main__":
    main()

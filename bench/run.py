"""Benchmark the production stack of deploy/ on loopback: every goal of issue 16, one table.

* **feeds**: the RSS feed of a series of 1,000 episodes through the shipped nginx
  configuration (deploy/nginx/kispub.conf, in front of gunicorn and the worker), gzipped 200
  and revalidated 304, as a ratio to nginx serving the same file with no app (goal ≥ 0.9);
* **audio**: random 1 MB ranges of a 24 MB MP3 through the shipped configuration (the access
  log on, so every request is counted later), as a ratio to nginx on the same file (≥ 0.9);
* **memory**: RSS of the whole stack (nginx, gunicorn, the worker) while 20 clients download
  the 24 MB file at once (flat: the peak stays within a few MB of the idle stack);
* **pages**: the public pages, logged out, as a ratio to /healthz of the same gunicorn, on
  SQLite and PostgreSQL, with the queries each costs (bench/pages.py; goal ≥ 0.5);
* **ingest**: 1,000,000 access-log lines counted, lines/s and peak memory (bench/ingest.py).

Run ``make bench`` (or ``.venv/bin/python bench/run.py``); ``--write`` also replaces the table
in bench/RESULTS.md and README.md. Needs nginx, gunicorn, Redis for the pages' shared rate
limits, and PostgreSQL for the pages' and ingest's second half (skipped with a message when
it cannot be reached); uses wrk when installed, else a Python load generator (slower, so
absolute numbers are lower; the ratios still compare like with like).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from ingest import measure_ingest  # noqa: E402
from loadgen import LoadResult, python_load, wrk_load  # noqa: E402
from memory import Memory, download_memory  # noqa: E402
from pages import measure_pages  # noqa: E402
from servers import nginx_server  # noqa: E402
from sites import RATE_LIMITS, median, require_redis, write_results  # noqa: E402

from tests.deploy.stack import (  # noqa: E402
    Processes,
    app_environment,
    flask,
    free_port,
    nginx_conf,
    start_gunicorn,
    start_nginx,
    start_worker,
    wait_for_app,
)

EPISODES = 1000
AUDIO_BYTES = 24 * 1024 * 1024
RANGE_BYTES = 1024 * 1024
DOWNLOADERS = 20
ROUNDS = 3
INGEST_LINES = 1_000_000
# Seconds of rest before each measurement: after gigabytes of traffic the next few seconds
# are measurably slower for anything, which would skew ratios.
SETTLE = 3.0
WORKERS, THREADS = 2, 4
USER_AGENT = "kispub-bench/1.0 (AntennaPod-like listener)"
FILES_GOAL, PAGES_GOAL = 0.9, 0.5


@dataclass
class Site:
    """The prepared site: its folder, the app's environment, and the addresses measured."""

    folder: Path
    env: dict[str, str]
    public: Path
    feed_path: str
    audio_path: str
    audio_size: int


@dataclass(frozen=True)
class Line:
    """One line of the results table."""

    name: str
    result: str
    reference: str = ""
    ratio: float | None = None
    goal: float | None = None

    @property
    def verdict(self) -> str:
        if self.ratio is None or self.goal is None:
            return ""
        return f"≥ {self.goal} {'met' if self.ratio >= self.goal else 'MISSED'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="per measurement and round")
    parser.add_argument("--lines", type=int, default=INGEST_LINES, help="access-log lines")
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = parser.parse_args()
    nginx = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if nginx is None or not gunicorn.exists():
        sys.exit("The benchmark needs nginx (apt-get install nginx) and gunicorn (make install).")
    require_redis()
    wrk = shutil.which("wrk")
    print(f"load generator: {'wrk' if wrk else 'Python (wrk not installed: apt-get install wrk)'}")
    folder = Path(tempfile.mkdtemp(prefix="kispub-bench-"))
    folder.chmod(0o755)  # nginx's workers run as www-data, as in production
    try:
        lines = files_and_memory(prepare(folder), nginx, wrk, args.seconds)
        print(render(lines, wrk), flush=True)  # the rest takes minutes
        lines += page_lines(folder, gunicorn, wrk, args.seconds)
        lines += ingest_lines(args.lines)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    table = render(lines, wrk)
    print(table)
    if args.write:
        write_results(table, "results", "Production stack (`make bench`)")
        write_readme(table)


# --- a site with 1,000 episodes ----------------------------------------------------------


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


def prepare(folder: Path) -> Site:
    """A migrated SQLite database with one series of 1,000 published episodes, published."""
    settings = {
        "SECRET_KEY": uuid.uuid4().hex,
        "BASE_URL": "https://kis.example",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}",
        "MEDIA_ROOT": str(folder / "media"),
        "PUBLIC_ROOT": str(folder / "public"),
        "ACCESS_LOG": str(folder / "log" / "kispub.access.json"),
        "JOBS_SQLITE_PATH": str(folder / "jobs.sqlite3"),
        "OUTBOX_DIR": str(folder / "outbox"),
        "PODCAST_PROBE_TIMEOUT": "120",
        "PROXY_FIX": "true",
        "RATELIMIT_STORAGE_URI": RATE_LIMITS,  # several gunicorn workers share the counts
    }
    (folder / "log").mkdir()
    env = app_environment(settings, folder / "instance")
    flask(env, "init-db")
    (folder / "big.mp3").write_bytes(big_mp3(AUDIO_BYTES))
    from kispub import create_app
    from kispub.core import public

    app = create_app({**settings, "JOBS_IMMEDIATE": True})
    with app.app_context(), app.test_request_context():
        first = fill(folder / "big.mp3")
        public.publish(rebuild=True)
        return Site(folder, env, Path(settings["PUBLIC_ROOT"]),
                    f"/podcast/{first.series.slug}/feed.xml",
                    f"/podcast/audio/{first.guid}.mp3", first.audio_size)  # fmt: skip


def fill(audio: Path):  # type: ignore[no-untyped-def]
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
        first = services.create_episode(series.id, data, services.EpisodeFiles(stream)).item
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


# --- feeds, audio and memory through the shipped stack -----------------------------------


def load(wrk: str | None, url: str, seconds: float, **kw: object) -> LoadResult:
    if wrk:
        return wrk_load(wrk, url, seconds, user_agent=USER_AGENT, **kw)  # type: ignore[arg-type]
    return python_load(url, seconds, user_agent=USER_AGENT, **kw)  # type: ignore[arg-type]


def files_and_memory(site: Site, nginx: str, wrk: str | None, seconds: float) -> list[Line]:
    """The shipped stack against plain nginx on the same files, interleaved, medians."""
    processes = Processes(site.folder)
    try:
        env = {**site.env, "WEB_CONCURRENCY": str(WORKERS)}
        app_port, port = start_gunicorn(processes, "gunicorn", env, THREADS), free_port()
        wait_for_app(processes, app_port)
        log, static = site.env["KISPUB_ACCESS_LOG"], ROOT / "kispub" / "static"
        values = {"port": port, "app_port": app_port, "public": site.public, "log": log,
                  "static": static, "workers": WORKERS}  # fmt: skip
        start_nginx(processes, nginx_conf(site.folder, values), port)
        start_worker(processes, site.env)
        pids = [process.pid for _, process, _ in processes.started]
        memory = download_memory(f"http://127.0.0.1:{port}{site.audio_path}", pids,
                                 site.audio_size, DOWNLOADERS, USER_AGENT)  # fmt: skip
        with nginx_server(nginx, site.folder / "plain", site.public, WORKERS) as plain:
            results = _rounds(_plan(site, port, plain), wrk, seconds)
    finally:
        processes.stop_all()
    return _file_lines(results, memory)


def _plan(site: Site, port: int, plain: int) -> dict[str, tuple[str, dict[str, object]]]:
    """What to load, by name: (url, options); the same path on both servers."""
    from tests.deploy.stack import request

    gz = {"Accept-Encoding": "gzip"}
    etag = request(port, site.feed_path, **{"Accept_Encoding": "gzip"}).etag
    plain_etag = request(plain, site.feed_path, **{"Accept_Encoding": "gzip"}).etag
    ranges = {"size": site.audio_size, "chunk": RANGE_BYTES}
    shipped, bare = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{plain}"
    return {
        "feed_304": (shipped + site.feed_path, {"headers": {**gz, "If-None-Match": etag}}),
        "plain_304": (bare + site.feed_path, {"headers": {**gz, "If-None-Match": plain_etag}}),
        "feed_gz": (shipped + site.feed_path, {"headers": gz}),
        "plain_gz": (bare + site.feed_path, {"headers": gz}),
        "audio": (shipped + site.audio_path, ranges),
        "plain_audio": (bare + site.audio_path, ranges),
    }


def _rounds(plan: dict[str, tuple[str, dict[str, object]]], wrk: str | None,
            seconds: float) -> dict[str, LoadResult]:  # fmt: skip
    """Every measurement ROUNDS times, interleaved, keeping the median (the host is shared)."""
    runs: dict[str, list[LoadResult]] = {name: [] for name in plan}
    for _ in range(ROUNDS):
        for name, (url, options) in plan.items():
            time.sleep(SETTLE)
            runs[name].append(load(wrk, url, seconds, **options))
    return {name: median(found) for name, found in runs.items()}


def _file_lines(r: dict[str, LoadResult], memory: Memory) -> list[Line]:
    def pair(name: str, shipped: LoadResult, plain: LoadResult, unit: str = "req/s") -> Line:
        value = shipped.rps if unit == "req/s" else shipped.mb_per_s
        reference = plain.rps if unit == "req/s" else plain.mb_per_s
        return Line(name, f"{value:,.0f} {unit}", f"nginx alone: {reference:,.0f} {unit}",
                    value / reference, FILES_GOAL)  # fmt: skip

    growth = memory.peak_mb - memory.idle_mb
    return [
        pair("feed (1,000 episodes), 200 gzip", r["feed_gz"], r["plain_gz"]),
        pair("feed, 304 on If-None-Match", r["feed_304"], r["plain_304"]),
        pair("audio, random 1 MB ranges", r["audio"], r["plain_audio"], "MB/s"),
        Line(
            f"memory of the stack ({memory.processes} processes), {DOWNLOADERS} clients "
            f"downloading {AUDIO_BYTES // 2**20} MB at once",
            f"{memory.peak_mb:,.0f} MB peak (+{growth:.1f} MB)",
            f"idle: {memory.idle_mb:,.0f} MB",
        ),
    ]


# --- pages and ingest (their own scripts) ------------------------------------------------


def page_lines(folder: Path, gunicorn: Path, wrk: str | None, seconds: float) -> list[Line]:
    """bench/pages.py's rows as lines of this table."""
    lines = []
    (folder / "pages").mkdir()
    for database, name, result, reference in measure_pages(folder / "pages", gunicorn, wrk,
                                                           seconds):  # fmt: skip
        if reference is None:
            lines.append(Line(f"{database}: GET /healthz", f"{result.rps:,.0f} req/s"))
        else:
            lines.append(Line(f"{database}: {name}", f"{result.rps:,.0f} req/s",
                              f"/healthz: {reference.rps:,.0f} req/s",
                              result.rps / reference.rps, PAGES_GOAL))  # fmt: skip
    return lines


def ingest_lines(count: int) -> list[Line]:
    """bench/ingest.py's results as lines of this table."""
    return [
        Line(
            f"{database}: ingest of {r['lines']:,} access-log lines",
            f"{r['lines_per_s']:,.0f} lines/s, {r['downloads']:,} downloads",
            f"peak memory +{r['peak_growth_mb_tenth']:.1f} MB for a tenth of the lines, "
            f"+{r['peak_growth_mb']:.1f} MB for all",
        )
        for database, r in measure_ingest(count).items()
    ]


# --- output ------------------------------------------------------------------------------


def render(lines: list[Line], wrk: str | None) -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())  # fmt: skip
    rows = [
        f"Machine: {os.cpu_count()} × {cpu}, Python {platform.python_version()}, "
        f"nginx with deploy/nginx/kispub.conf in front of gunicorn {WORKERS} workers × "
        f"{THREADS} threads (gthread) and the worker; load by "
        f"{'wrk' if wrk else 'Python threads'}, {datetime.now(UTC):%Y-%m-%d}, load average at "
        f"the end {Path('/proc/loadavg').read_text().split()[0]} (the host is shared).",
        "",
        "| measurement | result | reference, same run | ratio | goal |",
        "|---|---:|---:|---:|---|",
    ]
    for line in lines:
        ratio = f"{line.ratio:.2f} ×" if line.ratio is not None else ""
        rows.append(f"| {line.name} | {line.result} | {line.reference} | {ratio} | "
                    f"{line.verdict} |")  # fmt: skip
    return "\n".join(rows)


def write_readme(table: str) -> None:
    """Put the table between README.md's bench markers, as the issue asks it shown there."""
    path = ROOT / "README.md"
    text = path.read_text()
    start, end = "<!-- bench -->", "<!-- /bench -->"
    before, _, rest = text.partition(start)
    _, _, after = rest.partition(end)
    path.write_text(f"{before}{start}\n{table}\n{end}{after}")
    print(f"updated {path}")


if __name__ == "__main__":
    main()

"""Benchmark the public pages under gunicorn on loopback, logged out, SQLite and PostgreSQL.

The demo content (``flask demo``) plus generated ateliers and episodes, so that lists are as
long as on the live site (about 40 ateliers, 16 episodes, the demo's themes). For each page:
requests/s under wrk, the ratio to /healthz of the same gunicorn (goal: 0.5 or better) and
the SQL queries one request costs, counted in-process with an SQLAlchemy event listener.

Run ``make bench-pages`` (or ``.venv/bin/python bench/pages.py``); ``--write`` also replaces
the pages table in bench/RESULTS.md. bench/run.py can call :func:`measure_pages` to put the
rows into its own table. Needs Redis (the workers' shared rate limits) and, for its second
half, PostgreSQL (``KISPUB_BENCH_POSTGRES_URL``, an admin URL; skipped with a message when
it cannot be reached); uses wrk when installed, else bench/loadgen.py's Python threads.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from loadgen import LoadResult, python_load, wrk_load  # noqa: E402
from servers import gunicorn_server  # noqa: E402
from sites import (  # noqa: E402
    Row,
    app_config,
    median,
    render,
    require_redis,
    scratch_site,
    write_results,
)

DATABASES = ("SQLite", "PostgreSQL")
ATELIERS = 40
EPISODES = 16
ROUNDS = 3
SETTLE = 2.0
WORKERS, THREADS = 2, 4
GOAL = 0.5
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) kispub-bench/1.0"
DEMO = ROOT / "kispub" / "demo"
SERIES = "denkers-en-doeners"
THEMES = ("nieuwe-migratie", "participatie", "sociale-stabiliteit", "arbeidsmarkt")
# What is measured: a name for the table and the path (the demo's slugs).
PAGES = (
    ("home page", "/"),
    ("series page", f"/podcast/{SERIES}/"),
    ("episode page", f"/podcast/{SERIES}/rotterdam-stad-zonder-meerderheid"),
    ("ateliers list", "/kennisateliers/"),
    ("atelier page", "/kennisateliers/segregatie-op-de-woningmarkt"),
    ("theme page", "/themas/participatie"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="per measurement and round")
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    parser.add_argument("--database", choices=DATABASES, action="append", help="only this one")
    args = parser.parse_args()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        sys.exit("The benchmark needs gunicorn (make install).")
    require_redis()
    wrk = shutil.which("wrk")
    print(f"load generator: {'wrk' if wrk else 'Python (wrk not installed: apt-get install wrk)'}")
    with tempfile.TemporaryDirectory(prefix="kispub-bench-pages-") as folder:
        rows = measure_pages(Path(folder), gunicorn, wrk, args.seconds, args.database or DATABASES)
    table = render(rows, wrk, GOAL, WORKERS, THREADS)
    print(table)
    if args.write:
        write_results(table, "pages", "Public pages (`make bench-pages`)")


def measure_pages(
    folder: Path,
    gunicorn: Path,
    wrk: str | None,
    seconds: float = 4.0,
    databases: Sequence[str] = DATABASES,
) -> list[Row]:
    """/healthz and every page of PAGES, on SQLite and (when reachable) PostgreSQL.

    Each row's name carries the queries a request of the page costs: served from the cache
    (what the measured requests cost), and rendered (after an edit, or in a new process)."""
    rows: list[Row] = []
    for database in databases:
        with scratch_site(database, folder) as env:
            if env is None:
                continue
            print(f"{database}: the demo with {ATELIERS} ateliers and {EPISODES} episodes")
            fill(env, folder / f"extra-{database.lower()}.toml")
            queries = count_queries(app_config(env))
            rows += measure(database, env, gunicorn, wrk, seconds, queries)
    return rows


def fill(env: dict[str, str], extra: Path) -> None:
    """The demo content, then generated ateliers and episodes, through `flask load`."""
    demo_ateliers = DEMO.joinpath("20-ateliers.toml").read_text().count("[[ateliers]]")
    demo_episodes = DEMO.joinpath("10-podcast.toml").read_text().count("[[podcast_episodes]]")
    extra.write_text(
        extra_ateliers(ATELIERS - demo_ateliers) + extra_episodes(EPISODES - demo_episodes)
    )
    flask = [str(Path(sys.executable).with_name("flask")), "--app", "kispub"]
    for command in (["demo"], ["load", str(extra)]):
        subprocess.run([*flask, *command], check=True, cwd=ROOT, env={**os.environ, **env},
                       stdout=subprocess.DEVNULL)  # fmt: skip


def extra_ateliers(count: int) -> str:
    """Ateliers every other week around today, half online, each on one or two themes."""
    start = datetime.now().replace(hour=14, minute=0, second=0, microsecond=0)
    parts = []
    for n in range(count):
        begins = start + timedelta(weeks=2 * (n - count // 2), minutes=30 * (n % 3))
        themes = ", ".join(f'"{THEMES[(n + k) % len(THEMES)]}"' for k in range(1 + n % 2))
        where = "online = true" if n % 2 else 'venue_name = "Wijkcentrum De Brug"\n' \
            'venue_address = "Kanaalstraat 5, Utrecht"'  # fmt: skip
        parts.append(f"""
[[ateliers]]
slug = "bench-atelier-{n}"
title = "Kennisatelier {n} over samenleven in de wijk"
starts_at = {begins:%Y-%m-%dT%H:%M:%S}
ends_at = {begins + timedelta(hours=2):%Y-%m-%dT%H:%M:%S}
{where}
capacity = 40
themes = [{themes}]
speakers = ["Anna de Vries, Gemeente Utrecht"]
hosts = ["Ingrid Bakker, Kennisplatform Integratie & Samenleving"]
description = "Een middag over **samenleven**: onderzoek en praktijk."
""")
    return "".join(parts)


def extra_episodes(count: int) -> str:
    """Episodes after the demo's (numbers 7 and on), with the demo's first audio file."""
    media = DEMO / "media"
    parts = []
    for n in range(count):
        themes = ", ".join(f'"{THEMES[(n + k) % len(THEMES)]}"' for k in range(2))
        parts.append(f"""
[[podcast_episodes]]
series = "{SERIES}"
slug = "bench-aflevering-{n}"
number = {100 + n}
season = 2
title = "Aflevering {n} over meedoen in de buurt"
publish_at = {datetime(2021, 1, 7, 7) + timedelta(weeks=2 * n):%Y-%m-%dT%H:%M:%S}+01:00
audio = "{media / "aflevering-1.mp3"}"
transcript = "{media / "aflevering-1.vtt"}"
chapters = "{media / "aflevering-1.chapters.json"}"
themes = [{themes}]
show_notes = "Een gesprek over **meedoen**, taal en werk."
guests = [{{ name = "Lotte van Dam", role = "host" }}]
""")
    return "".join(parts)


def count_queries(config: dict[str, str]) -> dict[str, tuple[int, int]]:
    """The SQL statements (BEGIN/COMMIT not counted) one anonymous request of each page
    sends when served from the cache, and when rendered, in a warm process."""
    from sqlalchemy import event

    from kispub import create_app
    from kispub.extensions import db

    app = create_app(config)
    counts: dict[str, tuple[int, int]] = {}
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.split(None, 1)[0].upper() in {"SELECT", "INSERT", "UPDATE", "DELETE"}:
            statements.append(statement)

    def count(path: str) -> int:
        event.listen(engine, "before_cursor_execute", record)
        try:
            assert client.get(path).status_code == 200, path
        finally:
            event.remove(engine, "before_cursor_execute", record)
        found, statements[:] = len(statements), []
        return found

    client = app.test_client()
    for _name, path in PAGES:
        assert client.get(path).status_code == 200, path
        cached = count(path)
        app.extensions["kispub_fragments"].entries.clear()
        counts[path] = (cached, count(path))
    return counts


def load(wrk: str | None, url: str, seconds: float) -> LoadResult:
    if wrk:
        return wrk_load(wrk, url, seconds, user_agent=USER_AGENT)
    return python_load(url, seconds, user_agent=USER_AGENT)


def measure(
    database: str,
    env: dict[str, str],
    gunicorn: Path,
    wrk: str | None,
    seconds: float,
    queries: dict[str, tuple[int, int]],
) -> list[Row]:
    """/healthz and each page, ROUNDS times interleaved; the medians."""
    with gunicorn_server(gunicorn, env, WORKERS, THREADS) as (port, _):
        base = f"http://127.0.0.1:{port}"
        plan = {"/healthz": base + "/healthz"} | {path: base + path for _, path in PAGES}
        for url in plan.values():
            request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
            with urllib.request.urlopen(request) as response:
                assert response.status == 200, url
        results: dict[str, list[LoadResult]] = {path: [] for path in plan}
        for _ in range(ROUNDS):
            for path, url in plan.items():
                time.sleep(SETTLE)
                results[path].append(load(wrk, url, seconds))
    middle = {path: median(runs) for path, runs in results.items()}
    health = middle["/healthz"]
    rows: list[Row] = [(database, "GET /healthz (1 query)", health, None)]
    for name, path in PAGES:
        cached, rendered = queries[path]
        label = f"{name}, `{path}` ({cached} query cached, {rendered} rendered)"
        rows.append((database, label, middle[path], health))
    return rows


if __name__ == "__main__":
    main()

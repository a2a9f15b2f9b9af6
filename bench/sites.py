"""What the page benchmarks share: a migrated scratch database on SQLite or PostgreSQL, the
environment of the gunicorn under test, and the results table in bench/RESULTS.md."""

from __future__ import annotations

import os
import platform
import socket
import subprocess
import sys
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from loadgen import LoadResult
from servers import free_port

ROOT = Path(__file__).resolve().parent.parent
RATE_LIMITS = os.environ.get("KISPUB_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/15")
POSTGRES_ADMIN = os.environ.get(
    "KISPUB_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
# A row of a results table: database, what was measured, its result, and /healthz's (None
# for /healthz itself).
Row = tuple[str, str, LoadResult, LoadResult | None]


def reachable(url: str) -> bool:
    """Whether something accepts connections at the URL's host and port."""
    parts = urllib.parse.urlsplit(url)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 2).close()
    except OSError:
        return False
    return True


def require_redis() -> None:
    """gunicorn's workers need shared login-throttling counts: stop when Redis is missing."""
    if not reachable(RATE_LIMITS):
        sys.exit(f"The benchmark needs Redis for the workers' shared rate limits: {RATE_LIMITS} "
                 "cannot be reached (set KISPUB_RATELIMIT_STORAGE_URI).")  # fmt: skip


@contextmanager
def scratch_site(database: str, folder: Path) -> Iterator[dict[str, str] | None]:
    """The KISPUB_* environment of a migrated, empty site (None when PostgreSQL cannot be
    reached); PostgreSQL's database is dropped afterwards."""
    port = free_port()
    tmp = folder / database.lower()
    tmp.mkdir()
    if database == "SQLite":
        url, drop = f"sqlite:///{tmp / 'bench.sqlite3'}", None
    else:
        created = create_postgres_database()
        if created is None:
            yield None
            return
        url, drop = created
    env = {
        "KISPUB_SQLALCHEMY_DATABASE_URI": url,
        "KISPUB_MEDIA_ROOT": str(tmp / "media"),
        "KISPUB_OUTBOX_DIR": str(tmp / "outbox"),
        "KISPUB_SECRET_KEY": uuid.uuid4().hex,
        "KISPUB_BASE_URL": f"http://127.0.0.1:{port}",
        "KISPUB_RATELIMIT_STORAGE_URI": RATE_LIMITS,
        "KISPUB_RATELIMIT_KEY_PREFIX": f"kispub-bench-{uuid.uuid4().hex}",
    }
    try:
        flask = Path(sys.executable).with_name("flask")
        subprocess.run([flask, "--app", "kispub", "init-db"], check=True, cwd=ROOT,
                       env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)  # fmt: skip
        yield env
    finally:
        if drop is not None:
            drop()


def app_config(env: dict[str, str]) -> dict[str, str]:
    """The environment as create_app's test_config, to fill the site in this process."""
    return {key.removeprefix("KISPUB_"): value for key, value in env.items()}


def create_postgres_database() -> tuple[str, Callable[[], None]] | None:
    """A scratch database and the function that drops it; None (with a message) if unreachable."""
    try:
        import psycopg
    except ImportError:
        print("PostgreSQL skipped: psycopg is not installed (make install)")
        return None
    name = f"kispub_bench_{os.getpid()}"
    admin = POSTGRES_ADMIN.replace("postgresql+psycopg://", "postgresql://")
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as error:
        print(f"PostgreSQL skipped: {admin} cannot be reached ({str(error).strip()})")
        return None

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    parts = urllib.parse.urlsplit(admin)
    url = urllib.parse.urlunsplit(("postgresql+psycopg", parts.netloc, f"/{name}", parts.query, ""))
    return url, drop


def median(runs: list[LoadResult]) -> LoadResult:
    """The middle run by requests per second."""
    return sorted(runs, key=lambda r: r.rps)[len(runs) // 2]


def render(rows: list[Row], wrk: str | None, goal: float, workers: int, threads: int) -> str:
    """The machine, then one table row per measurement with its ratio to /healthz."""
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())  # fmt: skip
    lines = [
        f"Machine: {os.cpu_count()} × {cpu}, Python {platform.python_version()}, "
        f"gunicorn {workers} workers × {threads} threads (gthread), "
        f"load by {'wrk' if wrk else 'Python threads'}, {datetime.now(UTC):%Y-%m-%d}, "
        f"load average at the end {Path('/proc/loadavg').read_text().split()[0]}.",
        "",
        f"| database | page | requests/s | ratio (goal ≥ {goal} × /healthz) |",
        "|---|---|---:|---:|",
    ]
    for database, name, result, reference in rows:
        ratio = ""
        if reference is not None:
            value = result.rps / reference.rps
            ratio = f"{value:.2f} ×{'' if value >= goal else ' (below the goal)'}"
        errors = f" ({result.errors} errors)" if result.errors else ""
        lines.append(f"| {database} | {name} | {result.rps:,.0f}{errors} | {ratio} |")
    return "\n".join(lines)


def write_results(table: str, section: str, heading: str) -> None:
    """Replace (or add) the section's table in bench/RESULTS.md."""
    path = ROOT / "bench" / "RESULTS.md"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    start, end = f"<!-- {section} -->", f"<!-- /{section} -->"
    block = f"{start}\n{table}\n{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip() + f"\n\n## {heading}\n\n" + block + "\n"
    path.write_text(text)
    print(f"updated {path}")

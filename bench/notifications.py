"""Benchmark a reply's POST to a thread 1,000 members follow against one nobody follows.

The fan-out of notifications runs in the worker, so the POST should cost the same either
way; the goal is a ratio of the median times of at most 1.2. Both threads live in one app
and one database, and the POSTs alternate between them (so drift in the machine's load hits
both alike). Each POST goes through the whole stack in-process (Flask's test client, logged
in through the login form): routing, the session, the form, the posting service with its
transaction, the automatic watch level and the queueing of the fan-out job (Huey's SQLite
queue; no worker consumes it during the measurement). Afterwards the script runs the two
queued jobs as the worker would, to show what the request no longer pays for.

Run ``make bench-notifications`` (or ``.venv/bin/python bench/notifications.py``). SQLite
always; PostgreSQL too, in a scratch database on the server of KISPUB_BENCH_POSTGRES_URL
(default ``postgresql://postgres@127.0.0.1:5432/postgres``), dropped afterwards and skipped
with a message when that server cannot be reached. CSRF and rate limits are off (the test
client sends many POSTs from one account).
"""

from __future__ import annotations

import argparse
import platform
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from community import create_postgres_database  # noqa: E402

WATCHERS = 1000
GOAL = 1.2
EMAIL, PASSWORD = "schrijver@bench.example", "een lang genoeg benchmarkwachtwoord"
BODY = "Bij ons werkt een taalcafé op dinsdagavond goed: **vrijwilligers** en een vaste plek."


@dataclass(frozen=True)
class Result:
    """The POST times of one database, in seconds, and the worker's time per fan-out."""

    database: str
    watched: list[float]
    quiet: list[float]
    watched_job: tuple[float, int]  # seconds, notifications made
    quiet_job: tuple[float, int]

    @property
    def ratio(self) -> float:
        return statistics.median(self.watched) / statistics.median(self.quiet)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=200, help="POSTs per thread")
    parser.add_argument(
        "--inline",
        action="store_true",
        help="the control: run jobs inside the request (JOBS_IMMEDIATE), as without a worker",
    )
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="kispub-bench-notifications-") as folder:
        for database in ("SQLite", "PostgreSQL"):
            with database_url(database, Path(folder)) as url:
                if url is not None:
                    results.append(measure(database, url, Path(folder), args.posts, args.inline))
    print(render(results, args.posts, args.inline))
    if not args.inline and any(result.ratio > GOAL for result in results):
        sys.exit(f"goal missed: a ratio above {GOAL}")


@contextmanager
def database_url(database: str, folder: Path) -> Iterator[str | None]:
    """A URL of an empty database; PostgreSQL's is dropped afterwards."""
    if database == "SQLite":
        yield f"sqlite:///{folder / 'bench.sqlite3'}"
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


def measure(database: str, url: str, folder: Path, posts: int, inline: bool) -> Result:
    """Build the two threads, then time ``posts`` replies to each, alternating."""
    from kispub import create_app
    from kispub.extensions import db

    tmp = folder / database.lower()
    tmp.mkdir()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": uuid.uuid4().hex,
            "MEDIA_ROOT": str(tmp / "media"),
            "OUTBOX_DIR": str(tmp / "outbox"),
            "BASE_URL": "http://127.0.0.1",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "JOBS_IMMEDIATE": inline,
            "JOBS_SQLITE_PATH": str(tmp / "jobs.sqlite3"),
        }
    )
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        print(f"{database}: {WATCHERS:,} members follow one thread; nobody follows the other")
        watched, quiet = build(WATCHERS)
        client = app.test_client()
        answer = client.post("/inloggen", data={"email": EMAIL, "password": PASSWORD})
        assert answer.status_code == 302, "login failed"
        post = poster(client)
        for _ in range(10):  # warm up: imports, caches, the connection pool
            post(watched)
            post(quiet)
        times: dict[int, list[float]] = {watched: [], quiet: []}
        for n in range(posts):
            for thread_id in (watched, quiet) if n % 2 else (quiet, watched):
                times[thread_id].append(post(thread_id))
        jobs = (run_fan_out(app, watched), run_fan_out(app, quiet))
        db.session.remove()
        db.engine.dispose()
    return Result(database, times[watched], times[quiet], *jobs)


def build(watchers: int) -> tuple[int, int]:
    """The writer, ``watchers`` approved members following one thread, and a thread in
    another theme that only its writer follows; returns the two thread ids."""
    from sqlalchemy import insert, select

    from kispub.accounts.models import User
    from kispub.accounts.services import NewUser, create_user
    from kispub.community.models import (
        JoinedVia,
        Member,
        MemberStatus,
        ThreadWatch,
        WatchLevel,
        WatchReason,
    )
    from kispub.community.services.posting import NewThread, start_thread
    from kispub.core import clock
    from kispub.core.database import write_transaction
    from kispub.themes.services import all_themes

    writer = create_user(
        NewUser(email=EMAIL, name="Schrijver", password=PASSWORD, made_by_staff=True)
    )
    first, second = all_themes()[:2]
    watched = start_thread(writer, NewThread(first.id, "Gevolgd door velen", BODY))
    quiet = start_thread(writer, NewThread(second.id, "Door niemand gevolgd", BODY))
    now = clock.now()
    with write_transaction() as session:
        session.execute(
            insert(User),
            [{"email": f"volger{n}@bench.example", "name": f"Volger {n}"} for n in range(watchers)],
        )
        ids = session.scalars(select(User.id).where(User.email.like("volger%"))).all()
        session.execute(
            insert(Member),
            [{"user_id": i, "handle": f"volger-{i}", "status": MemberStatus.APPROVED,
              "joined_via": JoinedVia.STAFF, "approved_at": now} for i in ids],
        )  # fmt: skip
        session.execute(
            insert(ThreadWatch),
            [{"user_id": i, "thread_id": watched.id, "level": WatchLevel.WATCHING,
              "reason": WatchReason.CHOSEN} for i in ids],
        )  # fmt: skip
    return watched.id, quiet.id


def poster(client: Any) -> Callable[[int], float]:
    """A function that replies to a thread through the form and returns the seconds taken."""

    def post(thread_id: int) -> float:
        data = {"body": BODY, "nonce": secrets.token_urlsafe(24)}
        started = time.perf_counter()
        answer = client.post(f"/community/onderwerp/{thread_id}/reageren", data=data)
        elapsed = time.perf_counter() - started
        assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
        return elapsed

    return post


def run_fan_out(app: Any, thread_id: int) -> tuple[float, int]:
    """Run the queued fan-out of the thread's last post as the worker would: its seconds,
    and the notifications it made."""
    from sqlalchemy import select

    from kispub.community.models import Post, Thread
    from kispub.community.services.notifying import fan_out_post
    from kispub.extensions import db

    db.session.rollback()
    post_id = db.session.scalar(
        select(Post.id)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Thread.id == thread_id, Post.number == Thread.post_count)
    )
    assert post_id is not None
    started = time.perf_counter()
    made = fan_out_post(post_id)
    return time.perf_counter() - started, made


def render(results: list[Result], posts: int, inline: bool) -> str:
    """A Markdown table of the results, with where and when it ran."""
    machine = f"{platform.processor() or platform.machine()}, Python {platform.python_version()}"
    where = "inside the request (--inline, the control)" if inline else "in the worker"
    lines = [
        f"Run {date.today().isoformat()} ({machine}), in-process with Flask's test client, "
        f"{posts} reply POSTs per thread, alternating; fan-out {where}:",
        "",
        "| database | thread | median POST | mean POST | one fan-out job, run as the worker does |",
        "|---|---|---:|---:|---:|",
    ]
    for r in results:
        for name, times, (seconds, made) in (
            (f"followed by {WATCHERS:,}", r.watched, r.watched_job),
            ("followed by nobody", r.quiet, r.quiet_job),
        ):
            lines.append(
                f"| {r.database} | {name} | {statistics.median(times) * 1000:.1f} ms "
                f"| {statistics.mean(times) * 1000:.1f} ms "
                f"| {seconds * 1000:.0f} ms, {made:,} notifications |"
            )
        verdict = "goal met" if r.ratio <= GOAL else "goal MISSED"
        ratio = f"**{r.ratio:.2f}**"
        lines.append(
            f"| {r.database} | **ratio of the medians** | {ratio} | | {verdict} (≤ {GOAL}) |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()

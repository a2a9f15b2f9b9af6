"""Benchmark the community's pages under gunicorn on loopback, on SQLite and on PostgreSQL.

* requests/s of a thread page with 100 replies and of a theme page with 1,000 threads,
  logged in as an approved member (through the real login form, CSRF token and all), each
  as a ratio to /healthz of the same server. The goal is 0.4 times or better.

Run ``make bench-community`` (or ``.venv/bin/python bench/community.py``); ``--write`` also
replaces the community table in bench/RESULTS.md. PostgreSQL runs in a scratch database
created on the server of KISPUB_BENCH_POSTGRES_URL (default
``postgresql://postgres@127.0.0.1:5432/postgres``) and dropped afterwards; it is skipped,
with a message, when that server cannot be reached. gunicorn runs several worker processes,
which the app only allows with shared login-throttling counts: a Redis server at
KISPUB_RATELIMIT_STORAGE_URI (default ``redis://127.0.0.1:6379/15``, keys under a prefix of
their own). Uses wrk when installed, else the Python load generator of bench/loadgen.py.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import re
import shutil
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
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

THREADS_IN_THEME = 1000
REPLIES = 100
ROUNDS = 3
SETTLE = 2.0  # seconds of rest before each measurement (the host is shared)
WORKERS, THREADS = 2, 4  # as bench/run.py: threads per worker below the pool size (5)
GOAL = 0.4
USER_AGENT = "kispub-bench/1.0 (community member)"
EMAIL, PASSWORD = "lid@bench.example", "een lang genoeg benchmarkwachtwoord"
BODY = (
    "Wij zien in de **praktijk** dat de brede intake langer duurt dan gepland. Hoe doen "
    "jullie dat? Zie ook [het rapport](https://www.kis.nl) en de ervaringen van collega's "
    "in andere gemeenten.\n\n- drie gesprekken\n- een werkplekobservatie\n- een tolk\n"
)


@dataclass(frozen=True)
class Site:
    """A prepared database and what to request on it."""

    name: str
    env: dict[str, str]
    thread_path: str
    theme_path: str


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="per measurement and round")
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = parser.parse_args()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        sys.exit("The benchmark needs gunicorn (make install).")
    require_redis()
    wrk = shutil.which("wrk")
    print(f"load generator: {'wrk' if wrk else 'Python (wrk not installed: apt-get install wrk)'}")
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="kispub-bench-community-") as folder:
        for database in ("SQLite", "PostgreSQL"):
            with site(database, Path(folder)) as prepared:
                if prepared is None:
                    continue
                rows += measure(prepared, gunicorn, wrk, args.seconds)
    table = render(rows, wrk, GOAL, WORKERS, THREADS)
    print(table)
    if args.write:
        write_results(table, "community", "Community pages (`make bench-community`)")


# --- preparing a site ---------------------------------------------------------------------


@contextmanager
def site(database: str, folder: Path) -> Iterator[Site | None]:
    """A migrated database with the benchmark's community; PostgreSQL's is dropped after."""
    with scratch_site(database, folder) as env:
        if env is None:
            yield None
            return
        print(
            f"{database}: building {THREADS_IN_THEME:,} threads and a thread of {REPLIES} replies"
        )
        thread_id, theme_slug = fill(app_config(env))
        yield Site(
            database, env, f"/community/onderwerp/{thread_id}", f"/community/thema/{theme_slug}"
        )


def fill(config: dict[str, str]) -> tuple[int, str]:
    """The member who logs in, five authors, a theme of 1,000 threads and a long thread.

    Bulk inserts through the ORM, with every counter as the posting services keep them:
    the thread's posts and last post, the theme's threads, posts and last activity.
    """
    from sqlalchemy import insert

    from kispub import create_app
    from kispub.accounts.services import NewUser, create_user
    from kispub.community.models import Post, ThemeActivity, Thread
    from kispub.core import clock
    from kispub.core.database import write_transaction
    from kispub.core.markdown import render_markdown
    from kispub.themes.services import all_themes

    app = create_app(config)
    with app.app_context():
        # Made as staff make accounts: approved members with a verified address.
        create_user(NewUser(email=EMAIL, name="Bench Lid", password=PASSWORD, made_by_staff=True))
        authors = [
            create_user(NewUser(email=f"auteur{n}@bench.example", name=f"Auteur {n}",
                                organisation=f"Gemeente {n}", made_by_staff=True)).id
            for n in range(5)
        ]  # fmt: skip
        big, long = all_themes()[:2]
        html = str(render_markdown(BODY))
        start = clock.now() - timedelta(days=30)
        with write_transaction() as session:
            threads = [
                Thread(theme_id=big.id, author_id=authors[n % 5], title=f"Onderwerp {n + 1}",
                       post_count=n % 5 + 1, created_at=start + timedelta(minutes=n),
                       last_post_at=start + timedelta(minutes=n + n % 5),
                       last_poster_id=authors[(n + n % 5) % 5])
                for n in range(THREADS_IN_THEME)
            ]  # fmt: skip
            thread = Thread(theme_id=long.id, author_id=authors[0], title="Een lange discussie",
                            post_count=REPLIES + 1, created_at=start,
                            last_post_at=start + timedelta(minutes=REPLIES),
                            last_poster_id=authors[REPLIES % 5])  # fmt: skip
            session.add_all([*threads, thread])
            session.flush()
            posts = [
                {"thread_id": t.id, "number": k, "author_id": authors[(n + k - 1) % 5],
                 "body": BODY, "html": html, "created_at": t.created_at + timedelta(minutes=k - 1)}
                for n, t in enumerate(threads) for k in range(1, t.post_count + 1)
            ] + [
                {"thread_id": thread.id, "number": k, "author_id": authors[(k - 1) % 5],
                 "body": BODY, "html": html, "created_at": start + timedelta(minutes=k - 1)}
                for k in range(1, REPLIES + 2)
            ]  # fmt: skip
            session.execute(insert(Post), posts)
            newest = max(threads, key=lambda t: t.last_post_at)
            session.add_all([
                ThemeActivity(theme_id=big.id, thread_count=len(threads),
                              post_count=sum(t.post_count for t in threads),
                              last_post_at=newest.last_post_at, last_thread_id=newest.id),
                ThemeActivity(theme_id=long.id, thread_count=1, post_count=thread.post_count,
                              last_post_at=thread.last_post_at, last_thread_id=thread.id),
            ])  # fmt: skip
        return thread.id, big.slug


# --- measurements ---------------------------------------------------------------------------


def log_in(base: str) -> str:
    """Log in through the real form; the Cookie header of the logged-in session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    headers = {"User-Agent": USER_AGENT}  # the session is bound to the browser (strong mode)
    with opener.open(urllib.request.Request(base + "/inloggen", headers=headers)) as response:
        page = response.read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None, "no CSRF token on the login page"
    form = {"email": EMAIL, "password": PASSWORD, "csrf_token": token.group(1)}
    data = urllib.parse.urlencode(form).encode()
    with opener.open(urllib.request.Request(base + "/inloggen", data, headers)) as response:
        response.read()
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def check(url: str, cookie: str) -> None:
    """The page answers 200 to the logged-in member (not the login page, not a 403)."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Cookie": cookie})
    with urllib.request.urlopen(request) as response:
        assert response.status == 200 and "/inloggen" not in response.url, url


def load(wrk: str | None, url: str, seconds: float, headers: dict[str, str]) -> LoadResult:
    if wrk:
        return wrk_load(wrk, url, seconds, user_agent=USER_AGENT, headers=headers)
    return python_load(url, seconds, user_agent=USER_AGENT, headers=headers)


def measure(site: Site, gunicorn: Path, wrk: str | None, seconds: float) -> list[Row]:
    """/healthz, the thread page and the theme page, ROUNDS times interleaved; the medians."""
    with gunicorn_server(gunicorn, site.env, WORKERS, THREADS) as (port, _):
        base = f"http://127.0.0.1:{port}"
        cookie = log_in(base)
        logged_in = {"Cookie": cookie}
        plan = {
            "health": (base + "/healthz", {}),
            "thread": (base + site.thread_path, logged_in),
            "theme": (base + site.theme_path, logged_in),
        }
        for url, headers in plan.values():
            if headers:
                check(url, cookie)
        results: dict[str, list[LoadResult]] = {name: [] for name in plan}
        for _ in range(ROUNDS):
            for name, (url, headers) in plan.items():
                time.sleep(SETTLE)
                results[name].append(load(wrk, url, seconds, headers))
    middle = {name: median(runs) for name, runs in results.items()}
    health = middle["health"]
    return [
        (site.name, "GET /healthz", health, None),
        (site.name, f"thread page, {REPLIES} replies (logged in)", middle["thread"], health),
        (
            site.name,
            f"theme page, {THREADS_IN_THEME:,} threads (logged in)",
            middle["theme"],
            health,
        ),
    ]


if __name__ == "__main__":
    main()

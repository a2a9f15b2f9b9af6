"""Benchmark the dossier page with 500 items under gunicorn on loopback, SQLite and PostgreSQL.

requests/s of the whole dossier page and of a filtered list (one theme, one type), anonymous,
each as a ratio to /healthz of the same server. The goal is 0.5 times or better.

Run ``make bench-dossier`` (or ``.venv/bin/python bench/dossier.py``); ``--write`` also
replaces the dossier table in bench/RESULTS.md. Needs what ``bench/community.py`` needs: a
Redis server for the workers' shared rate limits, and PostgreSQL for its half (skipped with
a message when it cannot be reached). Uses wrk when installed, else the Python load
generator of bench/loadgen.py.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
import urllib.request
from datetime import UTC, date, datetime, timedelta
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

ITEMS = 500
ROUNDS = 3
SETTLE = 2.0
WORKERS, THREADS = 2, 4
GOAL = 0.5
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) kispub-bench/1.0"
SLUG = "benchdossier"
FILTER = "?thema=participatie&type=artikel"
KINDS = ("artikel", "publicatie", "infographic", "handleiding", "externe-link")


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
    with TemporaryFolder() as folder:
        for database in ("SQLite", "PostgreSQL"):
            with scratch_site(database, folder) as env:
                if env is None:
                    continue
                print(f"{database}: building a dossier of {ITEMS} items")
                fill(app_config(env))
                rows += measure(database, env, gunicorn, wrk, args.seconds)
    table = render(rows, wrk, GOAL, WORKERS, THREADS)
    print(table)
    if args.write:
        write_results(table, "dossier", "Dossier page (`make bench-dossier`)")


class TemporaryFolder:
    def __enter__(self) -> Path:
        import tempfile

        self._dir = tempfile.TemporaryDirectory(prefix="kispub-bench-dossier-")
        return Path(self._dir.name)

    def __exit__(self, *exc: object) -> None:
        self._dir.cleanup()


def fill(config: dict[str, str]) -> None:
    """A published dossier of four groups and ITEMS items over the themes, in bulk."""
    from sqlalchemy import insert

    from kispub import create_app
    from kispub.core.database import write_transaction
    from kispub.dossier.models import Dossier, DossierGroup, DossierItem, dossier_item_theme
    from kispub.themes.services import all_themes

    app = create_app(config)
    with app.app_context():
        themes = [theme.id for theme in all_themes()]
        published = datetime(2020, 4, 1, tzinfo=UTC)
        with write_transaction() as session:
            dossier = Dossier(slug=SLUG, title="Benchdossier", introduction="Een **inleiding**.",
                              summary="Vijfhonderd items.", published_at=published)  # fmt: skip
            session.add(dossier)
            session.flush()
            groups = [
                DossierGroup(dossier_id=dossier.id, slug=f"groep-{n}", title=f"Groep {n}",
                             description="Een groep.", position=n)
                for n in range(4)
            ]  # fmt: skip
            session.add_all(groups)
            session.flush()
            rows = [item_row(dossier.id, groups[n % 4].id, n, published) for n in range(ITEMS)]
            ids = session.execute(insert(DossierItem).returning(DossierItem.id), rows).scalars()
            links = [{"item_id": item_id, "theme_id": themes[(n + k) % len(themes)]}
                     for n, item_id in enumerate(ids) for k in range(1 + n % 2)]  # fmt: skip
            session.execute(insert(dossier_item_theme), links)


def item_row(dossier_id: int, group_id: int, n: int, published: datetime) -> dict[str, object]:
    kind = KINDS[n % len(KINDS)]
    return {
        "dossier_id": dossier_id, "group_id": group_id, "slug": f"item-{n}", "kind": kind,
        "title": f"Item {n} over de gevolgen van corona", "position": -n,
        "summary": "Een samenvatting van een paar regels over wat dit item behandelt.",
        "dated_on": date(2020, 4, 1) + timedelta(days=n % 600), "body": "Tekst.",
        "text_alternative": "Tekst.", "published_at": published, "created_at": published,
        "updated_at": published,
        "external_url": "https://www.example.org/" if kind == "externe-link" else None,
    }  # fmt: skip


def load(wrk: str | None, url: str, seconds: float) -> LoadResult:
    if wrk:
        return wrk_load(wrk, url, seconds, user_agent=USER_AGENT)
    return python_load(url, seconds, user_agent=USER_AGENT)


def measure(
    database: str, env: dict[str, str], gunicorn: Path, wrk: str | None, seconds: float
) -> list[Row]:
    """/healthz, the whole page and a filtered list, ROUNDS times interleaved; the medians."""
    with gunicorn_server(gunicorn, env, WORKERS, THREADS) as (port, _):
        base = f"http://127.0.0.1:{port}"
        plan = {
            "health": base + "/healthz",
            "page": f"{base}/dossiers/{SLUG}",
            "filtered": f"{base}/dossiers/{SLUG}{FILTER}",
        }
        for url in plan.values():
            request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
            with urllib.request.urlopen(request) as response:
                assert response.status == 200, url
        results: dict[str, list[LoadResult]] = {name: [] for name in plan}
        for _ in range(ROUNDS):
            for name, url in plan.items():
                time.sleep(SETTLE)
                results[name].append(load(wrk, url, seconds))
    middle = {name: median(runs) for name, runs in results.items()}
    health = middle["health"]
    return [
        (database, "GET /healthz", health, None),
        (database, f"dossier page, {ITEMS} items", middle["page"], health),
        (database, f"filtered list ({FILTER})", middle["filtered"], health),
    ]


if __name__ == "__main__":
    main()

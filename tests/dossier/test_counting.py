"""Private counting of dossier views and downloads: once per visitor and day, no bots, no
HEAD, no prefetch, no cookie, no address; yesterday's hashes and key forgotten."""

from __future__ import annotations

import hashlib
import io
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select, text

from kispub.core.storage import get_storage
from kispub.dossier import counting, queries
from kispub.dossier.models import (
    CountKind,
    Dossier,
    DossierCountDay,
    DossierCountKey,
    DossierFile,
    DossierItem,
    DossierSeen,
    ItemKind,
)
from kispub.extensions import db
from kispub.jobs import huey_of
from tests.clock import Clock, freeze
from tests.dossier.helpers import make_dossier, make_item
from tests.queries import count_queries

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Safari/604.1"
IP = "203.0.113.77"
OTHER_IP = "198.51.100.9"
DAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 10:00 in Amsterdam


@pytest.fixture
def clock(app: Flask) -> Clock:
    return freeze(app, DAY)


@pytest.fixture
def dossier(app: Flask) -> Dossier:
    return make_dossier(slug="coronadossier", title="Coronadossier")


@pytest.fixture
def article(dossier: Dossier) -> DossierItem:
    return make_item(dossier, title="Corona helpdesk voor statushouders gestart")


def visit(
    client: FlaskClient, path: str, agent: str | None = BROWSER, address: str = IP, **headers: str
) -> Any:
    """A GET (or ``method``) as a browser at ``address`` sends it."""
    method = headers.pop("method", "GET")
    if agent is not None:
        headers["User-Agent"] = agent
    response = client.open(
        path, method=method, headers=headers, environ_base={"REMOTE_ADDR": address}
    )
    assert response.status_code == 200, response.status_code
    return response


def item_path(item: DossierItem) -> str:
    return f"/dossiers/coronadossier/{item.slug}"


def total(dossier_id: int, item_id: int | None, kind: CountKind = CountKind.VIEW) -> int:
    db.session.rollback()  # a fresh snapshot after the requests committed
    return queries.count_totals(dossier_id).get((item_id, kind), 0)


# --- the rules ---------------------------------------------------------------------------


def test_first_view_counts_a_repeat_does_not_another_visitor_does(
    app: Flask, client: FlaskClient, clock: Clock, dossier: Dossier, article: DossierItem
) -> None:
    path = item_path(article)
    visit(client, path)
    assert total(dossier.id, article.id) == 1
    visit(client, path)
    clock.advance(hours=5)
    visit(client, path)
    assert total(dossier.id, article.id) == 1  # the same visitor, the same day
    visit(client, path, agent=PHONE)  # another browser behind the same address
    visit(client, path, address=OTHER_IP)
    assert total(dossier.id, article.id) == 3
    visit(client, path, address="2001:db8:5:6::1")
    visit(client, path, address="2001:db8:5:6::2")  # the same /64: the same household
    assert total(dossier.id, article.id) == 4
    # The dossier page is a target of its own; filtered or not, it is the same page.
    assert total(dossier.id, None) == 0
    visit(client, "/coronadossier")
    visit(client, "/coronadossier?type=artikel")
    assert total(dossier.id, None) == 1
    visit(client, "/coronadossier?type=artikel", address=OTHER_IP)
    assert total(dossier.id, None) == 2
    assert total(dossier.id, article.id) == 4
    rows = db.session.scalars(select(DossierCountDay)).all()
    assert sorted((r.item_id or 0, r.day, r.count) for r in rows) == [
        (0, date(2026, 3, 2), 2),
        (article.id, date(2026, 3, 2), 4),
    ]


def test_a_repeat_the_process_remembers_costs_no_query_and_another_process_still_agrees(
    app: Flask, clock: Clock, dossier: Dossier, article: DossierItem
) -> None:
    view = (dossier.id, article.id, CountKind.VIEW, OTHER_IP, PHONE)
    assert counting.record(*view)
    with count_queries() as repeat:
        assert not counting.record(*view)
    assert repeat == []
    app.extensions.pop("kispub.dossier.counting")  # another worker process: the database says
    with count_queries() as elsewhere:
        assert not counting.record(*view)
    assert len(elsewhere) == 2  # the day's key and the visitor's row
    clock.advance(days=1)  # a new day forgets what the process remembered
    assert counting.record(*view)
    assert total(view[0], view[1]) == 2  # once on each day


def test_the_next_day_counts_again_and_yesterdays_hashes_and_key_are_forgotten(
    app: Flask, client: FlaskClient, clock: Clock, dossier: Dossier, article: DossierItem
) -> None:
    clock.now = datetime(2026, 3, 2, 22, 30, tzinfo=UTC)  # 23:30 in Amsterdam
    path = item_path(article)
    visit(client, path)
    visit(client, "/coronadossier")
    clock.advance(minutes=40)  # 00:10 in Amsterdam, still 2 March in UTC
    visit(client, path)
    assert total(dossier.id, article.id) == 2
    days = db.session.scalars(
        select(DossierCountDay.day).where(DossierCountDay.item_id.isnot(None))
    )
    assert sorted(days) == [date(2026, 3, 2), date(2026, 3, 3)]
    # Today's first visitor made today's key and deleted yesterday's.
    assert db.session.scalars(select(DossierCountKey.day)).all() == [date(2026, 3, 3)]
    old = db.session.scalars(select(DossierSeen).where(DossierSeen.day == date(2026, 3, 2)))
    assert len(old.all()) == 2

    run_job(app, "dossier-forget-visitors", datetime(2026, 3, 2, 23, 3))

    db.session.rollback()
    seen = db.session.scalars(select(DossierSeen)).all()
    assert [(s.day, s.target) for s in seen] == [(date(2026, 3, 3), f"view:{article.id}")]
    assert db.session.scalars(select(DossierCountKey.day)).all() == [date(2026, 3, 3)]
    # Only the totals are left of yesterday.
    assert total(dossier.id, article.id) == 2
    assert total(dossier.id, None) == 1


def run_job(app: Flask, name: str, moment: datetime) -> None:
    """Run a periodic job the way the worker does, at a minute it is due."""
    huey = huey_of(app)
    due = [task for task in huey.read_periodic(moment) if type(task).__name__ == name]
    assert len(due) == 1, f"{name} is not due at {moment}"
    huey.execute(due[0])


def test_head_requests_are_not_counted(
    app: Flask, client: FlaskClient, clock: Clock, dossier: Dossier, article: DossierItem
) -> None:
    visit(client, item_path(article), method="HEAD")
    visit(client, "/coronadossier", method="HEAD")
    assert total(dossier.id, article.id) == 0
    assert total(dossier.id, None) == 0
    assert db.session.scalars(select(DossierSeen)).all() == []


BOTS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.1)",
    "curl/8.5.0",
    "python-requests/2.32.3",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/126.0 Safari/537.36",
    "Mozilla/5.0",
    "",
]


def test_bots_are_not_counted(
    app: Flask, client: FlaskClient, clock: Clock, dossier: Dossier, article: DossierItem
) -> None:
    for agent in BOTS:
        visit(client, item_path(article), agent=agent)
        visit(client, "/coronadossier", agent=agent)
    anonymous = app.test_client()
    del anonymous.environ_base["HTTP_USER_AGENT"]  # no User-Agent header at all
    visit(anonymous, "/coronadossier", agent=None)
    assert total(dossier.id, article.id) == 0
    assert total(dossier.id, None) == 0
    visit(client, "/coronadossier")  # the same page, by a person
    assert total(dossier.id, None) == 1


@pytest.mark.parametrize(
    "header",
    [
        {"Sec-Purpose": "prefetch"},
        {"Sec-Purpose": "prefetch;prerender"},
        {"Purpose": "prefetch"},
        {"X-Moz": "prefetch"},
        {"X-Purpose": "preview"},
    ],
)
def test_prefetches_are_not_counted(
    app: Flask,
    client: FlaskClient,
    clock: Clock,
    dossier: Dossier,
    article: DossierItem,
    header: dict[str, str],
) -> None:
    visit(client, item_path(article), **header)
    visit(client, "/coronadossier", **header)
    assert total(dossier.id, article.id) == 0
    assert total(dossier.id, None) == 0
    visit(client, "/coronadossier")  # the reader then opens it
    assert total(dossier.id, None) == 1


def test_counting_sets_no_cookie_and_stores_no_address(
    app: Flask, client: FlaskClient, clock: Clock, dossier: Dossier, article: DossierItem
) -> None:
    addresses = [IP, "2001:db8:77:1::5"]
    for address in addresses:
        for path in ("/coronadossier", "/coronadossier?type=artikel", item_path(article)):
            response = visit(client, path, address=address)
            assert "Set-Cookie" not in response.headers
            assert response.headers["Cache-Control"] == "no-store"
    assert total(dossier.id, article.id) == 2 and total(dossier.id, None) == 2
    stored = everything_in_dossier_tables()
    assert "203.0.113" not in stored and "2001:db8:77" not in stored
    assert BROWSER not in stored and "Firefox" not in stored
    # The hashes are keyed: no plain hash of address and browser is among them.
    plain = {
        hashlib.sha256(f"{address}{sep}{BROWSER}".encode()).hexdigest()
        for address in (IP, "2001:db8:77:1::/64")
        for sep in ("", "\n", " ", "|")
    }
    visitors = set(db.session.scalars(select(DossierSeen.visitor)))
    assert len(visitors) == 2 and not visitors & plain


def everything_in_dossier_tables() -> str:
    """Every value in every dossier_* table, as one text."""
    db.session.rollback()
    values: list[str] = []
    for table in db.metadata.sorted_tables:
        if table.name.startswith("dossier"):
            for row in db.session.execute(table.select()):
                values.extend(str(value) for value in row)
    return " ".join(values)


# --- downloads, shown counts and the demo's figures --------------------------------------


def png_file(item: DossierItem) -> None:
    """A real PNG, stored, attached to the item (the files module will check uploads)."""
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(buffer, "PNG")
    stored = get_storage().save_bytes(buffer.getvalue(), ".png")
    db.session.add(
        DossierFile(
            item_id=item.id,
            key=stored.key,
            filename="inclusieve-communicatie.png",
            content_type="image/png",
            size=len(buffer.getvalue()),
            width=40,
            height=30,
        )
    )
    db.session.commit()


def download(app: Flask, item: DossierItem, status: int = 200, **headers: str) -> None:
    """What the file route will do: count, then answer (here without the file itself)."""
    path = f"/dossiers/coronadossier/bestanden/{item.id}"
    environ = {"REMOTE_ADDR": headers.pop("address", IP)}
    method = headers.pop("method", "GET")
    with app.test_request_context(
        path, method=method, headers={"User-Agent": BROWSER, **headers}, environ_base=environ
    ):
        counting.count_download(item.dossier_id, item.id)
        app.process_response(app.response_class("", status=status))


def test_downloads_count_once_per_visitor_and_show_as_the_report_does(
    app: Flask, client: FlaskClient, clock: Clock, dossier: Dossier
) -> None:
    infographic = make_item(
        dossier, ItemKind.INFOGRAPHIC, title="Hoe zorg je voor inclusieve communicatie?"
    )
    png_file(infographic)
    counting.seed_counts(dossier.id, infographic.id, CountKind.DOWNLOAD, date(2020, 12, 31), 1822)
    download(app, infographic)
    download(app, infographic, Range="bytes=0-99")  # the same reader, the rest of the file
    download(app, infographic, method="HEAD")
    download(app, infographic, status=404)
    download(app, infographic, address=OTHER_IP, **{"User-Agent": "Googlebot/2.1"})
    assert total(dossier.id, infographic.id, CountKind.DOWNLOAD) == 1823
    visit(client, item_path(infographic))  # a view of its page is not a download
    assert total(dossier.id, infographic.id, CountKind.DOWNLOAD) == 1823
    assert total(dossier.id, infographic.id, CountKind.VIEW) == 1
    assert "download infographic: 1.823" in visit(client, "/coronadossier").text


def test_the_reports_figures_are_shown_in_dutch(
    app: Flask, client: FlaskClient, clock: Clock, dossier: Dossier, article: DossierItem
) -> None:
    report = date(2020, 12, 31)
    for _ in range(2):  # seeding twice sets the same figures: the loader may run again
        counting.seed_counts(dossier.id, article.id, CountKind.VIEW, report, 2734)
        counting.seed_counts(dossier.id, None, CountKind.VIEW, report, 3788)
    assert db.session.query(DossierCountDay).count() == 2
    page = visit(client, "/coronadossier").text
    assert "bekijken artikel: 2.734" in page and "themapagina: 3.788" in page
    # The page was rendered before its own view was stored, and its list is kept for
    # FRAGMENT_CACHE_SECONDS: once that has passed, the next visitor sees the view.
    clock.advance(seconds=app.config["FRAGMENT_CACHE_SECONDS"] + 1)
    assert "themapagina: 3.789" in visit(client, "/coronadossier", address=OTHER_IP).text
    assert "bekijken artikel: 2.734" in visit(client, item_path(article)).text
    assert "bekijken artikel: 2.735" in visit(client, item_path(article), address=OTHER_IP).text
    counting.seed_counts(dossier.id, None, CountKind.VIEW, report, 3800)  # corrected figures
    assert total(dossier.id, None) == 3800 + 2


def test_seeding_refuses_figures_that_cannot_be(
    app: Flask, dossier: Dossier, article: DossierItem
) -> None:
    other = make_dossier()
    with pytest.raises(counting.CountError, match="negatief"):
        counting.seed_counts(dossier.id, article.id, CountKind.VIEW, date(2020, 12, 31), -1)
    with pytest.raises(counting.CountError, match="hoort niet bij dit dossier"):
        counting.seed_counts(other.id, article.id, CountKind.VIEW, date(2020, 12, 31), 5)
    with pytest.raises(counting.CountError, match="bestaat niet"):
        counting.seed_counts(other.id + 100, None, CountKind.VIEW, date(2020, 12, 31), 5)
    assert db.session.query(DossierCountDay).count() == 0


# --- never breaking a page ---------------------------------------------------------------


@pytest.fixture
def seen_table_gone(app: Flask) -> Iterator[None]:
    """The hashes' table renamed away: every count fails in the database, for real."""
    db.session.execute(text("ALTER TABLE dossier_seen RENAME TO dossier_seen_away"))
    db.session.commit()
    try:
        yield
    finally:
        db.session.rollback()
        db.session.execute(text("ALTER TABLE dossier_seen_away RENAME TO dossier_seen"))
        db.session.commit()


def test_a_failing_count_is_logged_and_the_page_still_answers(
    app: Flask,
    client: FlaskClient,
    clock: Clock,
    dossier: Dossier,
    article: DossierItem,
    seen_table_gone: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR, logger="kispub.dossier.counting"):
        page = visit(client, "/coronadossier")
        assert "Corona helpdesk voor statushouders gestart" in page.text
        assert "<strong>vette</strong>" in visit(client, item_path(article)).text
    failures = [r for r in caplog.records if r.name == "kispub.dossier.counting"]
    assert len(failures) == 2 and all(r.exc_info for r in failures)
    assert "counting a view of dossier" in failures[0].getMessage()
    assert total(dossier.id, None) == 0  # nothing half-counted


# --- concurrency -------------------------------------------------------------------------

THREADS = 12
VISITORS = 4  # each visitor's browser sends three requests at once


def test_many_views_at_once_count_once_per_visitor(
    app: Flask, clock: Clock, dossier: Dossier, article: DossierItem
) -> None:
    """On the test database (a SQLite file, or PostgreSQL): each round a new day, so the
    day's key, its hashes and its total rows are all made by requests racing each other."""
    for round_ in range(3):
        clock.advance(days=1)
        statuses = views_at_once(app, ["/coronadossier", item_path(article)])
        assert statuses == [200] * THREADS * 2
        rows = db.session.scalars(select(DossierCountDay).order_by(DossierCountDay.id)).all()
        today = counting_day(app)
        assert sorted((r.item_id or 0, r.count) for r in rows if r.day == today) == [
            (0, VISITORS),
            (article.id, VISITORS),
        ], f"round {round_}"
        assert db.session.scalars(select(DossierCountKey.day)).all() == [today]
        assert (
            len(db.session.scalars(select(DossierSeen).where(DossierSeen.day == today)).all())
            == 2 * VISITORS
        )
    assert total(dossier.id, None) == 3 * VISITORS
    assert total(dossier.id, article.id) == 3 * VISITORS


def counting_day(app: Flask) -> date:
    with app.test_request_context():
        return counting.today()


def views_at_once(app: Flask, paths: list[str]) -> list[int]:
    """THREADS threads, each its own client, released together, each visiting ``paths``."""
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def reader(n: int) -> None:
        try:
            client = app.test_client()
            address = f"192.0.2.{n % VISITORS + 1}"
            barrier.wait(timeout=30)
            for path in paths[n % 2 :] + paths[: n % 2]:  # half start with the other page
                answer = client.get(
                    path, headers={"User-Agent": BROWSER}, environ_base={"REMOTE_ADDR": address}
                )
                with lock:
                    statuses.append(answer.status_code)
        except BaseException as error:
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads), "a reader did not finish"
    assert errors == []
    db.session.rollback()  # a fresh snapshot after the readers committed
    return statuses

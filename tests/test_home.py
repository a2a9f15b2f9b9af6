"""The home page: the newest episode, the next ateliers and the newest dossier items."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

from flask import Flask
from flask.testing import FlaskClient

from kispub.ateliers.models import AtelierStatus
from kispub.content import DEMO_FOLDER, load_content
from kispub.dossier.queries import get_dossier
from kispub.podcast import services as podcast_services
from kispub.podcast.models import EpisodeStatus
from kispub.podcast.services import EpisodeData, EpisodeFiles
from tests.ateliers.helpers import make_atelier
from tests.clock import freeze
from tests.dossier.helpers import make_dossier, make_item
from tests.podcast.conftest import FIXTURES, make_series
from tests.queries import count_queries, forget_cached_pages

# Ahead of real time: a frozen clock behind it would let queued jobs run at once.
NOW = datetime(2031, 6, 2, 10, 0, tzinfo=UTC)


class Blocks(HTMLParser):
    """The card titles of each home-page block, in page order, keyed by data-block."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: dict[str, list[str]] = {}
        self.headings: dict[str, str] = {}
        self._block: str | None = None
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "section":
            self._block = found.get("data-block")
            if self._block:
                self.blocks[self._block] = []
        elif self._block and tag in ("h2", "h3"):
            self._in = tag
            if tag == "h3":
                self.blocks[self._block].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._block = None
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._block and self._in == "h3":
            self.blocks[self._block][-1] += data.strip()
        elif self._block and self._in == "h2":
            self.headings[self._block] = data.strip()


def blocks_of(client: FlaskClient) -> Blocks:
    parser = Blocks()
    parser.feed(client.get("/").get_data(as_text=True))
    return parser


def add_episode(app: Flask, series_id: int, title: str, publish_at: datetime, **kw: object) -> None:
    data = EpisodeData(
        title=title, status=kw.pop("status", EpisodeStatus.PUBLISHED), publish_at=publish_at
    )
    with app.test_request_context(), (FIXTURES / "cbr_tagged.mp3").open("rb") as stream:
        assert podcast_services.create_episode(series_id, data, EpisodeFiles(stream)).item


def add_content(app: Flask, series_id: int, dossier_id: int, numbers: range) -> None:
    """More of everything, all older or later than what the home page should show."""
    for i in numbers:
        add_episode(app, series_id, f"Oudere aflevering {i}", NOW - timedelta(days=400 + i))
        make_atelier(title=f"Later atelier {i}", starts_at=NOW + timedelta(days=300 + i))
        make_atelier(title=f"Voorbij atelier {i}", starts_at=NOW - timedelta(days=30 + i))
        dossier = get_dossier(dossier_id)
        assert dossier is not None
        make_item(dossier, title=f"Ouder item {i}", dated_on=date(2019, 1, 1 + i))


def test_home_shows_the_newest_of_each_channel_in_the_right_order(
    app: Flask, client: FlaskClient
) -> None:
    freeze(app, NOW)
    series = make_series(app)
    # Created out of date order, so that insertion order cannot pass for date order.
    add_episode(app, series.id, "Aflevering uit het voorjaar", NOW - timedelta(days=60))
    add_episode(app, series.id, "Nieuwste aflevering", NOW - timedelta(days=2))
    add_episode(app, series.id, "Aflevering uit de winter", NOW - timedelta(days=150))
    add_episode(app, series.id, "Nog niet verschenen", NOW + timedelta(days=5))  # scheduled
    make_atelier(title="Over drie maanden", starts_at=NOW + timedelta(days=90))
    make_atelier(title="Volgende week", starts_at=NOW + timedelta(days=7))
    make_atelier(title="Vorige maand", starts_at=NOW - timedelta(days=30))
    make_atelier(
        title="Afgelast", starts_at=NOW + timedelta(days=3), status=AtelierStatus.CANCELLED
    )
    make_atelier(title="Over een maand", starts_at=NOW + timedelta(days=30))
    make_atelier(title="Over een jaar", starts_at=NOW + timedelta(days=365))
    dossier = make_dossier(title="Coronadossier", slug="coronadossier")
    make_item(dossier, title="Middelste item", dated_on=date(2021, 3, 1))
    make_item(dossier, title="Nieuwste item", dated_on=date(2021, 5, 1))
    make_item(dossier, title="Concept", dated_on=date(2021, 6, 1), published_at=None)
    make_item(dossier, title="Oudste item", dated_on=date(2020, 4, 1))
    make_item(dossier, title="Nog ouder item", dated_on=date(2020, 1, 1))

    page = blocks_of(client)

    assert list(page.blocks) == ["podcast", "ateliers", "dossier"]
    assert page.blocks["podcast"] == ["Nieuwste aflevering"]
    assert page.blocks["ateliers"] == ["Volgende week", "Over een maand", "Over drie maanden"]
    assert page.blocks["dossier"] == ["Nieuwste item", "Middelste item", "Oudste item"]
    assert page.headings == {
        "podcast": "Nieuwste podcastaflevering",
        "ateliers": "Komende kennisateliers",
        "dossier": "Nieuw in de dossiers",
    }


def test_home_dates_are_amsterdam_dates(app: Flask, client: FlaskClient) -> None:
    freeze(app, NOW)
    # 23:30 UTC on 14 June is 01:30 on 15 June in Amsterdam (summer time).
    make_atelier(title="Nachtatelier", starts_at=datetime(2031, 6, 14, 23, 30, tzinfo=UTC))
    html = client.get("/").get_data(as_text=True)
    assert "zondag 15 juni 2031 om 01:30" in html


def test_home_without_content_shows_no_empty_blocks(app: Flask, client: FlaskClient) -> None:
    freeze(app, NOW)
    page = blocks_of(client)
    assert page.blocks == {}
    assert "Onze kanalen" in client.get("/").get_data(as_text=True)


def test_home_queries_stay_the_same_with_more_content(app: Flask, client: FlaskClient) -> None:
    freeze(app, NOW)
    series_id = make_series(app).id
    dossier_id = make_dossier().id
    add_content(app, series_id, dossier_id, range(1))
    client.get("/")  # caches (themes, settings) warm up once
    forget_cached_pages(app)  # renders again: the page's own queries are counted
    with count_queries() as few:
        assert client.get("/").status_code == 200
    add_content(app, series_id, dossier_id, range(1, 7))
    with count_queries() as many:
        assert client.get("/").status_code == 200
    assert len(many) == len(few), many
    # Two per block at most, the themes, and the content version that keys the cached page.
    assert len(few) <= 8, len(few)


def test_the_demo_home_page_leads_to_the_latest_of_2020_and_what_is_coming(
    app: Flask, client: FlaskClient
) -> None:
    freeze(app, datetime(2027, 1, 10, 9, 0, tzinfo=UTC))
    for path in sorted(DEMO_FOLDER.glob("*.toml")):
        load_content(path)
    page = blocks_of(client)
    assert page.blocks["podcast"] == [
        "Nadia Haddou over gendergelijkheid, seksualiteit, feminisme en islam"
    ]
    assert page.blocks["ateliers"][0] == "Nieuwkomers en hun eerste jaar: ervaringen van jongeren"
    assert len(page.blocks["ateliers"]) == 3
    assert len(page.blocks["dossier"]) == 3
    html = client.get("/").get_data(as_text=True)
    assert not re.search(r"Test|Proef|Voorbeeld|Lorem|example\.com", html)

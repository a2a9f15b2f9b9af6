"""Text that looks like markup, and lengths, as podcast apps, the page and the back office
read them: every writer escapes once, every reader gets back what the editor wrote, and a
length is the whole seconds the player shows."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import feedparser
import podcastparser
import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree

from kispub.core import public
from kispub.extensions import db
from kispub.podcast import services
from kispub.podcast.models import Episode
from kispub.podcast.services import SeriesData
from tests.clock import Clock
from tests.podcast.conftest import FIXTURES

TITLE = "Integratie & samenleving <b>vet</b> \"double\" and 'single'"
NOTES = "Integratie & Samenleving <b>vet</b> <script>alert(1)</script> \"double\" and 'single'"
SERIES_TITLE = "Denkers & doeners"
FEED = "/podcast/denkers-doeners/feed.xml"
NS = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd"}


class Head(HTMLParser):
    """The page's meta tags and JSON-LD, as a crawler or a link preview reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.jsonld: list[str] = []
        self._in_jsonld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "meta":
            name = values.get("property") or values.get("name") or ""
            self.meta[name] = values.get("content") or ""
        self._in_jsonld = tag == "script" and values.get("type") == "application/ld+json"

    def handle_data(self, data: str) -> None:
        if self._in_jsonld:
            self.jsonld.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_jsonld = False


@pytest.fixture
def awkward(app: Flask, clock: Clock, make_episode: Callable[..., Episode]) -> Episode:
    with app.test_request_context():
        data = SeriesData(
            title=SERIES_TITLE,
            author="Kennisplatform Integratie & Samenleving",
            owner_name="Redactie KIS",
            owner_email="podcast@kis.example",
            description=NOTES,
        )
        series = services.create_series(data, (FIXTURES / "cover_1400.jpg").read_bytes()).item
    assert series is not None
    clock.advance(minutes=1)
    return make_episode(title=TITLE, show_notes=NOTES, target=series)


def head(client: FlaskClient, path: str) -> tuple[str, Head]:
    source = client.get(path).get_data(as_text=True)
    parsed = Head()
    parsed.feed(source)
    return source, parsed


def test_podcast_apps_read_the_text_as_written(client: FlaskClient, awkward: Episode) -> None:
    body = client.get(FEED).get_data()
    # Plain-text elements carry one XML escape (the item's HTML description has two: HTML's
    # own and XML's, which is right for HTML in RSS).
    assert b"<description>Integratie &amp; Samenleving &lt;b&gt;vet&lt;/b&gt;" in body
    assert b"<itunes:summary>Integratie &amp; Samenleving &lt;b&gt;" in body

    parsed = podcastparser.parse("https://kis.example" + FEED, io.BytesIO(body))
    assert parsed["title"] == SERIES_TITLE
    assert parsed["description"] == NOTES
    [episode] = parsed["episodes"]
    assert episode["title"] == TITLE
    # itunes:summary is plain text, read by XML as written...
    summary = etree.fromstring(body).find("channel/item/itunes:summary", NS)
    assert summary is not None and summary.text == NOTES
    # ...but podcastparser guesses that a summary holding "<b>" is HTML and strips the tags
    # (its heuristic, not an escape level): everything else comes back as written.
    assert episode["description"] == NOTES.replace("<b>vet</b>", "vet")
    # The HTML description shows the same text: the markup in it is the editor's text.
    shown = re.sub(r"<[^>]+>", "", episode["description_html"])
    assert shown.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == NOTES

    feed = feedparser.parse(body)
    assert not feed.bozo
    assert feed.feed.title == SERIES_TITLE
    # feedparser takes every RSS description for HTML and sanitises it (the <script> goes);
    # what matters is that nothing arrives escaped twice.
    assert feed.feed.subtitle.startswith("Integratie & Samenleving <b>vet</b>")
    assert feed.feed.subtitle.endswith(" \"double\" and 'single'")
    assert feed.entries[0].title == TITLE


def test_the_page_escapes_meta_tags_and_json_ld_once(client: FlaskClient, awkward: Episode) -> None:
    source, parsed = head(client, f"/podcast/denkers-doeners/{awkward.slug}")
    assert "&amp;amp;" not in source
    assert 'content="Integratie &amp; Samenleving &lt;b&gt;vet&lt;/b&gt;' in source
    assert parsed.meta["og:description"] == NOTES
    assert parsed.meta["og:title"] == TITLE
    [script] = parsed.jsonld
    assert "<" not in script and "&amp;" not in script  # tojson's \u003c guards, not entities
    data = json.loads(script)
    assert data["name"] == TITLE and data["description"] == NOTES

    _, series_page = head(client, "/podcast/denkers-doeners/")
    assert series_page.meta["og:description"] == NOTES
    assert json.loads(series_page.jsonld[0])["description"] == NOTES


LENGTHS = [(4600, "0:04", 4), (75000, "1:15", 75), (3599900, "59:59", 3599)]
LENGTHS += [(3600000, "1:00:00", 3600), (3723000, "1:02:03", 3723)]


@pytest.mark.parametrize(("ms", "shown", "seconds"), LENGTHS)
def test_a_length_is_the_same_on_the_page_in_the_feed_and_in_the_back_office(
    app: Flask,
    client: FlaskClient,
    clock: Clock,
    make_episode: Callable[..., Episode],
    editor: Any,
    ms: int,
    shown: str,
    seconds: int,
) -> None:
    # The stored length is the probe's float in milliseconds (see core.durations.probed_ms);
    # set it directly, as no fixture lasts an hour.
    episode = make_episode(title="Lengte")
    with app.app_context():
        db.session.get(Episode, episode.id).duration_ms = ms
        db.session.commit()
        public.publish(rebuild=True)  # what the worker does after a change

    page = client.get(f"/podcast/{episode.series.slug}/{episode.slug}").get_data(as_text=True)
    iso = re.escape("PT") + r"[0-9HM]*" + f"{seconds % 60}S"
    assert re.search(rf'<time datetime="{iso}">{shown}</time>', page)
    data = json.loads(page.split('<script type="application/ld+json">')[1].split("</script>")[0])
    assert data["timeRequired"].endswith(f"{seconds % 60}S")

    body = client.get(f"/podcast/{episode.series.slug}/feed.xml").get_data()
    assert f"<itunes:duration>{seconds}</itunes:duration>".encode() in body
    [item] = podcastparser.parse("https://kis.example/feed", io.BytesIO(body))["episodes"]
    assert item["total_time"] == seconds

    admin = client.get(f"/beheer/podcast/aflevering/{episode.id}").get_data(as_text=True)
    assert f"<dd>{shown} (" in admin

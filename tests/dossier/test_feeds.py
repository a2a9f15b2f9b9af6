"""The Atom feeds of a dossier and of its filtered lists, as feed readers and validators see
them: feedparser (no bozo), RFC 4287's rules, and the W3C Feed Validator where it is at hand."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from sqlalchemy import update

from kispub.core.database import write_transaction
from kispub.dossier.models import DossierItem, ItemKind
from kispub.dossier.services.editing import ItemData, save_item
from tests.clock import freeze
from tests.dossier.atom_rules import atom_errors, w3c_validator_events
from tests.dossier.helpers import make_dossier, make_item
from tests.factories import make_theme

BASE = "https://kis.example"
NOW = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)


@pytest.fixture
def dossier(app):
    """A dossier with an article, an infographic and an outside link on two themes."""
    freeze(app, NOW)
    migration, participation = make_theme("Nieuwe migratie"), make_theme("Participatie")
    dossier = make_dossier(title="Coronadossier", slug="corona", summary="Wat KIS weet.")
    make_item(
        dossier,
        title="Corona helpdesk voor statushouders gestart",
        slug="helpdesk",
        dated_on=date(2020, 4, 2),
        theme_slugs=(migration.slug,),
    )
    make_item(
        dossier,
        ItemKind.INFOGRAPHIC,
        title="Inclusieve communicatie",
        slug="inclusief",
        dated_on=date(2020, 5, 6),
        theme_slugs=(migration.slug, participation.slug),
    )
    make_item(
        dossier,
        ItemKind.EXTERNAL,
        title="Elders",
        slug="elders",
        dated_on=date(2020, 3, 1),
        theme_slugs=(participation.slug,),
    )
    return dossier


def fetch(client, path: str, **headers: str):
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return response


def parsed(client, path: str) -> feedparser.FeedParserDict:
    feed = feedparser.parse(fetch(client, path).data)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def test_the_dossier_feed_is_atom_with_every_item_newest_first(client, dossier) -> None:
    response = fetch(client, "/dossiers/corona/feed.atom")
    assert response.mimetype == "application/atom+xml"
    assert response.headers["Content-Type"].endswith("charset=utf-8")
    feed = parsed(client, "/dossiers/corona/feed.atom")
    assert feed.feed.title == "Coronadossier"
    assert feed.feed.subtitle == "Wat KIS weet."
    assert feed.feed.author == "KIS"
    assert feed.feed.language == "nl"
    links = {link.rel: link.href for link in feed.feed.links}
    assert links == {
        "self": f"{BASE}/dossiers/corona/feed.atom",
        "alternate": f"{BASE}/dossiers/corona",
    }
    assert [e.title for e in feed.entries] == [
        "Inclusieve communicatie",
        "Corona helpdesk voor statushouders gestart",
        "Elders",
    ]
    infographic = feed.entries[0]
    assert infographic.link == f"{BASE}/dossiers/corona/inclusief"
    assert feed.entries[2].link == "https://www.example.org/stuk"  # an outside link as it is
    assert infographic.id.startswith("tag:kis.example,2020:dossier:item:")
    assert infographic.summary.startswith("Samenvatting van item")
    assert infographic.published_parsed[:3] == (2020, 4, 1)
    terms = [(c.term, c.label) for c in infographic.tags]
    assert terms == [
        ("infographic", "Infographic"),
        ("nieuwe-migratie", "Nieuwe migratie"),
        ("participatie", "Participatie"),
    ]


def test_a_filtered_feed_holds_only_its_list_and_says_so(client, dossier) -> None:
    path = "/dossiers/corona/feed.atom?thema=participatie&type=infographic"
    feed = parsed(client, path)
    assert feed.feed.title == "Coronadossier: Infographics over Participatie"
    assert [e.title for e in feed.entries] == ["Inclusieve communicatie"]
    links = {link.rel: link.href for link in feed.feed.links}
    assert links["self"] == BASE + path
    assert links["alternate"] == f"{BASE}/dossiers/corona?thema=participatie&type=infographic"
    on_theme = parsed(client, "/dossiers/corona/feed.atom?thema=participatie")
    assert feed.feed.id != on_theme.feed.id != parsed(client, "/dossiers/corona/feed.atom").feed.id
    assert [e.title for e in on_theme.entries] == ["Inclusieve communicatie", "Elders"]
    assert all("participatie" in {tag.term for tag in entry.tags} for entry in on_theme.entries)
    articles = parsed(client, "/dossiers/corona/feed.atom?type=artikel")
    assert [e.tags[0].term for e in articles.entries] == ["artikel"]
    assert parsed(client, "/dossiers/corona/feed.atom?type=handleiding").entries == []


def test_an_entry_keeps_its_id_in_every_list_and_after_an_edit(client, dossier) -> None:
    everything = parsed(client, "/dossiers/corona/feed.atom")
    listed = {e.title: e.id for e in everything.entries}
    filtered = parsed(client, "/dossiers/corona/feed.atom?type=infographic")
    assert filtered.entries[0].id == listed["Inclusieve communicatie"]
    item = db_item("helpdesk")
    data = ItemData(
        kind=item.kind,
        title="Helpdesk (bijgewerkt)",
        slug="helpdesk-nieuw",
        dated_on=item.dated_on,
        body=item.body,
        published_at=item.published_at,
    )
    save_item(item.dossier_id, item.id, data)
    edited = {e.title: e.id for e in parsed(client, "/dossiers/corona/feed.atom").entries}
    assert edited["Helpdesk (bijgewerkt)"] == listed["Corona helpdesk voor statushouders gestart"]


def db_item(slug: str) -> DossierItem:
    from kispub.extensions import db

    return db.session.scalars(db.select(DossierItem).where(DossierItem.slug == slug)).one()


def test_the_twenty_newest_items_and_no_draft_or_item_before_its_time(app, client) -> None:
    clock = freeze(app, NOW)
    dossier = make_dossier(slug="veel")
    for day in range(1, 26):
        make_item(dossier, title=f"Dag {day}", dated_on=date(2020, 6, day))
    make_item(dossier, title="Concept", dated_on=date(2020, 7, 1), published_at=None)
    make_item(
        dossier, title="Gepland", dated_on=date(2020, 7, 2), published_at=NOW + timedelta(hours=1)
    )
    titles = [e.title for e in parsed(client, "/dossiers/veel/feed.atom").entries]
    assert titles == [f"Dag {day}" for day in range(25, 5, -1)]
    clock.advance(hours=1)
    titles = [e.title for e in parsed(client, "/dossiers/veel/feed.atom").entries]
    assert titles[0] == "Gepland" and "Concept" not in titles and len(titles) == 20


def test_a_repeat_request_gets_304_and_a_change_a_new_etag(client, dossier) -> None:
    first = fetch(client, "/dossiers/corona/feed.atom")
    etag = first.headers["ETag"]
    assert first.cache_control.public and first.cache_control.max_age == 300
    assert first.last_modified is not None
    again = client.get("/dossiers/corona/feed.atom", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert fetch(client, "/dossiers/corona/feed.atom").data == first.data  # same bytes
    make_item(dossier, title="Nieuw", dated_on=date(2020, 9, 1))
    changed = client.get("/dossiers/corona/feed.atom", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    head = client.head("/dossiers/corona/feed.atom")
    assert head.status_code == 200 and head.headers["ETag"] == changed.headers["ETag"]


def test_unknown_filters_and_dossiers_are_not_found(client, dossier) -> None:
    assert client.get("/dossiers/corona/feed.atom?thema=bestaat-niet").status_code == 404
    assert client.get("/dossiers/corona/feed.atom?type=podcast").status_code == 404
    assert client.get("/dossiers/bestaat-niet/feed.atom").status_code == 404
    make_dossier(slug="concept", published_at=None)
    assert client.get("/dossiers/concept/feed.atom").status_code == 404


def test_the_coronadossier_feed_lives_beside_its_short_address(app, client) -> None:
    freeze(app, NOW)
    make_dossier(title="Coronadossier", slug="coronadossier")
    feed = parsed(client, "/coronadossier/feed.atom?type=artikel")
    links = {link.rel: link.href for link in feed.feed.links}
    assert links == {
        "self": f"{BASE}/coronadossier/feed.atom?type=artikel",
        "alternate": f"{BASE}/coronadossier?type=artikel",
    }
    moved = client.get("/dossiers/coronadossier/feed.atom?type=artikel")
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith("/coronadossier/feed.atom?type=artikel")
    home = client.get("/").text
    assert re.search(
        r'<link rel="alternate" type="application/atom\+xml" title="Coronadossier"', home
    )


def test_the_page_links_its_feeds_in_its_head_and_visibly(client, dossier) -> None:
    page = client.get("/dossiers/corona").text
    head = page.split("</head>")[0]
    feeds = re.findall(
        r'<link rel="alternate" type="application/atom\+xml" title="([^"]+)" href="([^"]+)">', head
    )
    assert feeds == [("Coronadossier", "/dossiers/corona/feed.atom")]
    assert re.search(
        r'<a href="/dossiers/corona/feed.atom"[^>]*>Atom-feed van deze lijst</a>', page
    )
    filtered = client.get("/dossiers/corona?thema=participatie&type=infographic").text
    feeds = re.findall(
        r'<link rel="alternate" type="application/atom\+xml" title="([^"]+)" href="([^"]+)">',
        filtered.split("</head>")[0],
    )
    query = "thema=participatie&amp;type=infographic"
    assert feeds == [
        ("Coronadossier", "/dossiers/corona/feed.atom"),
        ("Coronadossier: Infographics over Participatie", f"/dossiers/corona/feed.atom?{query}"),
    ]
    assert re.search(
        rf'<a href="/dossiers/corona/feed.atom\?{query}"[^>]*>Atom-feed van deze lijst</a>',
        filtered,
    )
    assert re.search(rf'<a href="/dossiers/corona/e-mail\?{query}">Ontvang e-mail', filtered)
    for _, href in feeds:  # every advertised feed is there
        parsed(client, href.replace("&amp;", "&"))


def test_text_stored_before_the_text_rule_cannot_break_the_feed(client, dossier) -> None:
    with write_transaction() as session:
        session.execute(
            update(DossierItem)
            .where(DossierItem.slug == "helpdesk")
            .values(
                title="Help\x1bdesk\x0c", summary="Eén \ufffe regel\x0b"
            )  # PostgreSQL refuses NUL
        )
    feed = parsed(client, "/dossiers/corona/feed.atom")
    assert "Helpdesk" in [e.title for e in feed.entries]


@pytest.mark.parametrize(
    "path",
    [
        "/dossiers/corona/feed.atom",
        "/dossiers/corona/feed.atom?thema=participatie",
        "/dossiers/corona/feed.atom?thema=nieuwe-migratie&type=infographic",
        "/dossiers/corona/feed.atom?type=handleiding",  # an empty list
    ],
)
def test_the_feeds_keep_rfc_4287(client, dossier, path: str) -> None:
    body = fetch(client, path).data
    assert atom_errors(body, BASE + path) == []


def test_the_rules_catch_a_broken_feed() -> None:
    broken = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title><id>geen iri</id>'
        b"<updated>2020-01-01</updated><entry><title>a</title><id>tag:a,2020:1</id>"
        b"<updated>2020-01-01T00:00:00Z</updated><category/></entry></feed>"
    )
    errors = atom_errors(broken, "https://kis.example/feed")
    assert any("self link" in e for e in errors)
    assert any("absolute IRI" in e for e in errors)
    assert any("RFC 3339" in e for e in errors)
    assert any("author" in e for e in errors)
    assert any("no content and no alternate link" in e for e in errors)
    assert any("category without term" in e for e in errors)


def test_the_w3c_feed_validator_finds_no_error(client, dossier, tmp_path: Path) -> None:
    for path in ("/dossiers/corona/feed.atom", "/dossiers/corona/feed.atom?thema=participatie"):
        events = w3c_validator_events(fetch(client, path).data, BASE + path, tmp_path)
        if events is None:
            pytest.skip("no W3C Feed Validator checkout (set KISPUB_FEED_VALIDATOR)")
        assert [e for e in events if e["level"] == "error"] == [], events

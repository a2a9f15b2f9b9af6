"""Text that looks like markup in a dossier: the Atom feed and the page's meta description
give back what the editor wrote, escaped once."""

from __future__ import annotations

from html.parser import HTMLParser

import feedparser
from flask.testing import FlaskClient

from tests.dossier.helpers import make_dossier, make_item

TITLE = "Taal & werk <b>vet</b> \"double\" and 'single'"
SUMMARY = "Integratie & Samenleving <b>vet</b> <script>alert(1)</script> \"double\" and 'single'"


class Description(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.content: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "meta" and values.get("name") == "description":
            self.content.append(values.get("content") or "")


def test_the_atom_feed_and_the_pages_read_the_text_as_written(app, client: FlaskClient) -> None:
    dossier = make_dossier(title=TITLE, summary=SUMMARY, slug="taal-werk")
    make_item(dossier, title=TITLE, summary=SUMMARY, slug="stuk")

    body = client.get("/dossiers/taal-werk/feed.atom").get_data()
    assert b"&amp;amp;" not in body and b"&amp;lt;" not in body
    feed = feedparser.parse(body)
    assert not feed.bozo
    assert feed.feed.title == TITLE and feed.feed.subtitle == SUMMARY
    [entry] = feed.entries
    assert entry.title == TITLE and entry.summary == SUMMARY

    for path in ("/dossiers/taal-werk", "/dossiers/taal-werk/stuk"):
        source = client.get(path).get_data(as_text=True)
        assert (
            'content="Integratie &amp; Samenleving &lt;b&gt;vet&lt;/b&gt; &lt;script&gt;' in source
        )
        parsed = Description()
        parsed.feed(source)
        assert parsed.content == [SUMMARY]

"""Unread tracking: one read number per (member, thread), counters instead of counting posts,
the approval and 90-day floor, the first unread post, marking a theme read."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import select

from kispub.community.models import ReadState
from kispub.community.services.posting import reply
from kispub.community.services.reading import mark_theme_read, record_read
from kispub.extensions import db
from tests.clock import freeze
from tests.community.discussion_helpers import client_for, make_thread, theme
from tests.community.helpers import make_member
from tests.factories import make_theme

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def read_number(user_id: int, thread_id: int) -> int | None:
    db.session.expire_all()
    row = db.session.get(ReadState, (user_id, thread_id))
    return None if row is None else row.last_read_number


def listing(client: object, slug: str = "participatie") -> str:
    page: str = client.get(f"/community/thema/{slug}").get_data(as_text=True)  # type: ignore[attr-defined]
    return page


def flags(page: str) -> list[str]:
    return re.findall(r'<span class="community-flag">([^<]+)</span>', page)


def test_a_thread_is_new_then_read_then_has_unread_replies(app: Flask) -> None:
    author, reader = make_member(), make_member()
    thread = make_thread(author, posts=2)
    client = client_for(app, reader)
    assert flags(listing(client)) == ["nieuw"]

    client.get(f"/community/onderwerp/{thread.id}")
    assert read_number(reader.id, thread.id) == 2
    assert flags(listing(client)) == []

    reply(author, thread.id, "Nog iets")
    reply(author, thread.id, "En nog iets")
    page = listing(client)
    assert flags(page) == ["2 ongelezen"]
    assert f'<a href="/community/onderwerp/{thread.id}/ongelezen">' in page


def test_own_posts_are_never_unread_to_their_author(app: Flask) -> None:
    author, other = make_member(), make_member()
    thread = make_thread(author)
    assert read_number(author.id, thread.id) == 1
    reply(author, thread.id, "Mijn tweede")
    assert read_number(author.id, thread.id) == 2
    reply(other, thread.id, "Van een ander")
    reply(author, thread.id, "Mijn derde")  # the other's post stays unread
    assert read_number(author.id, thread.id) == 2


def test_the_index_counts_threads_with_unread_posts_per_theme(app: Flask) -> None:
    author, reader = make_member(), make_member()
    participatie, onderwijs = theme(), make_theme("Onderwijs")
    read = make_thread(author, in_theme=participatie, title="Gelezen")
    make_thread(author, in_theme=participatie, title="Ongelezen")
    make_thread(author, in_theme=onderwijs, title="Ook ongelezen")
    record_read(reader.id, read.id, 1)

    page = client_for(app, reader).get("/community/").get_data(as_text=True)
    counts = re.findall(
        r'<h2><a href="/community/thema/([^"]+)">.*?(?:<strong>(\d+) onderwerp|</li>)', page, re.S
    )
    assert dict(counts) == {"participatie": "1", "onderwijs": "1"}
    assert "2 onderwerpen,\n      2 berichten" in page


def test_reading_never_lowers_the_number_read_nor_skips_unread_pages(app: Flask) -> None:
    author, reader = make_member(), make_member()
    thread = make_thread(author, posts=45)
    client = client_for(app, reader)
    # Landing on the last page (a permalink, a search hit) leaves pages 1 and 2 unread.
    client.get(f"/community/onderwerp/{thread.id}?pagina=3")
    assert read_number(reader.id, thread.id) is None
    for page, read in ((1, 20), (2, 40), (3, 45), (1, 45)):
        client.get(f"/community/onderwerp/{thread.id}?pagina={page}")
        assert read_number(reader.id, thread.id) == read
    record_read(reader.id, thread.id, 10)
    assert read_number(reader.id, thread.id) == 45


def test_the_first_unread_post_is_found_on_its_page(app: Flask) -> None:
    author, reader = make_member(), make_member()
    thread = make_thread(author, posts=30)
    client = client_for(app, reader)
    answer = client.get(f"/community/onderwerp/{thread.id}/ongelezen")
    assert answer.headers["Location"] == f"/community/onderwerp/{thread.id}#bericht-1"
    client.get(f"/community/onderwerp/{thread.id}")  # page 1: posts 1-20
    answer = client.get(f"/community/onderwerp/{thread.id}/ongelezen")
    assert answer.headers["Location"] == f"/community/onderwerp/{thread.id}?pagina=2#bericht-21"
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert '<a href="#bericht-21">Ga naar het eerste ongelezen bericht</a>' in page
    # All read: the link leads to the last post.
    answer = client.get(f"/community/onderwerp/{thread.id}/ongelezen")
    assert answer.headers["Location"] == f"/community/onderwerp/{thread.id}?pagina=2#bericht-30"
    # From page 1 with unread posts on page 2 only, the link goes through the redirect.
    reply(author, thread.id, "Nieuw op pagina 2")
    page = client.get(f"/community/onderwerp/{thread.id}").get_data(as_text=True)
    assert f'<a href="/community/onderwerp/{thread.id}/ongelezen">Ga naar het eerste' in page
    assert client.get(f"/community/onderwerp/{thread.id + 5}/ongelezen").status_code == 404


def test_nothing_before_the_members_approval_counts_as_unread(app: Flask) -> None:
    clock = freeze(app, NOW)
    author = make_member()
    before = make_thread(author, posts=3, title="Van voor uw tijd")
    older_with_reply = make_thread(author, posts=2, title="Oud met nieuw antwoord")
    clock.advance(days=1)
    newcomer = make_member()  # approved now
    clock.advance(hours=1)
    reply(author, older_with_reply.id, "Na de goedkeuring")

    client = client_for(app, newcomer)
    page = listing(client)
    assert flags(page) == ["nieuwe berichten"]
    assert "Van voor uw tijd" in page
    assert f"/community/onderwerp/{before.id}/ongelezen" not in page
    thread_page = client.get(f"/community/onderwerp/{older_with_reply.id}").get_data(as_text=True)
    assert re.findall(
        r'id="bericht-(\d+)-kop">[^<]*<span class="community-flag">\(ongelezen\)', thread_page
    ) == ["3"]
    index = client.get("/community/").get_data(as_text=True)
    assert "onderwerpen met ongelezen" not in index and "onderwerp met ongelezen" not in index


def test_nothing_older_than_ninety_days_counts_as_unread(app: Flask) -> None:
    clock = freeze(app, NOW - timedelta(days=200))
    author, reader = make_member(), make_member()  # approved long ago
    clock.now = NOW
    stale = make_thread(author, title="Te oud", at=NOW - timedelta(days=91))
    recent = make_thread(author, title="Recent genoeg", at=NOW - timedelta(days=89))
    client = client_for(app, reader)

    page = listing(client)
    assert flags(page) == ["nieuw"]
    assert (
        f'/community/onderwerp/{recent.id}">Recent genoeg</a> <span class="community-flag">nieuw'
        in page
    )
    assert f'/community/onderwerp/{stale.id}">Te oud</a>\n' in page
    answer = client.get(f"/community/onderwerp/{stale.id}/ongelezen")
    assert answer.headers["Location"].endswith("#bericht-1")  # nothing unread: the last post


def test_the_unread_window_is_configurable(make_app: object) -> None:
    app = make_app(COMMUNITY_UNREAD_DAYS=10)  # type: ignore[operator]
    with app.app_context():
        clock = freeze(app, NOW - timedelta(days=200))
        author, reader = make_member(), make_member()
        clock.now = NOW
        make_thread(author, at=NOW - timedelta(days=11))
        assert flags(listing(client_for(app, reader))) == []


def test_marking_a_theme_read_reads_every_thread_in_it_and_only_there(app: Flask) -> None:
    author, reader = make_member(), make_member()
    participatie, onderwijs = theme(), make_theme("Onderwijs")
    first = make_thread(author, posts=3, in_theme=participatie)
    second = make_thread(author, posts=5, in_theme=participatie)
    elsewhere = make_thread(author, posts=2, in_theme=onderwijs)
    record_read(reader.id, second.id, 2)
    client = client_for(app, reader)

    answer = client.post("/community/thema/participatie/gelezen")
    assert answer.headers["Location"] == "/community/thema/participatie"
    assert (read_number(reader.id, first.id), read_number(reader.id, second.id)) == (3, 5)
    assert read_number(reader.id, elsewhere.id) is None
    assert flags(listing(client)) == []
    mark_theme_read(reader.id, participatie.id)  # again: nothing changes, nothing fails
    assert db.session.scalars(select(ReadState).where(ReadState.user_id == reader.id)).all()
    assert client.post("/community/thema/bestaat-niet/gelezen").status_code == 404

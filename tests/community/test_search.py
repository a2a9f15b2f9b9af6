"""Searching posts on SQLite (FTS5) and PostgreSQL (dutch full text): what is found, in
which order, how snippets are made safe, and that no input makes the search fail.

Posting is built elsewhere: ``write_thread`` writes Thread and Post rows directly and
indexes them with ``index_post``, as ``services/posting.py`` does inside its transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from kispub.accounts.models import User
from kispub.community import search as search_module
from kispub.community.models import MemberStatus, Post, SearchEntry, Thread
from kispub.community.search import (
    START,
    STOP,
    index_post,
    reindex_thread_title,
    search_posts,
    unindex_post,
)
from kispub.core import clock
from kispub.core.database import write_transaction
from kispub.core.markdown import render_markdown
from kispub.extensions import db
from kispub.themes.models import Theme
from tests.community.helpers import make_member, make_person
from tests.conftest import POSTGRES
from tests.factories import make_theme
from tests.queries import count_queries

PAGE_SIZE = 3


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config["COMMUNITY_SEARCH_PAGE_SIZE"] = PAGE_SIZE
    return app_config


def write_thread(author: User, theme: Theme, title: str, *bodies: str) -> list[Post]:
    """A thread with its posts, each indexed as posting will."""
    with write_transaction() as session:
        thread = Thread(theme_id=theme.id, author_id=author.id, title=title, post_count=len(bodies))
        session.add(thread)
        session.flush()
        posts = [
            Post(
                thread_id=thread.id,
                number=number,
                author_id=author.id,
                body=body,
                html=str(render_markdown(body)),
            )
            for number, body in enumerate(bodies, 1)
        ]
        session.add_all(posts)
        session.flush()
        for post in posts:
            index_post(post, thread)
    return posts


def found(query: str, page: int = 1) -> list[int]:
    """The ids of the posts a search finds, best first."""
    return [hit.post_id for hit in search_posts(query, page, 50).hits]


@pytest.fixture
def author(app: Any) -> User:
    return make_member(name="Fatima El Amrani")


@pytest.fixture
def theme(app: Any) -> Theme:
    return make_theme("Onderwijs")


def test_a_title_match_ranks_above_a_body_match(author: User, theme: Theme) -> None:
    in_body = write_thread(
        author,
        theme,
        "Ervaringen uit de praktijk",
        "Bij ons loopt het taalonderwijs voor statushouders goed, maar er is meer nodig "
        "dan alleen lessen: ook werk, wonen en een netwerk.",
    )
    in_title = write_thread(
        author, theme, "Taalonderwijs voor nieuwkomers", "Wie heeft ervaring met een aanpak?"
    )

    assert found("taalonderwijs") == [in_title[0].id, in_body[0].id]


def test_every_word_must_occur_and_replies_are_found_too(author: User, theme: Theme) -> None:
    posts = write_thread(
        author,
        theme,
        "Huisvesting",
        "Woningen zijn schaars in de regio.",
        "In Utrecht werken corporaties samen met de gemeente aan woningen.",
    )

    assert set(found("woningen")) == {posts[0].id, posts[1].id}
    assert found("woningen utrecht") == [posts[1].id]
    assert found("woningen rotterdam") == []


@pytest.mark.skipif(POSTGRES, reason="SQLite's FTS5 folds diacritics (PostgreSQL: stems)")
def test_sqlite_folds_diacritics(author: User, theme: Theme) -> None:
    post = write_thread(author, theme, "Ontmoeting", "We zitten in het café bij één tafel.")[0]

    assert found("cafe") == found("café") == found("CAFÉ") == [post.id]
    assert found("een tafel") == [post.id]


@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL's dutch configuration stems words")
def test_postgresql_stems_dutch_words(author: User, theme: Theme) -> None:
    post = write_thread(
        author, theme, "Samenwerking", "De gemeente zoekt woningen voor bijeenkomsten."
    )[0]

    assert found("gemeenten") == [post.id]
    assert found("woning") == [post.id]
    assert found("bijeenkomst") == [post.id]
    assert found("de") == []  # a stop word alone finds nothing, and fails nothing


def test_snippets_mark_matches_and_are_escaped_first(
    client: FlaskClient, login_as: Callable[..., User], author: User, theme: Theme
) -> None:
    body = (
        "Let op: <script>alert('x')</script> en <mark>nep</mark> en <b onclick=x>vet</b>. "
        f"De taalcoach helpt. {START}geen markering{STOP} & meer."
    )
    post = write_thread(author, theme, "Over <em>taal</em>", body)[0]
    login_as(make_member(name="Lezer"))

    hit = search_posts("taalcoach", 1, 10).hits[0]
    page = client.get("/community/zoeken?q=taalcoach").get_data(as_text=True)

    assert "<mark>taalcoach</mark>" in hit.snippet
    assert hit.snippet.count("<mark>") == hit.snippet.count("</mark>") == 1
    assert START not in page and STOP not in page
    results = page.split('<ol class="search-results">', 1)[1].split("</ol>", 1)[0]
    assert "<script" not in results and "<b " not in results and "<em>" not in results
    assert results.count("<mark>") == 1
    assert "Over &lt;em&gt;taal&lt;/em&gt;" in results
    assert f'href="/community/bericht/{post.id}"' in results
    assert "Onderwijs" in results and "Fatima El Amrani" in results


def test_deleted_and_hidden_posts_and_hidden_threads_are_never_found(
    author: User, theme: Theme
) -> None:
    deleted, hidden, kept = write_thread(
        author, theme, "Inburgering", "Eerste over inburgering", "Tweede", "Derde"
    )
    for post, body in ((hidden, "Tweede over inburgering"), (kept, "Derde over inburgering")):
        with write_transaction():
            post.body = body
            index_post(post, post.thread)
    other_thread = write_thread(author, theme, "Verborgen", "Ook over inburgering")[0]
    assert set(found("inburgering")) == {deleted.id, hidden.id, kept.id, other_thread.id}

    with write_transaction():
        deleted.deleted_at = clock.now()
        hidden.hidden_at = clock.now()
        index_post(deleted, deleted.thread)  # posting does this: the entries go
    # A hidden post or thread whose entry stayed behind is still never shown.
    with write_transaction():
        other_thread.thread.hidden_at = clock.now()

    assert found("inburgering") == [kept.id]
    assert db.session.get(SearchEntry, deleted.id) is None
    unindex_post(hidden.id)
    assert db.session.get(SearchEntry, hidden.id) is None


def test_a_changed_title_is_found_by_its_new_words(author: User, theme: Theme) -> None:
    first, reply = write_thread(author, theme, "Oude kop", "Tekst", "Antwoord")
    thread = first.thread
    with write_transaction():
        thread.title = "Nieuwe kop over discriminatie"
    reindex_thread_title(thread)

    assert found("discriminatie") == [first.id]  # the title belongs to post 1 only
    assert found("oude") == []
    assert db.session.get(SearchEntry, reply.id).title == ""  # type: ignore[union-attr]


def test_an_edited_post_is_found_by_its_new_text_only(author: User, theme: Theme) -> None:
    post = write_thread(author, theme, "Kop", "Over arbeidsmarkt")[0]
    with write_transaction():
        post.body = "Over gezondheidszorg"
        index_post(post, post.thread)

    assert found("arbeidsmarkt") == []
    assert found("gezondheidszorg") == [post.id]


def test_deleting_a_post_row_removes_its_entry(author: User, theme: Theme) -> None:
    post = write_thread(author, theme, "Kop", "Over participatie")[0]
    with write_transaction() as session:
        session.delete(post)

    assert found("participatie") == []


HOSTILE = [
    '"',
    "'",
    '"unbalanced',
    "*",
    "a*",
    "NEAR(a b)",
    "NEAR",
    "a OR",
    "OR AND NOT",
    "(",
    ")",
    "a) OR (b",
    "title:foo",
    "body : x",
    "{title body}: x",
    "^foo",
    "-foo",
    "+foo",
    "!!!",
    "\\",
    "%",
    "_",
    "\x00",
    "a\x00b",
    "\u2028",
    "\ufffe",
    "😀",
    "é\u0301",
    "a" * 5000,
    " ".join(["woord"] * 500),
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "'; DROP TABLE community_search; --",
    "de het een",
    "a & b | !c <-> d",
    ":*",
    "x:*B",
]


def test_no_query_makes_the_search_fail(author: User, theme: Theme) -> None:
    post = write_thread(author, theme, "Kop", "Een bericht over woord en x en foo.")[0]

    for query in HOSTILE:
        results = search_posts(query, 1, 10)
        assert [hit.post_id for hit in results.hits] in ([], [post.id]), query
    assert found('"foo"') == [post.id]
    # PostgreSQL understands web-search syntax (OR, -word, "a phrase"); for SQLite every
    # word is a quoted string, so "OR" is a word that must occur like the others.
    assert found("foo OR nergens") == ([post.id] if POSTGRES else [])


def test_hostile_queries_through_the_page_never_answer_500(
    client: FlaskClient, login_as: Callable[..., User], author: User, theme: Theme
) -> None:
    write_thread(author, theme, "Kop", "Een bericht over woord en foo.")
    login_as(make_member(name="Lezer"))

    for query in HOSTILE:
        response = client.get("/community/zoeken", query_string={"q": query, "pagina": "-5"})
        assert response.status_code == 200, query
    assert client.get("/community/zoeken?q=foo&pagina=" + "9" * 40).status_code == 200


def test_an_empty_query_searches_nothing(
    client: FlaskClient, login_as: Callable[..., User], author: User, theme: Theme
) -> None:
    write_thread(author, theme, "Kop", "Tekst")
    login_as(make_member(name="Lezer"))

    page = client.get("/community/zoeken?q=+++").get_data(as_text=True)

    assert not search_posts("   ", 1, 10).searched
    assert '<input type="search" id="q" name="q" value=""' in page
    assert "search-results" not in page and "Niets gevonden" not in page


def test_results_come_a_page_at_a_time(
    client: FlaskClient, login_as: Callable[..., User], author: User, theme: Theme
) -> None:
    posts = write_thread(author, theme, "Kop", *[f"Bericht {n} over racisme" for n in range(5)])
    login_as(make_member(name="Lezer"))

    first = search_posts("racisme", 1, PAGE_SIZE)
    second = search_posts("racisme", 2, PAGE_SIZE)
    page_two = client.get("/community/zoeken?q=racisme&pagina=2").get_data(as_text=True)

    assert first.has_next and not second.has_next
    ids = [hit.post_id for hit in first.hits + second.hits]
    assert sorted(ids) == sorted(post.id for post in posts)
    assert 'href="/community/zoeken?q=racisme&amp;pagina=1">Vorige resultaten' in page_two
    assert page_two.count('<h2><a href="/community/bericht/') == 2


def test_search_is_for_members_only(
    client: FlaskClient, login_as: Callable[..., User], author: User, theme: Theme
) -> None:
    write_thread(author, theme, "Geheim onderwerp", "Geheime tekst")

    anonymous = client.get("/community/zoeken?q=geheim")
    login_as(make_person(MemberStatus.DECLINED, name="Buiten"))
    declined = client.get("/community/zoeken?q=geheim")

    assert anonymous.status_code == 302 and "/inloggen" in anonymous.headers["Location"]
    assert declined.status_code == 403
    assert "Geheim" not in declined.get_data(as_text=True)


@pytest.mark.skipif(not POSTGRES, reason="the GIN index is PostgreSQL's")
def test_postgresql_queries_can_use_the_gin_index(author: User, theme: Theme) -> None:
    write_thread(author, theme, "Kop", "Tekst over onderwijs")
    statement = search_module._postgresql("onderwijs", 10, 0)
    compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    with db.engine.begin() as conn:
        conn.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table: force the choice
        plan = "\n".join(row[0] for row in conn.execute(text(f"EXPLAIN {compiled}")))

    assert "ix_community_search_document" in plan, plan


def test_the_search_page_runs_the_same_queries_whatever_it_finds(
    client: FlaskClient, login_as: Callable[..., User], author: User, theme: Theme
) -> None:
    login_as(make_member(name="Lezer"))
    write_thread(author, theme, "Kop", "Over statushouders")
    with count_queries() as few:
        client.get("/community/zoeken?q=statushouders")
    for n in range(6):
        write_thread(author, make_theme(f"Thema {n}"), f"Kop {n}", "Statushouders", "Ook")
    with count_queries() as many:
        page = client.get("/community/zoeken?q=statushouders").get_data(as_text=True)

    assert page.count('<h2><a href="/community/bericht/') == PAGE_SIZE
    assert len(many) == len(few) <= 4, many

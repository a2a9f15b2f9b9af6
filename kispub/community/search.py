"""Search over posts: keeping the index in step with posts, and querying it.

``services/posting.py`` calls the three index functions inside its write transactions:
a visible post has one ``SearchEntry`` (its text as plain text, and the thread title on
post 1); a deleted or hidden post has none. The full-text machinery per database is in
``fulltext``. Queries are built so that no input can make them fail: PostgreSQL parses
the words with ``websearch_to_tsquery`` (which accepts anything), and for SQLite's FTS5
every word becomes a quoted string, so quotes, ``*``, ``NEAR``, ``OR`` and brackets in
the input are words, never syntax.

Snippets are made safe in a fixed order: the database marks the matches with two
private-use characters that stored text never contains (they are removed on indexing),
the snippet is HTML-escaped, and only then do the markers become ``<mark>`` tags.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import (
    ColumnClause,
    Select,
    and_,
    column,
    delete,
    func,
    literal_column,
    select,
    table,
    update,
)

from kispub.accounts.models import User
from kispub.community.fulltext import FTS_TABLE, pg_document
from kispub.community.models import Post, SearchEntry, Thread
from kispub.core.database import write_transaction
from kispub.core.markdown import markdown_to_text
from kispub.core.text import clean_line
from kispub.extensions import db
from kispub.themes.models import Theme

START, STOP = "\ue000", "\ue001"  # match markers in snippets; never in stored text
QUERY_MAX = 200  # characters of a search that are used
TERMS_MAX = 12  # words of a search that are used (SQLite)
MAX_PAGE = 1_000
# SQLite's bm25 weights per column (title, body): a word in the title counts ten times.
TITLE_WEIGHT, BODY_WEIGHT = 10.0, 1.0
SNIPPET_TOKENS = 24
PG_HEADLINE = (
    f'StartSel="{START}", StopSel="{STOP}", MaxWords=35, MinWords=15, '
    'MaxFragments=2, FragmentDelimiter=" … "'
)


# --- the index ---------------------------------------------------------------------------


def searchable_text(text: str, *, markdown: bool = True) -> str:
    """The plain text that is indexed: Markdown rendered away, the snippet markers removed."""
    plain = markdown_to_text(text) if markdown else text
    return plain.replace(START, "").replace(STOP, "")


def index_post(post: Post, thread: Thread) -> None:
    """Add or refresh a visible post's entry (the title goes with post 1); else remove it."""
    with write_transaction() as session:
        if post.id is None:
            session.flush()
        if not post.is_visible or thread.hidden_at is not None:
            unindex_post(post.id)
            return
        entry = session.get(SearchEntry, post.id)
        if entry is None:
            entry = SearchEntry(post_id=post.id)
            session.add(entry)
        entry.thread_id = thread.id
        entry.title = searchable_text(thread.title, markdown=False) if post.number == 1 else ""
        entry.body = searchable_text(post.body)


def unindex_post(post_id: int) -> None:
    """Remove a post that was deleted or hidden."""
    with write_transaction() as session:
        session.execute(delete(SearchEntry).where(SearchEntry.post_id == post_id))


def reindex_thread_title(thread: Thread) -> None:
    """Refresh the title on the thread's first post after the title changed."""
    first = select(Post.id).where(Post.thread_id == thread.id, Post.number == 1)
    with write_transaction() as session:
        session.execute(
            update(SearchEntry)
            .where(SearchEntry.post_id == first.scalar_subquery())
            .values(title=searchable_text(thread.title, markdown=False))
        )


# --- searching ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    """One found post, with where it stands and a highlighted snippet."""

    post_id: int
    number: int
    created_at: datetime
    thread_id: int
    thread_title: str
    theme_name: str
    theme_slug: str
    author_name: str | None
    snippet: Markup


@dataclass(frozen=True)
class SearchResults:
    """One page of results; ``searched`` is False when the query held no words."""

    query: str
    hits: tuple[SearchHit, ...]
    page: int
    has_next: bool
    searched: bool


def clean_query(query: str) -> str:
    """The query as used: one line, no control characters, bounded in length."""
    return " ".join(clean_line(query).split())[:QUERY_MAX].strip()


def search_posts(query: str, page: int, per_page: int) -> SearchResults:
    """Visible posts matching ``query``, best first; an empty query searches nothing."""
    query = clean_query(query)
    page = min(max(page, 1), MAX_PAGE)
    words = [word for word in query.split() if any(c.isalnum() for c in word)][:TERMS_MAX]
    if not words:
        return SearchResults(query, (), page, False, searched=False)
    offset = (page - 1) * per_page
    if db.session.get_bind().dialect.name == "postgresql":
        statement = _postgresql(query, per_page + 1, offset)
    else:
        statement = _sqlite(fts5_match(words), per_page + 1, offset)
    hits = tuple(_hit(row) for row in db.session.execute(statement))
    return SearchResults(query, hits[:per_page], page, len(hits) > per_page, searched=True)


def fts5_match(words: list[str]) -> str:
    """An FTS5 query in which every word is a quoted string: all words must occur."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


def highlighted(snippet: str) -> Markup:
    """Escape the snippet first, then turn the markers into ``<mark>``."""
    escaped = str(escape(snippet))
    return Markup(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S704


def _visible() -> Any:
    return and_(
        Post.deleted_at.is_(None),
        Post.hidden_at.is_(None),
        Post.held_at.is_(None),  # never indexed while held; this keeps a stale row out too
        Thread.hidden_at.is_(None),
    )


def _shown(statement: Select[Any]) -> Select[Any]:
    """Join what a hit shows: the post, its thread and theme, and its author."""
    return (
        statement.join(Post, Post.id == SearchEntry.post_id)
        .join(Thread, Thread.id == Post.thread_id)
        .join(Theme, Theme.id == Thread.theme_id)
        .outerjoin(User, User.id == Post.author_id)
    )


_COLUMNS = (
    Post.id,
    Post.number,
    Post.created_at,
    Thread.id.label("thread_id"),
    Thread.title,
    Theme.name.label("theme_name"),
    Theme.slug,
    User.name.label("author_name"),
)


def _sqlite(match: str, limit: int, offset: int) -> Select[Any]:
    fts = table(FTS_TABLE, column("rowid"))
    ref: ColumnClause[Any] = literal_column(FTS_TABLE)
    snippet = func.snippet(ref, 1, START, STOP, "…", SNIPPET_TOKENS)
    statement = select(*_COLUMNS, snippet.label("snippet")).select_from(fts)
    statement = _shown(statement.join(SearchEntry, SearchEntry.post_id == fts.c.rowid))
    return (
        statement.where(ref.op("MATCH")(match), _visible())
        .order_by(func.bm25(ref, TITLE_WEIGHT, BODY_WEIGHT), Post.id.desc())
        .limit(limit)
        .offset(offset)
    )


def _postgresql(query: str, limit: int, offset: int) -> Select[Any]:
    # The literal 'dutch' and the document expression are exactly the index's (fulltext.py).
    tsquery = func.websearch_to_tsquery(literal_column("'dutch'"), query)
    document: ColumnClause[Any] = literal_column(pg_document(SearchEntry.__tablename__))
    rank = func.ts_rank(document, tsquery).label("rank")
    ranked = (
        _shown(select(SearchEntry.post_id, rank).select_from(SearchEntry))
        .where(document.op("@@")(tsquery), _visible())
        .order_by(rank.desc(), SearchEntry.post_id.desc())
        .limit(limit)
        .offset(offset)
        .subquery()
    )
    # The headline is worked out for this page's rows only, after ranking and paging.
    snippet = func.ts_headline(literal_column("'dutch'"), SearchEntry.body, tsquery, PG_HEADLINE)
    statement = select(*_COLUMNS, snippet.label("snippet")).select_from(ranked)
    statement = _shown(statement.join(SearchEntry, SearchEntry.post_id == ranked.c.post_id))
    return statement.order_by(ranked.c.rank.desc(), ranked.c.post_id.desc())


def _hit(row: Any) -> SearchHit:
    return SearchHit(
        post_id=row.id,
        number=row.number,
        created_at=row.created_at,
        thread_id=row.thread_id,
        thread_title=row.title,
        theme_name=row.theme_name,
        theme_slug=row.slug,
        author_name=row.author_name,
        snippet=highlighted(row.snippet or ""),
    )

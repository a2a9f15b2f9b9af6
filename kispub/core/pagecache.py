"""Whole public pages for logged-out visitors, rendered once and reused by each process.

Every anonymous visitor of the home page, a series, an episode, the ateliers or a theme gets
the same HTML, and rendering it (queries, page objects, Babel, Jinja) costs ten times what
serving it does. A channel marks such a page with :func:`cache_public_page`; its response is
kept in the process's fragment cache (kispub/core/fragments.py) under a key that holds the
*content version*: one small query, run on every request, whose row changes whenever
anything a public page may show changes. Each channel registers the aggregates of its own
tables that make up its part (:func:`register_content_version`): counts, largest ids and
last changes, and how many items are public, started or ended by now, so that a scheduled
episode or an atelier that starts shows at once. An edit made through any process, on any
machine, changes the row that every other process reads on its next request: no process
keeps a page the database has moved past. The fragment cache's time limit
(``FRAGMENT_CACHE_SECONDS``) only bounds memory and anything the aggregates miss.

``updated_at`` carries edits: :func:`touch_on_change` makes the ORM set it on every flush
that changes a registered model, its collections (themes, guests, speakers) included, so
that no service has to remember to.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Sequence
from datetime import datetime
from typing import Any

from flask import Flask, current_app, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, to_user_timezone
from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    bindparam,
    cast,
    event,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter
from werkzeug.wrappers import Response

from kispub.core import clock
from kispub.core.database import UTCDateTime
from kispub.core.fragments import cached_fragment, sees_shared_page
from kispub.extensions import db

# A channel's part of the content version: selects of one row each (aggregates over its
# tables at ``now``, a bound parameter), put together into the one query.
AnySelect = Select[*tuple[Any, ...]]
VersionPart = Callable[[BindParameter[datetime]], Sequence[AnySelect]]
_VERSIONS = "kispub_content_versions"
_STATEMENT = "kispub_content_version_statement"
_TOUCHED: set[type] = set()
# What a stored page keeps of the view's response (the app's after_request hooks run again).
StoredPage = tuple[bytes, int, tuple[tuple[str, str], ...]]


def init_app(app: Flask) -> None:
    """After the channels: the site's own shared pages, and the links between items in the
    version (the themes' part comes from create_app, core does not import themes)."""
    from kispub.core import links

    register_content_version(app, links.content_version)
    for endpoint in ("home.index", "themes.show"):
        cache_public_page(app, endpoint)


def register_content_version(app: Flask, part: VersionPart) -> None:
    """Add a channel's aggregates to the content version (called from its init_app)."""
    app.extensions.setdefault(_VERSIONS, []).append(part)


def content_version() -> tuple[object, ...]:
    """Every channel's aggregates at this moment, in one query."""
    statement = current_app.extensions.get(_STATEMENT)
    if statement is None:
        statement = current_app.extensions[_STATEMENT] = _version_statement()
    # A connection of its own, outside the request's transaction: a page served from the
    # cache then sends this one statement and nothing else. On PostgreSQL it runs in
    # autocommit, so no ROLLBACK follows it, which would make psycopg drop the prepared
    # statement (and PostgreSQL plan it again on every request).
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        return tuple(connection.execute(statement, {"now": clock.now()}).one())


def _version_statement() -> Select[Any]:
    # Built once per app: constructing it costs more than running it. ``now`` is bound at
    # each execution, and SQLAlchemy's statement cache keeps the compiled form. Each part
    # becomes one scalar subquery of its aggregates as text: PostgreSQL plans a select list
    # of subqueries in no time, where joining a dozen derived tables took milliseconds.
    now = bindparam("now", type_=UTCDateTime())
    parts = [select for part in current_app.extensions.get(_VERSIONS, []) for select in part(now)]
    if not parts:
        return select(literal(0))
    return select(*(_as_text(part).scalar_subquery() for part in parts))


def _as_text(part: AnySelect) -> AnySelect:
    """The part's aggregates joined into one text value ("40/40/2026-12-07 ...")."""
    # Inline literals, not parameters: psycopg keeps its parsed form of a statement only up
    # to 4096 characters and 50 parameters (tests/core/test_pagecache.py holds it there);
    # parsing a longer one again on every request cost more than running it.
    text: ColumnElement[str] | None = None
    for column in part.selected_columns:
        value = func.coalesce(cast(column, String), literal_column("'-'"))
        text = value if text is None else text.concat(literal_column("'/'")).concat(value)
    assert text is not None
    return part.with_only_columns(text, maintain_column_froms=True)


def cache_public_page(app: Flask, endpoint: str) -> None:
    """Serve the endpoint's 200 responses to logged-out visitors from the cache, keyed by the
    address, the language, the day and the content version."""
    view: Callable[..., Any] = app.view_functions[endpoint]

    @functools.wraps(view)
    def cached(**kwargs: Any) -> ResponseReturnValue:
        if request.method not in ("GET", "HEAD") or not sees_shared_page():
            return view(**kwargs)
        today = to_user_timezone(clock.now()).date()
        key: Hashable = ("page", request.url, str(get_locale()), today, content_version())
        rendered: list[Response] = []

        def build() -> StoredPage | None:
            rendered.append(current_app.make_response(view(**kwargs)))
            return _stored(rendered[0])

        page = cached_fragment(key, build)
        if rendered:
            return rendered[0]
        if page is None:  # stored by a build that was not a plain 200 page
            return view(**kwargs)
        body, status, headers = page
        return Response(body, status, list(headers))

    app.view_functions[endpoint] = cached


def _stored(response: Response) -> StoredPage | None:
    """What a later request needs of a plain 200 page; None for anything else."""
    if response.status_code != 200 or response.is_streamed or "Set-Cookie" in response.headers:
        return None
    return response.get_data(), response.status_code, tuple(response.headers.items())


def touch_on_change(*models: type) -> None:
    """Set ``updated_at`` of these models whenever a flush changes one of them."""
    _TOUCHED.update(models)


@event.listens_for(Session, "before_flush")
def _touch(session: Session, _context: object, _instances: object) -> None:
    if not _TOUCHED:
        return
    now: datetime | None = None
    touched = tuple(_TOUCHED)
    for instance in session.dirty:
        if isinstance(instance, touched) and session.is_modified(instance):
            now = now or clock.now()
            instance.updated_at = now  # type: ignore[attr-defined]

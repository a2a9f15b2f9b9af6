"""The full-text index over ``community_search``, per database.

- PostgreSQL: a GIN index over one expression, :func:`pg_document`: the thread title
  weighted A above the body's B, both in the ``dutch`` configuration (stemming, stop
  words). Queries repeat the very same expression, so the planner uses the index.
- SQLite: an FTS5 table with external content (``community_search`` holds the text once),
  tokenised by ``unicode61`` with diacritics folded, kept in step by three triggers.

None of this is in the models' metadata (SQLite cannot describe an FTS5 table there, and a
GIN expression index would be compared differently per database), so the names are
registered with ``kispub.core.database.leave_unmanaged``: Alembic's autogenerate leaves
them alone. The 0007 migration calls :func:`create_full_text`, and ``db.create_all()``
(the tests' schema) runs it through the DDL events at the end of this module.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, event
from sqlalchemy.engine import Connection

from kispub.community.models import SearchEntry
from kispub.core.database import leave_unmanaged

FTS_TABLE = "community_search_fts"
PG_INDEX = "ix_community_search_document"


def pg_document(table: str = "") -> str:
    """The document the index holds and every query matches: one expression, written once.

    ``table`` qualifies the columns in a query (the thread has a title too); the planner
    sees the same expression either way and uses the index.
    """
    prefix = f"{table}." if table else ""
    return (
        f"setweight(to_tsvector('dutch', {prefix}title), 'A') || "
        f"setweight(to_tsvector('dutch', {prefix}body), 'B')"
    )


_TRIGGERS = ("community_search_ai", "community_search_ad", "community_search_au")
# FTS5 keeps its index in these tables next to the virtual one (no _content: external).
_FTS_SHADOWS = tuple(f"{FTS_TABLE}_{part}" for part in ("data", "idx", "docsize", "config"))

# Plain DDL with the names written out (FTS_TABLE is community_search_fts).
_SQLITE_CREATE = (
    """CREATE VIRTUAL TABLE IF NOT EXISTS community_search_fts USING fts5(
        title, body,
        content='community_search', content_rowid='post_id',
        tokenize="unicode61 remove_diacritics 2"
    )""",
    """CREATE TRIGGER IF NOT EXISTS community_search_ai AFTER INSERT ON community_search
    BEGIN
        INSERT INTO community_search_fts (rowid, title, body)
        VALUES (new.post_id, new.title, new.body);
    END""",
    """CREATE TRIGGER IF NOT EXISTS community_search_ad AFTER DELETE ON community_search
    BEGIN
        INSERT INTO community_search_fts (community_search_fts, rowid, title, body)
        VALUES ('delete', old.post_id, old.title, old.body);
    END""",
    """CREATE TRIGGER IF NOT EXISTS community_search_au AFTER UPDATE ON community_search
    BEGIN
        INSERT INTO community_search_fts (community_search_fts, rowid, title, body)
        VALUES ('delete', old.post_id, old.title, old.body);
        INSERT INTO community_search_fts (rowid, title, body)
        VALUES (new.post_id, new.title, new.body);
    END""",
    # Rows written before the index existed (none in a new schema) are indexed too.
    "INSERT INTO community_search_fts (community_search_fts) VALUES ('rebuild')",
)

leave_unmanaged((FTS_TABLE, *_FTS_SHADOWS, PG_INDEX))


def create_full_text(connection: Connection) -> None:
    """Create the database's full-text index over community_search."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON community_search "
            f"USING gin (({pg_document()}))"
        )
    elif connection.dialect.name == "sqlite":
        for statement in _SQLITE_CREATE:
            connection.exec_driver_sql(statement)


def drop_full_text(connection: Connection) -> None:
    """Drop what ``create_full_text`` made."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"DROP INDEX IF EXISTS {PG_INDEX}")
    elif connection.dialect.name == "sqlite":
        for trigger in _TRIGGERS:
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS_TABLE}")


@event.listens_for(SearchEntry.__table__, "after_create")
def _after_create(_table: Table, connection: Connection, **_kw: Any) -> None:
    create_full_text(connection)


@event.listens_for(SearchEntry.__table__, "before_drop")
def _before_drop(_table: Table, connection: Connection, **_kw: Any) -> None:
    drop_full_text(connection)

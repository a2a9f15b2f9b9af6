"""The database refuses to change or remove moderation log entries (``community_moderation_log``).

No code path updates or deletes a row; these triggers make that a property of the database
too, so neither a bug, a console session nor an ``ON DELETE`` can rewrite the record:

- PostgreSQL: a ``BEFORE UPDATE OR DELETE ... FOR EACH ROW`` trigger whose function raises.
  (``TRUNCATE`` is not a row operation and is left to the database owner: the tests empty
  every table with it.)
- SQLite: two ``BEFORE`` triggers that ``RAISE(ABORT, ...)``.

Alembic's autogenerate compares neither triggers nor functions, so nothing here is in the
models' metadata. The 0012 migration calls :func:`create_append_only`, and
``db.create_all()`` (the tests' schema) runs it through the DDL events at the end.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, event
from sqlalchemy.engine import Connection

from kispub.community.models import ModerationLogEntry

TABLE = "community_moderation_log"
MESSAGE = "community_moderation_log is append-only"
PG_FUNCTION = "community_moderation_log_append_only"
PG_TRIGGER = "community_moderation_log_no_change"
SQLITE_TRIGGERS = ("community_moderation_log_no_update", "community_moderation_log_no_delete")

_PG_CREATE = (
    f"""CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql""",
    f"DROP TRIGGER IF EXISTS {PG_TRIGGER} ON {TABLE}",
    f"""CREATE TRIGGER {PG_TRIGGER} BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()""",
)
_SQLITE_CREATE = tuple(
    f"""CREATE TRIGGER IF NOT EXISTS {name} BEFORE {verb} ON {TABLE}
    BEGIN
        SELECT RAISE(ABORT, '{MESSAGE}');
    END"""
    for name, verb in zip(SQLITE_TRIGGERS, ("UPDATE", "DELETE"), strict=True)
)


def create_append_only(connection: Connection) -> None:
    """Make the database refuse UPDATE and DELETE on the moderation log."""
    statements = {"postgresql": _PG_CREATE, "sqlite": _SQLITE_CREATE}
    for statement in statements.get(connection.dialect.name, ()):
        connection.exec_driver_sql(statement)


def drop_append_only(connection: Connection) -> None:
    """Remove what ``create_append_only`` made (before the table is dropped)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {PG_TRIGGER} ON {TABLE}")
        connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")
    elif connection.dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")


@event.listens_for(ModerationLogEntry.__table__, "after_create")
def _after_create(_table: Table, connection: Connection, **_kw: Any) -> None:
    create_append_only(connection)


@event.listens_for(ModerationLogEntry.__table__, "before_drop")
def _before_drop(_table: Table, connection: Connection, **_kw: Any) -> None:
    drop_append_only(connection)

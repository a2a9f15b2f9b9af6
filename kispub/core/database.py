"""Database behaviour that differs per backend, and the write-transaction helper.

SQLite gets WAL, a busy timeout and foreign keys. pysqlite's own transaction handling
is switched off so that we emit BEGIN ourselves: a write transaction starts with
``BEGIN IMMEDIATE`` because a deferred transaction that upgrades its read lock to a
write lock fails at once under concurrency, whatever the busy timeout.
"""

from __future__ import annotations

import enum
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Enum, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from kispub.extensions import db

BUSY_TIMEOUT_MS = 10_000
_IMMEDIATE = "kispub_begin_immediate"


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None  # we send BEGIN ourselves, see _sqlite_begin
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn: Connection) -> None:
    if conn.dialect.name != "sqlite":
        return
    immediate = conn.get_execution_options().get(_IMMEDIATE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def write_transaction() -> Iterator[Session]:
    """Run one unit of work that writes, committing at the end or rolling back on error.

    Any read transaction the request already holds is closed first, so that the write
    starts from a fresh snapshot and (on SQLite) holds the write lock from its first
    statement. Nested calls join the outer unit of work.
    """
    session = db.session()
    if session.info.get(_IMMEDIATE):
        yield session
        return
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={_IMMEDIATE: True})
    session.info[_IMMEDIATE] = True
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info.pop(_IMMEDIATE, None)


def string_enum(kind: type[enum.StrEnum]) -> Enum:
    """A portable enum column that stores member values as strings (no native ENUM type)."""
    return Enum(kind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class UTCDateTime(TypeDecorator[datetime]):
    """A DateTime stored as naive UTC and always read back as aware UTC.

    SQLite has no time zones; this keeps both backends returning the same values.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)

"""Database behaviour that differs per backend, and the write-transaction helper.

SQLite gets WAL, a busy timeout and foreign keys. pysqlite's own transaction handling
is switched off so that we emit BEGIN ourselves: a write transaction starts with
``BEGIN IMMEDIATE`` because a deferred transaction that upgrades its read lock to a
write lock fails at once under concurrency, whatever the busy timeout.
"""

from __future__ import annotations

import enum
import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import DateTime, Enum, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from kispub.extensions import db

BUSY_TIMEOUT_MS = 10_000
_IMMEDIATE = "kispub_begin_immediate"
_AFTER_COMMIT = "kispub_after_commit"

log = logging.getLogger(__name__)
T = TypeVar("T")


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
    statement. Nested calls join the outer unit of work. Callbacks registered with
    ``after_commit`` run once the outer unit has committed.
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
        callbacks: list[Callable[[], object]] = session.info.pop(_AFTER_COMMIT, [])
    _run_after_commit(callbacks)  # not reached on rollback: the callbacks are dropped


def in_write_transaction() -> bool:
    """Whether the current session is inside ``write_transaction()``."""
    return bool(db.session().info.get(_IMMEDIATE))


def after_commit(callback: Callable[[], object]) -> None:
    """Run ``callback`` once the current write transaction has committed; never on rollback.

    For side effects that must not happen unless the change is stored, such as
    enqueueing a job that reads the new rows.
    """
    if not in_write_transaction():
        raise RuntimeError("after_commit() needs an open write_transaction()")
    db.session().info.setdefault(_AFTER_COMMIT, []).append(callback)


def after_commit_once(callback: Callable[[], object]) -> None:
    """Like :func:`after_commit`, but a callback equal to one already queued is not added."""
    if not in_write_transaction():
        raise RuntimeError("after_commit_once() needs an open write_transaction()")
    queued = db.session().info.setdefault(_AFTER_COMMIT, [])
    if callback not in queued:
        queued.append(callback)


def _run_after_commit(callbacks: list[Callable[[], object]]) -> None:
    # The change is stored: a failing callback is logged, not raised, so that the caller
    # does not report a failure for work that succeeded (the outbox sweep catches up).
    for callback in callbacks:
        try:
            callback()
        except Exception:
            log.exception("after-commit callback %r failed", callback)


def padded_chunks(values: Sequence[T], size: int, pad: T) -> Iterator[list[T]]:
    """``values`` in lists of exactly ``size`` items, the last one filled up with ``pad``.

    For IN lists: one length is one SQL text, so the driver's statement cache (SQLite's holds
    each prepared statement in C memory) keeps one statement instead of one per length.
    """
    for first in range(0, len(values), size):
        chunk = list(values[first : first + size])
        yield chunk + [pad] * (size - len(chunk))


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


# Schema objects made by hand-written DDL that the models cannot describe (a full-text
# table, an index on an expression one backend lacks). Alembic's autogenerate must neither
# drop them nor report them: migrations/env.py and the migration tests pass
# ``is_managed_by_models`` as its ``include_name`` filter.
_UNMANAGED = "kispub_unmanaged_names"


def leave_unmanaged(names: Iterable[str]) -> None:
    """Register table and index names that autogenerate must leave alone."""
    db.metadata.info.setdefault(_UNMANAGED, set()).update(names)


def is_managed_by_models(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's ``include_name``: False for the names given to ``leave_unmanaged``."""
    return name not in db.metadata.info.get(_UNMANAGED, ())

"""Counting the SQL a block of code sends, for the no-N+1 assertions on list pages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event

from kispub.extensions import db

DATA_STATEMENTS = {"SELECT", "INSERT", "UPDATE", "DELETE"}


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """Collect the SQL statements run inside the block (BEGIN, COMMIT and PRAGMA not counted)."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.split(None, 1)[0].upper() in DATA_STATEMENTS:
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def forget_cached_pages(app: Flask) -> None:
    """Drop the app's rendered pages, so that the next request renders (and queries) again."""
    app.extensions["kispub_fragments"].entries.clear()

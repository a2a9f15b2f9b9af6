"""The full-text index over ``community_search``, per database (filled in by the search work).

Called by the migration and, for ``db.create_all()`` (the tests' schema), by a DDL event.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection


def create_full_text(connection: Connection) -> None:
    """Create the database's full-text index over community_search (placeholder)."""


def drop_full_text(connection: Connection) -> None:
    """Drop what ``create_full_text`` made (placeholder)."""

"""Read state: how far each member has read each thread, one row per (member, thread).

Both writes are single upserts that only ever raise the number read, so two tabs (or two
requests racing) can never make a read post unread again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kispub.community.models import ReadState, Thread
from kispub.community.services import notifying
from kispub.core import clock
from kispub.core.database import UTCDateTime, write_transaction


def record_read(user_id: int, thread_id: int, number: int) -> None:
    """The member has seen the thread up to post ``number`` (never lowers what was read)."""
    with write_transaction() as session:
        statement = _insert(session).values(
            user_id=user_id, thread_id=thread_id, last_read_number=number, updated_at=clock.now()
        )
        session.execute(_raise_only(statement))
        notifying.mark_read_in_thread(session, user_id, thread_id, number)


def read_own_post(user_id: int, thread_id: int, number: int) -> None:
    """The member wrote post ``number``: it is read, if all before it was (or it opens the
    thread). Posts others wrote meanwhile stay unread."""
    with write_transaction() as session:
        statement = _insert(session).values(
            user_id=user_id, thread_id=thread_id, last_read_number=number, updated_at=clock.now()
        )
        if number > 1:
            statement = statement.on_conflict_do_update(
                index_elements=[ReadState.user_id, ReadState.thread_id],
                set_={"last_read_number": number, "updated_at": statement.excluded.updated_at},
                where=ReadState.last_read_number == number - 1,
            )
        session.execute(statement)


def mark_theme_read(user_id: int, theme_id: int) -> None:
    """Every thread of a theme counts as read up to its last post, in one statement."""
    with write_transaction() as session:
        rows = select(
            literal(user_id, Integer()),
            Thread.id,
            Thread.post_count,
            literal(clock.now(), UTCDateTime()),
        ).where(Thread.theme_id == theme_id)
        statement = _insert(session).from_select(
            ["user_id", "thread_id", "last_read_number", "updated_at"], rows
        )
        session.execute(_raise_only(statement))
        notifying.mark_read_in_theme(session, user_id, theme_id)


def _insert(session: Session) -> Any:
    """INSERT for the session's database, which both speak ON CONFLICT for."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(ReadState)


def _raise_only(statement: Any) -> Any:
    # The WHERE makes an existing row change only when the new number is higher: the same
    # as SET last_read_number = max(old, new), without rewriting rows that stay as they are.
    return statement.on_conflict_do_update(
        index_elements=[ReadState.user_id, ReadState.thread_id],
        set_={
            "last_read_number": statement.excluded.last_read_number,
            "updated_at": statement.excluded.updated_at,
        },
        where=ReadState.last_read_number < statement.excluded.last_read_number,
    )

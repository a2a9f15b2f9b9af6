"""Watch levels: how closely a member follows a theme or a thread, and why.

A thread's level for a member is the thread's own row when its level is set, else the
member's level for the thread's theme, else Normaal (``effective_level``). Starting a thread
watches it (Volgen, reason CREATED) and posting in one tracks it (Meelezen, POSTED), as
Discourse does, but an automatic level is only written when it raises the member's level
and never over a level the member chose (reason CHOSEN): a member who muted a thread and
then answers a question in it stays muted.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kispub.accounts.models import User
from kispub.community.models import (
    Member,
    MemberStatus,
    ThemeWatch,
    Thread,
    ThreadWatch,
    WatchLevel,
    WatchReason,
)
from kispub.core import clock
from kispub.core.database import write_transaction
from kispub.themes.models import Theme

# Higher follows more closely.
RANK = {WatchLevel.MUTED: 0, WatchLevel.NORMAL: 1, WatchLevel.TRACKING: 2, WatchLevel.WATCHING: 3}
# What posting does to the poster's level for the thread.
AUTOMATIC = {WatchReason.CREATED: WatchLevel.WATCHING, WatchReason.POSTED: WatchLevel.TRACKING}


class WatchError(ValueError):
    """A level that cannot be set; the message is for the member."""


def effective_level(thread_level: WatchLevel | None, theme_level: WatchLevel | None) -> WatchLevel:
    """The level that counts for a thread: its own, else its theme's, else Normaal."""
    return thread_level or theme_level or WatchLevel.NORMAL


def effective_level_column() -> ColumnElement[Any]:
    """``effective_level`` in SQL, for a statement that outer-joins ThreadWatch and ThemeWatch
    for one member (the rows may be missing)."""
    return func.coalesce(ThreadWatch.level, ThemeWatch.level, literal(WatchLevel.NORMAL.value))


def set_thread_level(user: User, thread_id: int, level: WatchLevel) -> None:
    """The member's own level for a thread (reason CHOSEN: nothing automatic changes it)."""
    with write_transaction() as session:
        _check_member(session, user.id)
        thread = session.get(Thread, thread_id)
        if thread is None or thread.hidden_at is not None:
            raise WatchError(_("Dit onderwerp bestaat niet (meer)."))
        statement = _insert(session, ThreadWatch).values(
            user_id=user.id,
            thread_id=thread_id,
            level=level,
            reason=WatchReason.CHOSEN,
            updated_at=clock.now(),
        )
        session.execute(
            statement.on_conflict_do_update(
                index_elements=[ThreadWatch.user_id, ThreadWatch.thread_id],
                set_={
                    "level": statement.excluded.level,
                    "reason": statement.excluded.reason,
                    "updated_at": statement.excluded.updated_at,
                },
            )
        )


def set_theme_level(user: User, theme_id: int, level: WatchLevel) -> None:
    """The member's level for a theme, which its threads inherit unless set themselves."""
    with write_transaction() as session:
        _check_member(session, user.id)
        if session.get(Theme, theme_id) is None:
            raise WatchError(_("Dit thema bestaat niet (meer)."))
        statement = _insert(session, ThemeWatch).values(
            user_id=user.id, theme_id=theme_id, level=level, updated_at=clock.now()
        )
        session.execute(
            statement.on_conflict_do_update(
                index_elements=[ThemeWatch.user_id, ThemeWatch.theme_id],
                set_={
                    "level": statement.excluded.level,
                    "updated_at": statement.excluded.updated_at,
                },
            )
        )


def watch_after_posting(
    session: Session, user_id: int, thread: Thread, reason: WatchReason
) -> None:
    """(Inside the posting transaction.) Raise the poster's level for the thread to what
    posting gives (``AUTOMATIC``), unless they chose a level or already follow it as closely."""
    level = AUTOMATIC[reason]
    row = session.execute(
        select(ThreadWatch.level, ThreadWatch.reason, ThemeWatch.level)
        .select_from(Thread)
        .outerjoin(
            ThreadWatch, (ThreadWatch.thread_id == Thread.id) & (ThreadWatch.user_id == user_id)
        )
        .outerjoin(
            ThemeWatch, (ThemeWatch.theme_id == Thread.theme_id) & (ThemeWatch.user_id == user_id)
        )
        .where(Thread.id == thread.id)
    ).one()
    thread_level, thread_reason, theme_level = row
    if thread_reason is WatchReason.CHOSEN:
        return
    if RANK[level] < RANK[effective_level(thread_level, theme_level)]:
        return
    if thread_level is not None and RANK[level] == RANK[thread_level]:
        return  # already there for a reason of its own (started the thread, say)
    statement = _insert(session, ThreadWatch).values(
        user_id=user_id, thread_id=thread.id, level=level, reason=reason, updated_at=clock.now()
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[ThreadWatch.user_id, ThreadWatch.thread_id],
            set_={
                "level": statement.excluded.level,
                "reason": statement.excluded.reason,
                "updated_at": statement.excluded.updated_at,
            },
            # A choice the member made meanwhile (another tab) still wins.
            where=ThreadWatch.reason.is_distinct_from(WatchReason.CHOSEN),
        )
    )


def _check_member(session: Session, user_id: int) -> None:
    member = session.get(Member, user_id)
    if member is None or member.status is not MemberStatus.APPROVED:
        raise WatchError(_("Alleen leden van de community kunnen onderwerpen volgen."))


def _insert(session: Session, model: type[Any]) -> Any:
    """INSERT for the session's database, which both speak ON CONFLICT for."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)

"""Notifications: who hears about what, by their watch levels, made in the worker.

A new post reaches people in four ways, the most specific first: a mention, a reply (the
post it answers, or one it quotes), and for those who follow (Volgen) the thread a new post
or the theme a new thread. Each member gets at most one notification per post: the first
kind that reaches them. Posting only queues ``fan_out_post`` after its commit, so a reply
to a thread a thousand members follow returns as fast as any other; the job stores each
kind's rows with one ``INSERT ... SELECT`` that finds the recipients in the database itself.

Never notified: the actor themself, anyone who is not an approved member with an active
account, and anyone who muted the thread (or its theme) — except about a moderation
decision. Each row keeps a snapshot (actor name, thread title, post number), so it reads
right after edits, deletions and renames. ``mailing.notification_created`` sees every row
stored, in the same transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app, g
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    delete,
    exists,
    literal,
    select,
    union,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kispub import jobs
from kispub.accounts.models import User
from kispub.community import mailing
from kispub.community.directory import listed
from kispub.community.models import (
    Member,
    Mention,
    Notification,
    NotificationKind,
    Post,
    ThemeWatch,
    Thread,
    ThreadWatch,
    WatchLevel,
)
from kispub.community.services.watching import effective_level_column
from kispub.core import clock
from kispub.core.database import UTCDateTime, after_commit, write_transaction

Kind = NotificationKind
# The heading pages.quotation writes above a quoted post: "> **Naam** schreef in bericht 3:".
QUOTED = re.compile(r"^> \*\*.*?\*\* schreef in bericht (\d+):", re.M)
MOST_QUOTED = 20  # a post quoting more posts than this notifies the first ones only
ACTOR_NAME_LENGTH = 120
BATCH = 500  # notifications read back per SELECT (bound values in one IN)
# Where the request keeps the member's unread count for the header (see ``notices``): a
# change to what they have read drops it, so the page rendered next counts again.
HEADER_COUNT = "community_unread_notifications"


def queue_fan_out(post_id: int, *, mentions_only: bool = False) -> None:
    """(Inside a write transaction.) Make the post's notifications in the worker once the
    transaction has committed; ``mentions_only`` after an edit (new mentions only)."""
    after_commit(lambda: jobs.enqueue(fan_out_post, post_id, mentions_only))


def fan_out_post(post_id: int, mentions_only: bool = False) -> int:
    """(A job.) Store the notifications a visible post makes; returns how many.

    Safe to run twice: who already has one for the post is left out.
    """
    with write_transaction() as session:
        found = session.execute(
            select(Post, Thread, User.name)
            .join(Thread, Thread.id == Post.thread_id)
            .join(User, User.id == Post.author_id)
            .where(Post.id == post_id)
        ).first()
        if found is None:
            return 0
        post, thread, actor_name = found
        if not post.is_visible or thread.hidden_at is not None:
            return 0  # deleted or hidden before the worker came to it
        made = _Made(post.author_id, actor_name, thread, post)
        ids: list[int] = []
        for kind, candidates, wanted in _plans(post, thread, mentions_only):
            ids += _insert_notifications(session, kind, made, candidates, wanted)
        _tell_mailing(session, ids)
    return len(ids)


def notify_answer_accepted(session: Session, thread: Thread, post: Post, actor: User) -> None:
    """(Inside accept_answer's transaction.) Tell the answer's author it was accepted."""
    candidates = select(Post.author_id).where(Post.id == post.id)
    made = _Made(actor.id, actor.name, thread, post)
    ids = _insert_notifications(session, Kind.ANSWER_ACCEPTED, made, candidates, _not_muted())
    _tell_mailing(session, ids)


def notify_moderation(
    user_id: int,
    actor: User,
    message: str,
    *,
    thread: Thread | None = None,
    post: Post | None = None,
) -> Notification | None:
    """Tell a member about a moderation decision on their post or account (inside the
    caller's write transaction); None when they are not an approved member (or are the
    moderator). Muting does not silence these. A later decision about the same post
    replaces the earlier one, unread again."""
    with write_transaction() as session:
        if user_id == actor.id or not _is_listed(session, user_id):
            return None
        if post is not None:
            thread = thread or post.thread
        values = _snapshot(user_id, Kind.MODERATION, actor.id, actor.name, thread, post)
        values["message"] = message
        statement = _insert(session).values(values)
        if post is not None:
            changed = {k: statement.excluded[k] for k in ("actor_id", "actor_name", "message")}
            statement = statement.on_conflict_do_update(
                index_elements=[Notification.user_id, Notification.kind, Notification.post_id],
                set_={
                    **changed,
                    "created_at": values["created_at"],
                    "read_at": None,
                    "emailed_at": None,
                },
            )
        notification = session.scalars(
            statement.returning(Notification), execution_options={"populate_existing": True}
        ).one()
        mailing.notification_created(notification)
    return notification


def mark_read(user_id: int, notification_id: int) -> bool:
    """The member has seen one of their notifications; False when it is not theirs."""
    with write_transaction() as session:
        mine = session.scalar(
            select(Notification.id).where(
                Notification.id == notification_id, Notification.user_id == user_id
            )
        )
        if mine is None:
            return False
        session.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.read_at.is_(None))
            .values(read_at=clock.now())
        )
        after_commit(_recount_header)
    return True


def mark_all_read(user_id: int) -> int:
    """Every unread notification of the member is read now; returns how many were unread."""
    with write_transaction() as session:
        result = session.execute(
            update(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            .values(read_at=clock.now())
        )
        after_commit(_recount_header)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def open_notification(user_id: int, notification_id: int) -> tuple[int | None, int | None] | None:
    """Mark the member's notification read and say where it leads: (post id, thread id);
    None when there is no such notification of theirs."""
    with write_transaction() as session:
        notification = session.scalars(
            select(Notification).where(
                Notification.id == notification_id, Notification.user_id == user_id
            )
        ).first()
        if notification is None:
            return None
        if notification.read_at is None:
            notification.read_at = clock.now()
            after_commit(_recount_header)
        return notification.post_id, notification.thread_id


def mark_read_in_thread(session: Session, user_id: int, thread_id: int, up_to: int) -> None:
    """(Inside reading's transaction.) The member has read a thread up to post ``up_to``:
    what they were notified of there is read too."""
    _mark_read_where(
        session, user_id, Notification.thread_id == thread_id, Notification.post_number <= up_to
    )


def mark_read_in_theme(session: Session, user_id: int, theme_id: int) -> None:
    """(Inside reading's transaction.) The member marked a whole theme read."""
    threads = select(Thread.id).where(Thread.theme_id == theme_id)
    _mark_read_where(session, user_id, Notification.thread_id.in_(threads))


def _mark_read_where(session: Session, user_id: int, *where: ColumnElement[bool]) -> None:
    # A moderator's decision has words of its own to read, and an accepted answer is news
    # about one's own (long read) post: reading the thread is not enough for either.
    result = session.execute(
        update(Notification)
        .where(
            Notification.user_id == user_id,
            Notification.read_at.is_(None),
            Notification.kind.not_in((Kind.MODERATION, Kind.ANSWER_ACCEPTED)),
            *where,
        )
        .values(read_at=clock.now())
    )
    if result.rowcount:  # type: ignore[attr-defined]
        after_commit(_recount_header)


def _recount_header() -> None:
    g.pop(HEADER_COUNT, None)


def purge_read_notifications() -> int:
    """(Periodic.) Delete read notifications older than COMMUNITY_NOTIFICATION_KEEP_DAYS."""
    days = int(current_app.config["COMMUNITY_NOTIFICATION_KEEP_DAYS"])
    cutoff = clock.now() - timedelta(days=days)
    with write_transaction() as session:
        result = session.execute(
            delete(Notification).where(
                Notification.read_at.is_not(None), Notification.created_at < cutoff
            )
        )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# --- who -------------------------------------------------------------------------------------

Plan = tuple[Kind, Select[Any], ColumnElement[bool]]


def _plans(post: Post, thread: Thread, mentions_only: bool) -> Iterable[Plan]:
    """Per kind, most specific first: who might get it, and the level that lets them."""
    yield Kind.MENTION, select(Mention.user_id).where(Mention.post_id == post.id), _not_muted()
    if mentions_only:
        return
    answered = _answered_numbers(post)
    if answered:
        authors = select(Post.author_id).where(
            Post.thread_id == thread.id, Post.number.in_(answered)
        )
        yield Kind.REPLY, authors, _not_muted()
    watching = effective_level_column() == WatchLevel.WATCHING.value
    theme_watchers = select(ThemeWatch.user_id).where(
        ThemeWatch.theme_id == thread.theme_id, ThemeWatch.level == WatchLevel.WATCHING
    )
    if post.number == 1:
        yield Kind.WATCHED_THREAD, theme_watchers, watching
    else:
        thread_watchers = select(ThreadWatch.user_id).where(
            ThreadWatch.thread_id == thread.id, ThreadWatch.level == WatchLevel.WATCHING
        )
        yield (
            Kind.WATCHED_POST,
            union(thread_watchers, theme_watchers).subquery().select(),
            watching,
        )


def _answered_numbers(post: Post) -> list[int]:
    """The earlier posts this one answers: its reply_to_number and the posts it quotes."""
    numbers = {int(n) for n in QUOTED.findall(post.body)[:MOST_QUOTED] if len(n) < 9}
    if post.reply_to_number is not None:
        numbers.add(post.reply_to_number)
    return sorted(n for n in numbers if 1 <= n < post.number)


def _not_muted() -> ColumnElement[bool]:
    return effective_level_column() != WatchLevel.MUTED.value


def _insert_notifications(
    session: Session,
    kind: Kind,
    made: _Made,
    candidates: Select[Any],
    wanted: ColumnElement[bool],
) -> list[int]:
    """Notify, in one INSERT ... SELECT, the candidates who are listed members other than
    the actor, whose level for the thread is ``wanted`` and who have no notification of the
    post yet (a more specific kind, stored first, or an earlier run); their new rows' ids.

    The database does it all, however many there are: no row goes through Python.
    """
    thread, post = made.thread, made.post
    already = exists().where(
        Notification.user_id == Member.user_id,
        Notification.post_id == post.id,
        Notification.kind != Kind.MODERATION,
    )
    rows = (
        select(Member.user_id, *made.columns(kind))
        .join(User, User.id == Member.user_id)
        .outerjoin(
            ThreadWatch,
            (ThreadWatch.user_id == Member.user_id) & (ThreadWatch.thread_id == thread.id),
        )
        .outerjoin(
            ThemeWatch,
            (ThemeWatch.user_id == Member.user_id) & (ThemeWatch.theme_id == thread.theme_id),
        )
        .where(Member.user_id.in_(candidates), listed(), wanted, ~already)
    )
    if made.actor_id is not None:
        rows = rows.where(Member.user_id != made.actor_id)
    statement = (
        _insert(session)
        .from_select(["user_id", *_Made.COLUMNS], rows)
        .on_conflict_do_nothing(
            index_elements=[Notification.user_id, Notification.kind, Notification.post_id]
        )
        .returning(Notification.id)
    )
    return list(session.scalars(statement))


def _is_listed(session: Session, user_id: int) -> bool:
    statement = select(Member.user_id).join(User, User.id == Member.user_id)
    return session.scalar(statement.where(Member.user_id == user_id, listed())) is not None


# --- storing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Made:
    """Who did what where: the snapshot every notification of one event carries."""

    actor_id: int | None
    actor_name: str
    thread: Thread
    post: Post

    COLUMNS = (
        "kind",
        "actor_id",
        "actor_name",
        "thread_id",
        "thread_title",
        "post_id",
        "post_number",
        "message",
        "created_at",
    )

    def columns(self, kind: Kind) -> tuple[ColumnElement[Any], ...]:
        """The snapshot as constant columns of an INSERT ... SELECT, in COLUMNS' order."""
        return (
            literal(kind.value, String()),
            literal(self.actor_id, Integer()),
            literal(self.actor_name[:ACTOR_NAME_LENGTH], String()),
            literal(self.thread.id, Integer()),
            literal(self.thread.title, String()),
            literal(self.post.id, Integer()),
            literal(self.post.number, Integer()),
            literal("", String()),
            literal(clock.now(), UTCDateTime()),
        )


def _tell_mailing(session: Session, ids: list[int]) -> None:
    """Hand every notification just stored to ``mailing``, read back BATCH at a time."""
    for start in range(0, len(ids), BATCH):
        wanted = Notification.id.in_(ids[start : start + BATCH])
        for notification in session.scalars(
            select(Notification).where(wanted).order_by(Notification.id)
        ):
            mailing.notification_created(notification)


def _snapshot(
    user_id: int,
    kind: Kind,
    actor_id: int | None,
    actor_name: str,
    thread: Thread | None,
    post: Post | None,
) -> dict[str, Any]:
    """A moderation notification's row: who, where, and the words that stay as they were."""
    return {
        "user_id": user_id,
        "kind": kind,
        "actor_id": actor_id,
        "actor_name": actor_name[:ACTOR_NAME_LENGTH],
        "thread_id": thread.id if thread else None,
        "thread_title": thread.title if thread else "",
        "post_id": post.id if post else None,
        "post_number": post.number if post else None,
        "message": "",
        "created_at": clock.now(),
    }


def _insert(session: Session) -> Any:
    """INSERT for the session's database, which both speak ON CONFLICT for."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(Notification)

"""Reads for the discussion pages, each a fixed number of statements whatever the size.

Lists never count posts: a thread's ``post_count`` is also its last post number, and a
member's read state is one number per thread, so "unread" is a subtraction. Authors, their
handles and avatars come in the same statement as the posts or threads they wrote.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import aliased

from kispub.accounts.models import User
from kispub.community.directory import listed
from kispub.community.initials import initials, tone
from kispub.community.models import (
    Member,
    Post,
    PostRevision,
    ReadState,
    ThemeActivity,
    ThemeWatch,
    Thread,
    ThreadWatch,
    WatchLevel,
)
from kispub.community.services.watching import effective_level_column
from kispub.core import clock
from kispub.extensions import db
from kispub.themes.models import Theme

# A thread list names two people per thread: made once, as building aliases per query costs
# more than running it.
_AUTHOR, _AUTHOR_MEMBER = aliased(User, name="author"), aliased(Member, name="author_member")
_POSTER, _POSTER_MEMBER = aliased(User, name="poster"), aliased(Member, name="poster_member")


@dataclass(frozen=True)
class Person:
    """Who wrote something, as lists show them."""

    user_id: int
    name: str
    handle: str | None  # None: no membership (any more)
    avatar_key: str | None

    # What templates/community/_avatar.html needs, as on the directory's member cards.
    @property
    def has_avatar(self) -> bool:
        return self.avatar_key is not None and self.handle is not None

    @property
    def initials(self) -> str:
        return initials(self.name)

    @property
    def tone(self) -> int:
        return tone(self.handle or self.name)


@dataclass(frozen=True)
class ThreadRow:
    """A thread in a theme's list, with the reader's read number (None: never opened)."""

    thread: Thread
    author: Person | None
    last_poster: Person | None
    last_read_number: int | None
    muted: bool = False  # the member mutes the thread (or its theme): nothing counts as unread


@dataclass(frozen=True)
class PostRow:
    """A post with its author."""

    post: Post
    author: Person | None


def unread_floor(member: Member) -> datetime:
    """Nothing older than this counts as unread: the approval, or COMMUNITY_UNREAD_DAYS ago."""
    days = int(current_app.config["COMMUNITY_UNREAD_DAYS"])
    approved = member.approved_at or member.created_at
    return max(approved, clock.now() - timedelta(days=days))


def themes_with_activity() -> list[tuple[Theme, ThemeActivity | None, str | None]]:
    """Every theme in order, with its counters and the title of its latest thread."""
    latest = aliased(Thread)
    statement = (
        select(Theme, ThemeActivity, latest.title)
        .outerjoin(ThemeActivity, ThemeActivity.theme_id == Theme.id)
        .outerjoin(
            latest, and_(latest.id == ThemeActivity.last_thread_id, latest.hidden_at.is_(None))
        )
        .order_by(Theme.position, Theme.name)
    )
    return [(t, a, title) for t, a, title in db.session.execute(statement)]


def unread_threads_per_theme(user_id: int, floor: datetime) -> dict[int, int]:
    """How many threads per theme have posts the member has not read (threads, not posts);
    threads the member mutes, or whose theme they mute, do not count."""
    statement = (
        select(Thread.theme_id, func.count())
        .outerjoin(ReadState, _read_state_of(user_id))
        .outerjoin(ThreadWatch, _thread_watch_of(user_id))
        .outerjoin(ThemeWatch, _theme_watch_of(user_id))
        .where(
            effective_level_column() != WatchLevel.MUTED.value,
            Thread.hidden_at.is_(None),
            Thread.held_at.is_(None),
            Thread.last_post_at > floor,
            or_(
                ReadState.last_read_number.is_(None), ReadState.last_read_number < Thread.post_count
            ),
        )
        .group_by(Thread.theme_id)
    )
    return dict(db.session.execute(statement).all())


def threads_in_theme(theme_id: int, user_id: int, offset: int, limit: int) -> list[ThreadRow]:
    """One page of a theme's threads, pinned ones first, then by latest activity, with
    authors and read state. A held thread shows to its author only."""
    author, author_member, poster, poster_member = _AUTHOR, _AUTHOR_MEMBER, _POSTER, _POSTER_MEMBER
    statement = (
        select(
            Thread,
            *_person_columns(author, author_member),
            *_person_columns(poster, poster_member),
            ReadState.last_read_number,
            effective_level_column(),
        )
        .outerjoin(author, author.id == Thread.author_id)
        .outerjoin(author_member, author_member.user_id == Thread.author_id)
        .outerjoin(poster, poster.id == Thread.last_poster_id)
        .outerjoin(poster_member, poster_member.user_id == Thread.last_poster_id)
        .outerjoin(ReadState, _read_state_of(user_id))
        .outerjoin(ThreadWatch, _thread_watch_of(user_id))
        .outerjoin(ThemeWatch, _theme_watch_of(user_id))
        .where(Thread.theme_id == theme_id, Thread.hidden_at.is_(None), _published(user_id))
        .order_by(Thread.pinned_at.is_(None), Thread.last_post_at.desc(), Thread.id.desc())
        .offset(offset)
        .limit(limit)
    )
    rows = []
    for row in db.session.execute(statement):
        thread = row[0]
        muted = row[10] == WatchLevel.MUTED.value
        rows.append(ThreadRow(thread, _person(row[1:5]), _person(row[5:9]), row[9], muted))
    return rows


def theme_activity(theme_id: int) -> ThemeActivity | None:
    """A theme's counters (None before its first thread)."""
    return db.session.get(ThemeActivity, theme_id)


def thread_for_reader(
    thread_id: int, user_id: int
) -> tuple[Thread, Theme, int | None, int | None] | None:
    """A visible thread, its theme, how far the member has read it, and the highest number
    of the member's own held posts in it (held posts may lie beyond ``post_count``)."""
    own_held = (
        select(func.max(Post.number))
        .where(Post.thread_id == Thread.id, Post.author_id == user_id, Post.held_at.is_not(None))
        .scalar_subquery()
    )
    statement = (
        select(Thread, Theme, ReadState.last_read_number, own_held)
        .join(Theme, Theme.id == Thread.theme_id)
        .outerjoin(ReadState, _read_state_of(user_id))
        .where(Thread.id == thread_id, Thread.hidden_at.is_(None), _published(user_id))
    )
    row = db.session.execute(statement).first()
    return None if row is None else (row[0], row[1], row[2], row[3])


def thread_with_theme(thread_id: int) -> tuple[Thread, Theme] | None:
    """A visible thread and its theme."""
    statement = (
        select(Thread, Theme)
        .join(Theme, Theme.id == Thread.theme_id)
        .where(Thread.id == thread_id, Thread.hidden_at.is_(None))
    )
    row = db.session.execute(statement).first()
    return None if row is None else (row[0], row[1])


def posts_numbered(
    thread_id: int, first: int, last: int, viewer_id: int | None = None
) -> list[PostRow]:
    """The thread's posts numbered ``first`` to ``last``, with their authors, in order.

    Held posts (pre-moderation) are left out, except the viewer's own.
    """
    held_shown = or_(Post.held_at.is_(None), Post.author_id == viewer_id)
    statement = (
        select(Post, *_person_columns(User, Member))
        .outerjoin(User, User.id == Post.author_id)
        .outerjoin(Member, Member.user_id == Post.author_id)
        .where(Post.thread_id == thread_id, Post.number.between(first, last), held_shown)
        .order_by(Post.number)
    )
    return [PostRow(row[0], _person(row[1:5])) for row in db.session.execute(statement)]


def post_with_author(thread_id: int, number: int) -> PostRow | None:
    """One post of a thread by its number."""
    rows = posts_numbered(thread_id, number, number)
    return rows[0] if rows else None


def post_place(post_id: int) -> tuple[int, int] | None:
    """The thread and number of a post in a visible thread."""
    statement = (
        select(Post.thread_id, Post.number)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Post.id == post_id, Thread.hidden_at.is_(None))
    )
    row = db.session.execute(statement).first()
    return None if row is None else (row[0], row[1])


def post_in_visible_thread(post_id: int) -> tuple[Post, Thread] | None:
    """A post and its thread, when the thread is visible."""
    statement = (
        select(Post, Thread)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Post.id == post_id, Thread.hidden_at.is_(None))
    )
    row = db.session.execute(statement).first()
    return None if row is None else (row[0], row[1])


def first_unread_number(thread_id: int, read_number: int, floor: datetime) -> int | None:
    """The first post after ``read_number`` that is newer than the unread floor."""
    statement = select(func.min(Post.number)).where(
        Post.thread_id == thread_id,
        Post.number > read_number,
        Post.created_at > floor,
        Post.held_at.is_(None),
    )
    return db.session.scalar(statement)


def revisions_of(post_id: int) -> list[PostRevision]:
    """A post's earlier texts, newest first."""
    statement = (
        select(PostRevision)
        .where(PostRevision.post_id == post_id)
        .order_by(PostRevision.replaced_at.desc(), PostRevision.id.desc())
    )
    return list(db.session.scalars(statement))


def _published(user_id: int) -> ColumnElement[bool]:
    """A thread others may see: not held for a moderator (its author sees it anyway)."""
    return or_(Thread.held_at.is_(None), Thread.author_id == user_id)


def _read_state_of(user_id: int) -> ColumnElement[bool]:
    return and_(ReadState.thread_id == Thread.id, ReadState.user_id == user_id)


def _thread_watch_of(user_id: int) -> ColumnElement[bool]:
    return and_(ThreadWatch.thread_id == Thread.id, ThreadWatch.user_id == user_id)


def _theme_watch_of(user_id: int) -> ColumnElement[bool]:
    return and_(ThemeWatch.theme_id == Thread.theme_id, ThemeWatch.user_id == user_id)


def _person_columns(user: type[User], member: type[Member]) -> tuple[Any, ...]:
    # Only a listed member has a profile to link to and a photo to show; others (declined,
    # suspended, deactivated) appear by name alone.
    shown = listed(member, user)
    return (user.id, user.name, case((shown, member.handle)), case((shown, member.avatar_key)))


def _person(values: Sequence[Any]) -> Person | None:
    user_id, name, handle, avatar_key = values
    if user_id is None:
        return None
    return Person(user_id, name, handle, avatar_key)

"""What the moderation pages about one thing show: a post to report (members), and a
thread, a post or a member to moderate (moderators), each with its moderation history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import func, or_, select

from kispub.accounts.models import Role, User
from kispub.community.models import (
    Flag,
    Member,
    MemberStatus,
    Post,
    TargetKind,
    Thread,
)
from kispub.community.moderation_queries import FORMER_MEMBER, LogEntry, excerpt, history
from kispub.community.pages import NotFound
from kispub.community.services.flagging import flaggable
from kispub.core import clock
from kispub.extensions import db
from kispub.themes.models import Theme

MEMBER_RESULTS = 50


@dataclass(frozen=True)
class FlagPage:
    """A post a member is about to report."""

    post_id: int
    number: int
    thread_id: int
    thread_title: str
    author_name: str
    excerpt: str
    already_flagged: bool


def flag_page(user: User, post_id: int) -> FlagPage:
    """The post to report; NotFound unless the member may report it."""
    row = db.session.execute(
        select(Post, User.name).outerjoin(User, User.id == Post.author_id).where(Post.id == post_id)
    ).first()
    if row is None or not flaggable(row[0], user):
        raise NotFound(post_id)
    post, author_name = row[0], row[1]
    flagged = db.session.scalar(
        select(Flag.id).where(Flag.post_id == post.id, Flag.user_id == user.id)
    )
    return FlagPage(
        post.id,
        post.number,
        post.thread_id,
        post.thread.title,
        author_name or FORMER_MEMBER,
        excerpt(post.body),
        flagged is not None,
    )


@dataclass(frozen=True)
class ThemeChoice:
    """A theme a thread can move to."""

    id: int
    name: str


@dataclass(frozen=True)
class ThreadModeration:
    """A thread as its moderation page shows it."""

    id: int
    title: str
    theme_id: int
    theme_name: str
    theme_slug: str
    author_id: int | None
    author_name: str
    post_count: int
    pinned: bool
    locked: bool
    lock_reason: str
    hidden: bool
    held: bool
    themes: tuple[ThemeChoice, ...]  # the other themes
    history: tuple[LogEntry, ...]


def thread_moderation(thread_id: int) -> ThreadModeration:
    """Any thread (hidden or held too) with its state and history; NotFound if none."""
    row = db.session.execute(
        select(Thread, Theme, User.name)
        .join(Theme, Theme.id == Thread.theme_id)
        .outerjoin(User, User.id == Thread.author_id)
        .where(Thread.id == thread_id)
    ).first()
    if row is None:
        raise NotFound(thread_id)
    thread, theme, author_name = row[0], row[1], row[2]
    themes = db.session.execute(
        select(Theme.id, Theme.name)
        .where(Theme.id != theme.id)
        .order_by(Theme.position, Theme.name)
    ).all()
    return ThreadModeration(
        id=thread.id,
        title=thread.title,
        theme_id=theme.id,
        theme_name=theme.name,
        theme_slug=theme.slug,
        author_id=thread.author_id,
        author_name=author_name or FORMER_MEMBER,
        post_count=thread.post_count,
        pinned=thread.pinned_at is not None,
        locked=thread.locked_at is not None,
        lock_reason=thread.lock_reason,
        hidden=thread.hidden_at is not None,
        held=thread.held_at is not None,
        themes=tuple(ThemeChoice(t_id, name) for t_id, name in themes),
        history=tuple(history((TargetKind.THREAD, thread.id))),
    )


@dataclass(frozen=True)
class PostModeration:
    """A post as its moderation page shows it."""

    id: int
    number: int
    html: Markup
    created_at: datetime
    edited_at: datetime | None
    hidden: bool
    deleted: bool
    held: bool
    thread_id: int
    thread_title: str
    thread_hidden: bool
    author_id: int | None
    author_name: str
    history: tuple[LogEntry, ...]


def post_moderation(post_id: int) -> PostModeration:
    """Any post with its state and history; NotFound if none."""
    row = db.session.execute(
        select(Post, User.name).outerjoin(User, User.id == Post.author_id).where(Post.id == post_id)
    ).first()
    if row is None:
        raise NotFound(post_id)
    post, author_name = row[0], row[1]
    thread = post.thread
    return PostModeration(
        id=post.id,
        number=post.number,
        html=Markup(post.html),  # noqa: S704 - sanitised when written
        created_at=post.created_at,
        edited_at=post.edited_at,
        hidden=post.hidden_at is not None,
        deleted=post.deleted_at is not None,
        held=post.held_at is not None,
        thread_id=thread.id,
        thread_title=thread.title,
        thread_hidden=thread.hidden_at is not None,
        author_id=post.author_id,
        author_name=author_name or FORMER_MEMBER,
        history=tuple(history((TargetKind.POST, post.id))),
    )


@dataclass(frozen=True)
class MemberRow:
    """A member in the moderators' list."""

    user_id: int
    name: str
    handle: str
    status: MemberStatus
    silenced_until: datetime | None  # only while it lasts


@dataclass(frozen=True)
class MembersPage:
    """Members who are silenced or suspended now, and those matching a search."""

    restricted: tuple[MemberRow, ...]
    query: str
    found: tuple[MemberRow, ...]


def members_page(query: str) -> MembersPage:
    """The restricted members, and (with ``query``) members by name, handle or address."""
    now = clock.now()
    restricted = _member_rows(
        or_(Member.status == MemberStatus.SUSPENDED, Member.silenced_until > now), now
    )
    query = " ".join(query.split())[:100]
    found: list[MemberRow] = []
    if query:
        needle = query.lower()
        found = _member_rows(
            or_(
                func.lower(User.name).contains(needle, autoescape=True),
                func.lower(Member.handle).contains(needle, autoescape=True),
                func.lower(User.email).contains(needle, autoescape=True),
            ),
            now,
        )
    return MembersPage(tuple(restricted), query, tuple(found))


def _member_rows(condition: object, now: datetime) -> list[MemberRow]:
    statement = (
        select(Member.user_id, User.name, Member.handle, Member.status, Member.silenced_until)
        .join(User, User.id == Member.user_id)
        .where(condition)  # type: ignore[arg-type]
        .order_by(User.name, Member.user_id)
        .limit(MEMBER_RESULTS)
    )
    return [
        MemberRow(uid, name, handle, status, until if until and until > now else None)
        for uid, name, handle, status, until in db.session.execute(statement)
    ]


@dataclass(frozen=True)
class MemberModeration:
    """A member as their moderation page shows them."""

    user_id: int
    name: str
    handle: str
    email: str
    status: MemberStatus
    active: bool
    staff: bool  # moderators, editors and admins are not restricted here
    silenced_until: datetime | None  # only while it lasts
    post_count: int
    history: tuple[LogEntry, ...]


def member_moderation(user_id: int) -> MemberModeration:
    """A member with their restrictions and every moderation entry about them."""
    member = db.session.get(Member, user_id)
    if member is None:
        raise NotFound(user_id)
    now = clock.now()
    until = member.silenced_until
    posts = db.session.scalar(select(func.count(Post.id)).where(Post.author_id == user_id))
    return MemberModeration(
        user_id=member.user_id,
        name=member.user.name,
        handle=member.handle,
        email=member.user.email,
        status=member.status,
        active=member.user.active,
        staff=member.user.has_role(Role.MODERATOR),
        silenced_until=until if until and until > now else None,
        post_count=posts or 0,
        history=tuple(history(subject_id=user_id)),
    )

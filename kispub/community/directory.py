"""Reads for profiles and the member directory, gathered into frozen page objects.

Only approved members with an active account are ever listed, shown or findable: people
still on their way in, declined, suspended or deactivated are absent everywhere here.
Each page runs the same few queries whatever the number of members.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from kispub.accounts.models import User
from kispub.community.initials import initials, tone
from kispub.community.models import Member, MemberStatus, Post, Thread
from kispub.core.markdown import render_markdown
from kispub.core.text import clean_line
from kispub.extensions import db
from kispub.themes.models import Theme
from kispub.themes.services import all_themes, theme_by_slug

MAX_PAGE = 10_000  # beyond this an offset only risks overflowing the database's integer
QUERY_MAX = 100  # characters of a directory query that are used
TERMS_MAX = 5  # words of a directory query that are used
MENTIONS_MAX = 10


class UnknownTheme(LookupError):
    """The theme filter names a theme that does not exist."""


@dataclass(frozen=True)
class MemberCard:
    """A member as lists show them: name, organisation, role, photo or initials, themes."""

    user_id: int
    handle: str
    name: str
    organisation: str | None
    role: str | None
    initials: str
    tone: int  # which of the initials' background colours (avatar-tone-0 to -5)
    has_avatar: bool
    themes: tuple[Theme, ...]


@dataclass(frozen=True)
class Directory:
    """One page of the member directory, with the filters that made it."""

    cards: tuple[MemberCard, ...]
    query: str
    theme: Theme | None
    themes: list[Theme]
    page: int
    has_next: bool
    total: int


@dataclass(frozen=True)
class ProfilePage:
    """A member's profile page."""

    card: MemberCard
    bio: Markup
    member_since: datetime
    post_count: int
    is_own: bool


def card(member: Member) -> MemberCard:
    """The card of a member whose user (joined) and themes are loaded."""
    user = member.user
    return MemberCard(
        user_id=member.user_id,
        handle=member.handle,
        name=user.name,
        organisation=user.organisation,
        role=member.field_role.label if member.field_role else None,
        initials=initials(user.name),
        tone=tone(member.handle),
        has_avatar=member.avatar_key is not None,
        themes=tuple(sorted(member.themes, key=lambda theme: (theme.position, theme.name))),
    )


def listed(member: type[Member] = Member, user: type[User] = User) -> ColumnElement[bool]:
    """Who may be seen (in the directory, and linked from posts): approved members with an
    active account. ``member`` and ``user`` may be aliases."""
    return and_(member.status == MemberStatus.APPROVED, user.active.is_(True))


def _members() -> Select[Member]:
    # contains_eager: the user comes from this join, not from a second eager one.
    return select(Member).join(Member.user).options(contains_eager(Member.user)).where(listed())


def directory(query: str, theme_slug: str | None, page: int, per_page: int) -> Directory:
    """Members matching every word of ``query`` (name, organisation, handle) and the theme."""
    theme = None
    if theme_slug:
        theme = theme_by_slug(theme_slug)
        if theme is None:
            raise UnknownTheme(theme_slug)
    query = " ".join(clean_line(query).split())[:QUERY_MAX]
    page = min(max(page, 1), MAX_PAGE)
    conditions = [_word_matches(word) for word in query.split()[:TERMS_MAX]]
    if theme is not None:
        conditions.append(Member.themes.any(Theme.id == theme.id))
    statement = _members().where(*conditions)
    total = db.session.scalar(statement.with_only_columns(func.count()).order_by(None)) or 0
    rows = db.session.scalars(
        statement.options(selectinload(Member.themes))
        .order_by(func.lower(User.name), Member.user_id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    cards = tuple(card(member) for member in rows)
    has_next = page * per_page < total
    return Directory(cards, query, theme, all_themes(), page, has_next, total)


def _word_matches(word: str) -> ColumnElement[bool]:
    """One word of the query, found in the name, the organisation or the handle."""
    word = word.lower()
    return or_(
        func.lower(User.name).contains(word, autoescape=True),
        func.lower(func.coalesce(User.organisation, "")).contains(word, autoescape=True),
        func.lower(Member.handle).contains(word, autoescape=True),
    )


def listed_member(handle: str) -> Member | None:
    """The approved, active member with this handle (in any letter case), or None."""
    statement = _members().where(func.lower(Member.handle) == handle.lower())
    return db.session.scalars(statement).first()


def profile_page(handle: str, viewer_id: int) -> ProfilePage | None:
    """A listed member's profile; None for anyone else."""
    member = listed_member(handle)
    if member is None:
        return None
    return ProfilePage(
        card=card(member),
        bio=render_markdown(member.bio),
        member_since=member.approved_at or member.created_at,
        post_count=visible_post_count(member.user_id),
        is_own=member.user_id == viewer_id,
    )


def visible_post_count(user_id: int) -> int:
    """How many of the member's posts others can read (not deleted, not hidden)."""
    statement = (
        select(func.count(Post.id))
        .join(Post.thread)
        .where(
            Post.author_id == user_id,
            Post.deleted_at.is_(None),
            Post.hidden_at.is_(None),
            Post.held_at.is_(None),
            Thread.hidden_at.is_(None),
        )
    )
    return db.session.scalar(statement) or 0


def avatar_key(handle: str) -> str | None:
    """The stored photo of a listed member, or None."""
    statement = (
        select(Member.avatar_key)
        .join(Member.user)
        .where(listed(), func.lower(Member.handle) == handle.lower())
    )
    return db.session.scalar(statement)


def mention_candidates(query: str) -> list[dict[str, str]]:
    """Members for an @mention: handle starting with, or name containing, the query."""
    query = clean_line(query).strip().lstrip("@").lower()[:QUERY_MAX]
    if not query:
        return []
    statement = (
        select(Member.handle, User.name)
        .join(Member.user)
        .where(
            listed(),
            or_(
                func.lower(Member.handle).startswith(query, autoescape=True),
                func.lower(User.name).contains(query, autoescape=True),
            ),
        )
        .order_by(func.lower(Member.handle))
        .limit(MENTIONS_MAX)
    )
    return [{"handle": handle, "name": name} for handle, name in db.session.execute(statement)]


def avatar_keys() -> list[str]:
    """Every stored photo a member references (for the media garbage collector)."""
    statement = select(Member.avatar_key).where(Member.avatar_key.is_not(None))
    return [key for key in db.session.scalars(statement) if key]

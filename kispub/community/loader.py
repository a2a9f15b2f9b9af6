"""The community's sections of content files: [[community_members]] and [[community_threads]].

``[[community_members]]`` gives accounts that exist (from a ``[[users]]`` section) their
community profile: role in the field, bio, themes of interest and, for demo content, the
date they became a member. ``[[community_threads]]`` is upserted by (theme, title).

Each thread names its theme by slug and its authors by e-mail address (accounts that exist,
for instance from a ``[[users]]`` section earlier in the same file). Replies are matched by
position: a reply that is already there is edited only when its text changed, a new one is
appended. So loading a file twice changes nothing the second time. Loading goes through the
posting services, with their limits off (a content file is set-up, not a member typing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from kispub.accounts.models import User
from kispub.accounts.services import find_user_by_email
from kispub.community.models import FieldRole, Member, Post, Thread
from kispub.community.services.posting import (
    NewThread,
    accept_answer,
    checked_title,
    edit_post,
    reply,
    start_thread,
)
from kispub.core.database import write_transaction
from kispub.extensions import db
from kispub.themes.models import Theme
from kispub.themes.services import theme_by_slug

Items = list[dict[str, Any]]
LOCAL = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True)
class Written:
    """One post as the file has it: who wrote what, and when (None: at loading time)."""

    author: User
    body: str
    created: datetime | None


def load_community_members(items: Items, base: Path) -> int:
    """[[community_members]] email, field_role, bio, themes (slugs), member_since.

    Returns how many profiles changed. ``member_since`` moves the approval back in time, so a
    demo member sees the demo's threads as unread (nothing older than approval is).
    """
    return sum(_load_member(item) for item in items)


def _load_member(item: dict[str, Any]) -> int:
    label = f"lid '{item.get('email', '?')}'"
    try:
        user = _author({"author": item["email"]})
        role = FieldRole(item["field_role"]) if item.get("field_role") else None
        themes = [_theme(slug) for slug in item.get("themes", [])]
        since = _moment(item.get("member_since"))
    except KeyError as error:
        raise ValueError(f"{label}: veld {error} ontbreekt") from error
    except ValueError as error:
        raise ValueError(f"{label}: {error}") from error
    with write_transaction() as session:
        member = session.get(Member, user.id)
        if member is None or not member.is_approved:
            raise ValueError(f"{label}: geen goedgekeurd lid")
        before = _profile(member)
        member.field_role, member.bio = role, str(item.get("bio", "")).strip()
        member.themes = themes
        if since is not None:
            member.approved_at = member.verified_at = member.created_at = since
        return int(before != _profile(member))


def _profile(member: Member) -> tuple[object, ...]:
    themes = frozenset(theme.id for theme in member.themes)
    return member.field_role, member.bio, themes, member.approved_at


def _theme(slug: str) -> Theme:
    theme = theme_by_slug(slug)
    if theme is None:
        raise ValueError(f"onbekend thema '{slug}'")
    return theme


def load_community_threads(items: Items, base: Path) -> int:
    """[[community_threads]] theme, title, author, body, question, created, accepted, replies.

    Returns how many threads were created or changed. An error names the thread it is in.
    """
    return sum(_load_labelled(item) for item in items)


def _load_labelled(item: dict[str, Any]) -> int:
    label = f"onderwerp '{item.get('title', '?')}'"
    try:
        return _load_thread(item)
    except KeyError as error:
        raise ValueError(f"{label}: veld {error} ontbreekt") from error
    except ValueError as error:  # PostingError is one too
        raise ValueError(f"{label}: {error}") from error


def _load_thread(item: dict[str, Any]) -> int:
    """Create the thread or bring it in line with the file; 1 when anything changed."""
    theme, title = _theme(item["theme"]), checked_title(item["title"])
    # Everything is read and checked before the first write.
    opening = Written(_author(item), item["body"].strip(), _moment(item.get("created")))
    replies = [
        Written(_author(r), r["body"].strip(), _moment(r.get("created")))
        for r in item.get("replies", [])
    ]
    accepted = _accepted(item, len(replies))
    with write_transaction():  # one thread at a time, whole or not at all
        question = bool(item.get("question", False))
        return _write_thread(theme.id, title, question, opening, replies, accepted)


def _write_thread(
    theme_id: int,
    title: str,
    question: bool,
    opening: Written,
    replies: list[Written],
    accepted: int | None,
) -> int:
    thread = _thread(theme_id, title)
    changed = False
    if thread is None:
        new = NewThread(theme_id, title, opening.body, question)
        thread = start_thread(opening.author, new, at=opening.created, limits=False)
        changed = True
    posts = _posts(thread.id)
    for number, written in enumerate([opening, *replies], start=1):
        changed |= _upsert_post(thread, posts.get(number), written)
    if accepted is not None and accepted != thread.accepted_number:
        accept_answer(opening.author, thread.id, accepted)
        changed = True
    return int(changed)


def _upsert_post(thread: Thread, post: Post | None, written: Written) -> bool:
    """Append the post, or edit it when its text differs; whether anything changed."""
    if post is None:
        reply(written.author, thread.id, written.body, at=written.created, limits=False)
        return True
    if post.deleted_at is not None or post.body.strip() == written.body:
        return False  # a post its author deleted on the site stays deleted
    edit_post(post.author or written.author, post.id, written.body)
    return True


def _author(item: dict[str, Any]) -> User:
    email = item["author"]
    user = find_user_by_email(email)
    if user is None:
        raise ValueError(f"onbekende auteur '{email}'")
    return user


def _accepted(item: dict[str, Any], reply_count: int) -> int | None:
    """The number of the accepted answer: a reply (2 or higher) in a question thread."""
    accepted = item.get("accepted")
    if accepted is None:
        return None
    if not item.get("question", False):
        raise ValueError("accepted kan alleen bij question = true")
    if not isinstance(accepted, int) or not 2 <= accepted <= reply_count + 1:
        raise ValueError(f"accepted = {accepted!r}: kies het nummer van een reactie (2 of hoger)")
    return accepted


def _moment(value: Any) -> datetime | None:
    """A TOML date-time or an ISO 8601 string; without an offset it is Amsterdam time."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"created = {value!r}: verwacht een datum met tijd") from None
    if not isinstance(value, datetime):
        raise ValueError(
            f"created = {value!r}: verwacht een datum met tijd, zoals 2026-11-03T09:30"
        )
    return value if value.tzinfo else value.replace(tzinfo=LOCAL)


def _thread(theme_id: int, title: str) -> Thread | None:
    statement = select(Thread).where(Thread.theme_id == theme_id, Thread.title == title)
    return db.session.scalars(statement.order_by(Thread.id)).first()


def _posts(thread_id: int) -> dict[int, Post]:
    statement = select(Post).where(Post.thread_id == thread_id)
    return {post.number: post for post in db.session.scalars(statement)}

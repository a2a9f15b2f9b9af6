"""Builders and readers for the moderation tests: log entries, reviews, notifications."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select

from kispub.accounts.models import Role, User
from kispub.community.models import (
    FlagReview,
    MemberStatus,
    ModerationAction,
    ModerationLogEntry,
    SearchEntry,
    ThemeActivity,
    Thread,
)
from kispub.community.services import notifying
from kispub.extensions import db
from tests.community.helpers import make_member, make_person

__all__ = [
    "Told",
    "activity",
    "activity_or_none",
    "entries",
    "indexed",
    "moderator",
    "newcomer",
    "reviews_of",
    "stored_thread",
    "told",
]


def moderator(**overrides: Any) -> User:
    """An approved member with the moderator role."""
    return make_member(role=Role.MODERATOR, **overrides)


def newcomer(**overrides: Any) -> User:
    """An approved member who joined by request: their first posts are pre-moderated."""
    return make_person(MemberStatus.APPROVED, **overrides)


def entries(action: ModerationAction | None = None) -> list[ModerationLogEntry]:
    """The moderation log, oldest first (perhaps of one action only)."""
    db.session.expire_all()
    statement = select(ModerationLogEntry).order_by(ModerationLogEntry.id)
    if action is not None:
        statement = statement.where(ModerationLogEntry.action == action)
    return list(db.session.scalars(statement))


def reviews_of(post_id: int) -> list[FlagReview]:
    """The rounds of reports about a post, oldest first."""
    db.session.expire_all()
    statement = select(FlagReview).where(FlagReview.post_id == post_id).order_by(FlagReview.id)
    return list(db.session.scalars(statement))


def activity(theme_id: int) -> ThemeActivity:
    """A theme's counters, fresh from the database."""
    db.session.expire_all()
    found = db.session.get(ThemeActivity, theme_id)
    assert found is not None
    return found


def activity_or_none(theme_id: int) -> ThemeActivity | None:
    """A theme's counters, or None before anything was counted in it."""
    db.session.expire_all()
    return db.session.get(ThemeActivity, theme_id)


def stored_thread(thread_id: int) -> Thread:
    """A thread, fresh from the database."""
    db.session.expire_all()
    found = db.session.get(Thread, thread_id)
    assert found is not None
    return found


def indexed(post_id: int) -> bool:
    """Whether a post is in the search index."""
    return db.session.get(SearchEntry, post_id, populate_existing=True) is not None


@dataclass
class Told:
    """The moderation notifications asked for (the notifications work makes them)."""

    calls: list[tuple[int, int, str, int | None, int | None]] = field(default_factory=list)

    def to(self, user_id: int) -> list[str]:
        return [message for uid, _actor, message, _t, _p in self.calls if uid == user_id]


@pytest.fixture
def told(monkeypatch: pytest.MonkeyPatch) -> Iterator[Told]:
    """Record every call of the ``notify_moderation`` contract (its body is the notifications
    work's; here only whether moderation calls it, for whom, and with what)."""
    record = Told()

    def notify(user_id: int, actor: User, message: str, *, thread: Any = None, post: Any = None):
        record.calls.append(
            (user_id, actor.id, message, thread.id if thread else None, post.id if post else None)
        )

    monkeypatch.setattr(notifying, "notify_moderation", notify)
    return record

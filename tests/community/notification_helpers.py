"""Builders and readers for the notification and watch-level tests."""

from __future__ import annotations

from sqlalchemy import select

from kispub.accounts.models import User
from kispub.community.models import Notification, NotificationKind, ThreadWatch
from kispub.extensions import db
from tests.community.helpers import membership

__all__ = ["kinds_of", "mention", "notifications_of", "thread_watch"]


def notifications_of(user: User) -> list[Notification]:
    """The user's notifications, oldest first, fresh from the database (a new snapshot: the
    worker writes in a session of its own)."""
    db.session.rollback()
    statement = (
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    )
    return list(db.session.scalars(statement))


def kinds_of(user: User) -> list[NotificationKind]:
    """The kinds of the user's notifications, oldest first."""
    return [n.kind for n in notifications_of(user)]


def mention(user: User) -> str:
    """``@handle`` of a member, as a post names them."""
    return f"@{membership(user).handle}"


def thread_watch(user: User, thread_id: int) -> ThreadWatch | None:
    """The member's own row for a thread, fresh from the database."""
    db.session.expire_all()
    return db.session.get(ThreadWatch, (user.id, thread_id))

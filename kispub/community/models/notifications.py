"""Watch levels, notifications with their snapshots, and digest runs."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from kispub.core import clock
from kispub.core.database import UTCDateTime, string_enum
from kispub.extensions import Model


class WatchLevel(enum.StrEnum):
    """How closely a member follows a theme or thread (Discourse's watch levels)."""

    WATCHING = "watching"  # Volgen: notified of every new post
    TRACKING = "tracking"  # Meelezen: unread counts; notified of mentions and replies to me
    NORMAL = "normal"  # Normaal: notified of mentions and replies to me
    MUTED = "muted"  # Negeren: nothing, and left out of unread counts

    @property
    def label(self) -> str:
        return str(WATCH_LABELS[self])


WATCH_LABELS = {
    WatchLevel.WATCHING: _l("Volgen"),
    WatchLevel.TRACKING: _l("Meelezen"),
    WatchLevel.NORMAL: _l("Normaal"),
    WatchLevel.MUTED: _l("Negeren"),
}


class WatchReason(enum.StrEnum):
    """Why a watch level is what it is: an automatic level never overrides a chosen one."""

    CHOSEN = "chosen"  # the member set it
    CREATED = "created"  # they started the thread
    POSTED = "posted"  # they posted in it


class ThemeWatch(Model):
    """A member's chosen level for a theme; its threads inherit it."""

    __tablename__ = "community_theme_watch"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int] = mapped_column(
        ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    level: Mapped[WatchLevel] = mapped_column(string_enum(WatchLevel))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class ThreadWatch(Model):
    """A member's level for one thread, with why; and whether its e-mails are stopped."""

    __tablename__ = "community_thread_watch"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("community_thread.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    level: Mapped[WatchLevel | None] = mapped_column(string_enum(WatchLevel))  # None: inherit
    reason: Mapped[WatchReason | None] = mapped_column(string_enum(WatchReason))
    mail_stopped: Mapped[bool] = mapped_column(default=False)  # "stop e-mails about this thread"
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class NotificationKind(enum.StrEnum):
    """What a notification tells."""

    REPLY = "reply"  # a reply to my post
    MENTION = "mention"
    WATCHED_POST = "watched_post"  # a new post in a thread I follow
    WATCHED_THREAD = "watched_thread"  # a new thread in a theme I follow
    ANSWER_ACCEPTED = "answer_accepted"
    MODERATION = "moderation"  # a decision about my post or my account


class Notification(Model):
    """One thing a member should know, with a snapshot of who and where.

    The snapshot (actor name, thread title, post number) is copied when the notification is
    made, so it still reads right after the post is edited, deleted or the actor leaves.
    """

    __tablename__ = "community_notification"
    __table_args__ = (
        Index("ix_community_notification_user_read", "user_id", "read_at"),
        UniqueConstraint("user_id", "kind", "post_id"),  # a post notifies a member once per kind
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(string_enum(NotificationKind))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(120), default="")
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("community_thread.id", ondelete="SET NULL")
    )
    thread_title: Mapped[str] = mapped_column(String(200), default="")
    post_id: Mapped[int | None] = mapped_column(
        ForeignKey("community_post.id", ondelete="SET NULL")
    )
    post_number: Mapped[int | None] = mapped_column()
    message: Mapped[str] = mapped_column(Text, default="")  # moderation: the decision, why
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DigestRun(Model):
    """One digest period that was sent (or is being sent): never twice for the same period."""

    __tablename__ = "community_digest_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(40), unique=True)  # "weekly:2026-W50"
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent: Mapped[int] = mapped_column(default=0)

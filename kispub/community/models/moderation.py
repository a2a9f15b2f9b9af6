"""Moderation: members' reports, their review, and the append-only moderation log."""

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
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kispub.accounts.models import User
from kispub.community.models.discussion import Post
from kispub.core import clock
from kispub.core.database import UTCDateTime, string_enum
from kispub.extensions import Model


class FlagReason(enum.StrEnum):
    """Why a member reports a post."""

    SPAM = "spam"
    INAPPROPRIATE = "ongepast"
    OFF_TOPIC = "off-topic"
    OTHER = "anders"  # with a text saying what

    @property
    def label(self) -> str:
        return str(FLAG_REASON_LABELS[self])


FLAG_REASON_LABELS = {
    FlagReason.SPAM: _l("Spam of reclame"),
    FlagReason.INAPPROPRIATE: _l("Ongepast of kwetsend"),
    FlagReason.OFF_TOPIC: _l("Hoort niet bij dit onderwerp (off-topic)"),
    FlagReason.OTHER: _l("Anders"),
}


class ReviewStatus(enum.StrEnum):
    """Where a post's reports stand in the moderators' queue."""

    OPEN = "open"
    APPROVED = "approved"  # the reports were right: the post is (or stays) hidden
    REJECTED = "rejected"  # the post is fine: restored if the reports hid it
    IGNORED = "ignored"  # closed without a verdict: the post stays as it is

    @property
    def label(self) -> str:
        return str(REVIEW_STATUS_LABELS[self])


REVIEW_STATUS_LABELS = {
    ReviewStatus.OPEN: _l("Open"),
    ReviewStatus.APPROVED: _l("Terecht (verborgen)"),
    ReviewStatus.REJECTED: _l("Onterecht (teruggezet)"),
    ReviewStatus.IGNORED: _l("Genegeerd"),
}


class FlagReview(Model):
    """The reports about one post, for a moderator to decide on together.

    A post has at most one open review (flagging locks the post's row); reports that
    arrive after a decision open a new one, so each review is one round of reports.
    """

    __tablename__ = "community_flag_review"
    __table_args__ = (Index("ix_community_flag_review_status_opened", "status", "opened_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(
        ForeignKey("community_post.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[ReviewStatus] = mapped_column(
        string_enum(ReviewStatus), default=ReviewStatus.OPEN
    )
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    flag_count: Mapped[int] = mapped_column(default=0)
    hid_post: Mapped[bool] = mapped_column(default=False)  # the threshold hid the post
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decision_reason: Mapped[str] = mapped_column(Text, default="")

    post: Mapped[Post] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class Flag(Model):
    """One member's report of one post: at most one per member per post, ever."""

    __tablename__ = "community_flag"
    __table_args__ = (UniqueConstraint("post_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("community_flag_review.id", ondelete="CASCADE"), index=True
    )
    post_id: Mapped[int] = mapped_column(ForeignKey("community_post.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[FlagReason] = mapped_column(string_enum(FlagReason))
    note: Mapped[str] = mapped_column(Text, default="")  # required for "anders"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class ModerationAction(enum.StrEnum):
    """What a moderation log entry records (at most 20 characters: the column's size)."""

    FLAGS_HID_POST = "flags_hid_post"  # the threshold of reports hid a post (no moderator)
    FLAG_APPROVED = "flag_approved"
    FLAG_REJECTED = "flag_rejected"
    FLAG_IGNORED = "flag_ignored"
    THREAD_PINNED = "thread_pinned"
    THREAD_UNPINNED = "thread_unpinned"
    THREAD_LOCKED = "thread_locked"
    THREAD_UNLOCKED = "thread_unlocked"
    THREAD_MOVED = "thread_moved"
    THREAD_HIDDEN = "thread_hidden"
    THREAD_RESTORED = "thread_restored"
    POST_HIDDEN = "post_hidden"
    POST_RESTORED = "post_restored"
    POST_EDITED = "post_edited"
    POST_APPROVED = "post_approved"  # pre-moderation
    POST_REJECTED = "post_rejected"
    MEMBER_SILENCED = "member_silenced"
    MEMBER_UNSILENCED = "member_unsilenced"
    MEMBER_SUSPENDED = "member_suspended"
    MEMBER_UNSUSPENDED = "member_unsuspended"

    @property
    def label(self) -> str:
        return str(MODERATION_ACTION_LABELS[self])


MODERATION_ACTION_LABELS = {
    ModerationAction.FLAGS_HID_POST: _l("Bericht verborgen door meldingen"),
    ModerationAction.FLAG_APPROVED: _l("Meldingen terecht"),
    ModerationAction.FLAG_REJECTED: _l("Meldingen onterecht"),
    ModerationAction.FLAG_IGNORED: _l("Meldingen genegeerd"),
    ModerationAction.THREAD_PINNED: _l("Onderwerp vastgezet"),
    ModerationAction.THREAD_UNPINNED: _l("Onderwerp losgemaakt"),
    ModerationAction.THREAD_LOCKED: _l("Onderwerp gesloten"),
    ModerationAction.THREAD_UNLOCKED: _l("Onderwerp heropend"),
    ModerationAction.THREAD_MOVED: _l("Onderwerp verplaatst"),
    ModerationAction.THREAD_HIDDEN: _l("Onderwerp verborgen"),
    ModerationAction.THREAD_RESTORED: _l("Onderwerp teruggezet"),
    ModerationAction.POST_HIDDEN: _l("Bericht verborgen"),
    ModerationAction.POST_RESTORED: _l("Bericht teruggezet"),
    ModerationAction.POST_EDITED: _l("Bericht bewerkt"),
    ModerationAction.POST_APPROVED: _l("Bericht goedgekeurd"),
    ModerationAction.POST_REJECTED: _l("Bericht afgewezen"),
    ModerationAction.MEMBER_SILENCED: _l("Schrijfverbod"),
    ModerationAction.MEMBER_UNSILENCED: _l("Schrijfverbod opgeheven"),
    ModerationAction.MEMBER_SUSPENDED: _l("Geschorst"),
    ModerationAction.MEMBER_UNSUSPENDED: _l("Schorsing opgeheven"),
}


class TargetKind(enum.StrEnum):
    """What a moderation log entry is about."""

    POST = "post"
    THREAD = "thread"
    MEMBER = "member"
    REVIEW = "review"  # a round of reports about a post

    @property
    def label(self) -> str:
        return str(TARGET_KIND_LABELS[self])


TARGET_KIND_LABELS = {
    TargetKind.POST: _l("Bericht"),
    TargetKind.THREAD: _l("Onderwerp"),
    TargetKind.MEMBER: _l("Lid"),
    TargetKind.REVIEW: _l("Meldingen"),
}


class ModerationLogEntry(Model):
    """One moderation decision: who, what, about what and whom, why, when. Append-only.

    Written in the transaction of the decision itself. No code updates or deletes a row,
    and the database refuses to (triggers made by ``community/appendonly.py``). The ids
    carry no foreign keys on purpose: an ``ON DELETE`` would have to change or remove rows;
    the names and labels are snapshots, so an entry reads as it did when it was written.
    """

    __tablename__ = "community_moderation_log"
    __table_args__ = (
        Index("ix_community_moderation_log_target", "target_kind", "target_id"),
        Index("ix_community_moderation_log_action_created", "action", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, index=True)
    actor_id: Mapped[int | None] = mapped_column()  # None: the system (the flag threshold)
    actor_name: Mapped[str] = mapped_column(String(120))
    action: Mapped[ModerationAction] = mapped_column(string_enum(ModerationAction))
    target_kind: Mapped[TargetKind] = mapped_column(string_enum(TargetKind))
    target_id: Mapped[int] = mapped_column()
    target_label: Mapped[str] = mapped_column(String(300))
    subject_id: Mapped[int | None] = mapped_column(index=True)  # the member it concerns
    reason: Mapped[str] = mapped_column(Text, default="")

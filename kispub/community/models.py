"""The community: memberships and how people join, threads and posts, read state, search.

Only approved members see any of it (see ``access``). A member is a ``User`` (accounts)
with a ``Member`` row: the row holds where the person stands in the joining rule (the
README's "Joining the community") and their profile.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kispub.accounts.models import User
from kispub.core import clock
from kispub.core.database import UTCDateTime, string_enum
from kispub.extensions import Model, db
from kispub.themes.models import Theme


class MemberStatus(enum.StrEnum):
    """Where a person stands on the way in (the README's joining rule)."""

    UNVERIFIED = "unverified"  # account created, e-mail address not confirmed yet
    PENDING = "pending"  # address confirmed, waiting for a moderator
    APPROVED = "approved"
    DECLINED = "declined"
    SUSPENDED = "suspended"
    ERASED = "erased"  # the account was deleted (AVG); the row stays, wiped (services/erasure)

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    MemberStatus.UNVERIFIED: "E-mailadres nog niet bevestigd",
    MemberStatus.PENDING: "Wacht op goedkeuring",
    MemberStatus.APPROVED: "Lid",
    MemberStatus.DECLINED: "Afgewezen",
    MemberStatus.SUSPENDED: "Geschorst",
    MemberStatus.ERASED: "Account verwijderd",
}


class FieldRole(enum.StrEnum):
    """A member's role in the field of integration and inclusion."""

    PRAKTIJKDESKUNDIGE = "praktijkdeskundige"
    BELEIDSMAKER = "beleidsmaker"
    PROFESSIONAL = "professional"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class EmailMode(enum.StrEnum):
    """How a member wants to hear about the community by e-mail."""

    IMMEDIATE = "immediate"  # mentions and replies to me, after a short delay
    DAILY = "daily"  # a daily summary
    WEEKLY = "weekly"  # a weekly summary (the default)
    NEVER = "never"

    @property
    def label(self) -> str:
        return EMAIL_MODE_LABELS[self]


EMAIL_MODE_LABELS = {
    EmailMode.IMMEDIATE: "Direct bij vermeldingen en reacties op mij",
    EmailMode.DAILY: "Dagelijks overzicht",
    EmailMode.WEEKLY: "Wekelijks overzicht",
    EmailMode.NEVER: "Nooit",
}


class JoinedVia(enum.StrEnum):
    """How a membership began."""

    STAFF = "staff"  # an account made by staff (CLI or the users page): approved at once
    INVITATION = "invitation"
    REQUEST = "request"


member_theme = Table(
    "community_member_theme",
    db.metadata,
    Column(
        "member_id", ForeignKey("community_member.user_id", ondelete="CASCADE"), primary_key=True
    ),
    Column("theme_id", ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True),
)


class Member(Model):
    """A person's membership of the community and their profile."""

    __tablename__ = "community_member"
    __table_args__ = (
        Index("uq_community_member_handle_lower", text("lower(handle)"), unique=True),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    # The stable name used in @mentions and profile URLs; it never changes with the name.
    handle: Mapped[str] = mapped_column(String(40))
    status: Mapped[MemberStatus] = mapped_column(
        string_enum(MemberStatus), default=MemberStatus.UNVERIFIED, index=True
    )
    joined_via: Mapped[JoinedVia] = mapped_column(string_enum(JoinedVia))
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("community_invitation.id", ondelete="SET NULL")
    )
    field_role: Mapped[FieldRole | None] = mapped_column(string_enum(FieldRole))
    motivation: Mapped[str] = mapped_column(Text, default="")  # a request to join
    bio: Mapped[str] = mapped_column(Text, default="")  # Markdown
    avatar_key: Mapped[str | None] = mapped_column(String(100))  # core/storage key
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When approved: nothing older counts as unread, and the first week's limits start here.
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decision_message: Mapped[str] = mapped_column(Text, default="")
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    email_mode: Mapped[EmailMode] = mapped_column(
        string_enum(EmailMode), default=EmailMode.WEEKLY, server_default=EmailMode.WEEKLY.value
    )
    # Moderation: until when the member may read but not write (a "schrijfverbod").
    silenced_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined", innerjoin=True)
    themes: Mapped[list[Theme]] = relationship(secondary=member_theme, order_by=Theme.position)

    @property
    def is_approved(self) -> bool:
        return self.status is MemberStatus.APPROVED

    def __repr__(self) -> str:
        return f"<Member {self.handle} {self.status}>"


class InvitationKind(enum.StrEnum):
    """A personal link mailed to one address, or a shared link for many."""

    SINGLE = "single"
    MULTI = "multi"


class Invitation(Model):
    """An invitation by staff: whoever accepts it is approved once their address is confirmed.

    Only a hash of the link's secret is stored; the link itself exists in the mail (single)
    or on the screen of the staff member who made it (multi), never in the database.
    """

    __tablename__ = "community_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[InvitationKind] = mapped_column(string_enum(InvitationKind))
    email: Mapped[str | None] = mapped_column(String(254))  # single: the only address it admits
    name: Mapped[str | None] = mapped_column(String(120))
    organisation: Mapped[str | None] = mapped_column(String(160))
    domain: Mapped[str | None] = mapped_column(String(253))  # multi: only addresses @domain
    max_uses: Mapped[int] = mapped_column(default=1)
    use_count: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    note: Mapped[str] = mapped_column(String(200), default="")  # e.g. the CSV batch

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])


class TrustedDomain(Model):
    """An e-mail domain (a municipality, a partner) whose confirmed addresses join at once."""

    __tablename__ = "community_trusted_domain"

    id: Mapped[int] = mapped_column(primary_key=True)
    domain: Mapped[str] = mapped_column(String(253), unique=True)  # lowercase, no "@"
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class MembershipEvent(Model):
    """One step in a membership's history: who did what, when, and why.

    A step is about a person (``user_id``), about an invitation (``invitation_id``: made or
    revoked before anyone has an account), or both (a person accepting an invitation).
    """

    __tablename__ = "community_membership_event"
    __table_args__ = (
        CheckConstraint("user_id IS NOT NULL OR invitation_id IS NOT NULL", name="subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("community_invitation.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(30))  # requested, invited, verified, approved, ...
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])


class ThemeActivity(Model):
    """The community's counters per theme, kept up to date by every post."""

    __tablename__ = "community_theme_activity"

    theme_id: Mapped[int] = mapped_column(
        ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True
    )
    thread_count: Mapped[int] = mapped_column(default=0)
    post_count: Mapped[int] = mapped_column(default=0)
    last_post_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("community_thread.id", ondelete="SET NULL")
    )


class Thread(Model):
    """A discussion in one theme. Its counters make lists and unread counts cheap."""

    __tablename__ = "community_thread"
    __table_args__ = (Index("ix_community_thread_theme_last_post", "theme_id", "last_post_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id", ondelete="RESTRICT"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(200))
    is_question: Mapped[bool] = mapped_column(default=False)
    accepted_number: Mapped[int | None] = mapped_column()  # the accepted answer's post number
    # Posts are numbered 1, 2, ... in the thread; post_count is also the last number readers
    # see (a held post, pre-moderation, may have taken a higher one: services/restrictions).
    post_count: Mapped[int] = mapped_column(default=0)
    last_post_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    last_poster_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # moderation (part 2)
    # Moderation: pinned threads come first in their theme; a locked one takes no replies
    # (but a moderator's), and says why; a held one waits for a moderator (pre-moderation).
    pinned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lock_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    theme: Mapped[Theme] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    last_poster: Mapped[User | None] = relationship(foreign_keys=[last_poster_id])

    def __repr__(self) -> str:
        return f"<Thread {self.id} {self.title!r}>"


class Post(Model):
    """One message in a thread, numbered in order of arrival."""

    __tablename__ = "community_post"
    __table_args__ = (UniqueConstraint("thread_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("community_thread.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    reply_to_number: Mapped[int | None] = mapped_column()  # the post this one quotes or answers
    body: Mapped[str] = mapped_column(Text)  # Markdown as written
    html: Mapped[str] = mapped_column(Text)  # rendered, sanitised, mentions linked; at write
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # by the author: soft
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # by a moderator (part 2)
    # Pre-moderation: a new member's post waits for a moderator, seen by its author alone.
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    thread: Mapped[Thread] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])

    @property
    def is_visible(self) -> bool:
        return self.deleted_at is None and self.hidden_at is None and self.held_at is None

    def __repr__(self) -> str:
        return f"<Post {self.thread_id}#{self.number}>"


class PostRevision(Model):
    """An earlier text of an edited post, kept for the record."""

    __tablename__ = "community_post_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(
        ForeignKey("community_post.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())  # when this text was written
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    # Who replaced this text and why (a moderator gives a reason). A plain id, like the
    # moderation log's: the record stays as written whatever happens to the account.
    edited_by_id: Mapped[int | None] = mapped_column()
    edit_reason: Mapped[str] = mapped_column(Text, default="", server_default="")


class Mention(Model):
    """A member named with @handle in a post (notifications in part 2 read these)."""

    __tablename__ = "community_mention"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("community_post.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ReadState(Model):
    """How far a member has read a thread: one row per (member, thread), never per post."""

    __tablename__ = "community_read_state"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("community_thread.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    last_read_number: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class SearchEntry(Model):
    """The searchable text of one visible post (the thread title on its first post).

    ``community/search.py`` adds the full-text index each database needs (PostgreSQL: a
    GIN index over the ``dutch`` configuration; SQLite: an FTS5 table kept by triggers).
    """

    __tablename__ = "community_search"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("community_post.id", ondelete="CASCADE"), primary_key=True
    )
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("community_thread.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")


class WatchLevel(enum.StrEnum):
    """How closely a member follows a theme or thread (Discourse's watch levels)."""

    WATCHING = "watching"  # Volgen: notified of every new post
    TRACKING = "tracking"  # Meelezen: unread counts; notified of mentions and replies to me
    NORMAL = "normal"  # Normaal: notified of mentions and replies to me
    MUTED = "muted"  # Negeren: nothing, and left out of unread counts

    @property
    def label(self) -> str:
        return WATCH_LABELS[self]


WATCH_LABELS = {
    WatchLevel.WATCHING: "Volgen",
    WatchLevel.TRACKING: "Meelezen",
    WatchLevel.NORMAL: "Normaal",
    WatchLevel.MUTED: "Negeren",
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


class FlagReason(enum.StrEnum):
    """Why a member reports a post."""

    SPAM = "spam"
    INAPPROPRIATE = "ongepast"
    OFF_TOPIC = "off-topic"
    OTHER = "anders"  # with a text saying what

    @property
    def label(self) -> str:
        return FLAG_REASON_LABELS[self]


FLAG_REASON_LABELS = {
    FlagReason.SPAM: "Spam of reclame",
    FlagReason.INAPPROPRIATE: "Ongepast of kwetsend",
    FlagReason.OFF_TOPIC: "Hoort niet bij dit onderwerp (off-topic)",
    FlagReason.OTHER: "Anders",
}


class ReviewStatus(enum.StrEnum):
    """Where a post's reports stand in the moderators' queue."""

    OPEN = "open"
    APPROVED = "approved"  # the reports were right: the post is (or stays) hidden
    REJECTED = "rejected"  # the post is fine: restored if the reports hid it
    IGNORED = "ignored"  # closed without a verdict: the post stays as it is

    @property
    def label(self) -> str:
        return REVIEW_STATUS_LABELS[self]


REVIEW_STATUS_LABELS = {
    ReviewStatus.OPEN: "Open",
    ReviewStatus.APPROVED: "Terecht (verborgen)",
    ReviewStatus.REJECTED: "Onterecht (teruggezet)",
    ReviewStatus.IGNORED: "Genegeerd",
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
        return MODERATION_ACTION_LABELS[self]


MODERATION_ACTION_LABELS = {
    ModerationAction.FLAGS_HID_POST: "Bericht verborgen door meldingen",
    ModerationAction.FLAG_APPROVED: "Meldingen terecht",
    ModerationAction.FLAG_REJECTED: "Meldingen onterecht",
    ModerationAction.FLAG_IGNORED: "Meldingen genegeerd",
    ModerationAction.THREAD_PINNED: "Onderwerp vastgezet",
    ModerationAction.THREAD_UNPINNED: "Onderwerp losgemaakt",
    ModerationAction.THREAD_LOCKED: "Onderwerp gesloten",
    ModerationAction.THREAD_UNLOCKED: "Onderwerp heropend",
    ModerationAction.THREAD_MOVED: "Onderwerp verplaatst",
    ModerationAction.THREAD_HIDDEN: "Onderwerp verborgen",
    ModerationAction.THREAD_RESTORED: "Onderwerp teruggezet",
    ModerationAction.POST_HIDDEN: "Bericht verborgen",
    ModerationAction.POST_RESTORED: "Bericht teruggezet",
    ModerationAction.POST_EDITED: "Bericht bewerkt",
    ModerationAction.POST_APPROVED: "Bericht goedgekeurd",
    ModerationAction.POST_REJECTED: "Bericht afgewezen",
    ModerationAction.MEMBER_SILENCED: "Schrijfverbod",
    ModerationAction.MEMBER_UNSILENCED: "Schrijfverbod opgeheven",
    ModerationAction.MEMBER_SUSPENDED: "Geschorst",
    ModerationAction.MEMBER_UNSUSPENDED: "Schorsing opgeheven",
}


class TargetKind(enum.StrEnum):
    """What a moderation log entry is about."""

    POST = "post"
    THREAD = "thread"
    MEMBER = "member"
    REVIEW = "review"  # a round of reports about a post

    @property
    def label(self) -> str:
        return TARGET_KIND_LABELS[self]


TARGET_KIND_LABELS = {
    TargetKind.POST: "Bericht",
    TargetKind.THREAD: "Onderwerp",
    TargetKind.MEMBER: "Lid",
    TargetKind.REVIEW: "Meldingen",
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

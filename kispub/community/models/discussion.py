"""The discussion: per-theme counters, threads, posts and their revisions, mentions, read
state and the search entries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kispub.accounts.models import User
from kispub.core import clock
from kispub.core.database import UTCDateTime
from kispub.extensions import Model
from kispub.themes.models import Theme


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

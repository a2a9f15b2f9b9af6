"""Podcast series, episodes, guests, and the download counting tables."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from kispub.core import clock
from kispub.core.database import UTCDateTime, string_enum
from kispub.core.durations import whole_seconds
from kispub.core.storage import parse_key
from kispub.extensions import Model, db
from kispub.themes.models import Theme

# Roles of the Podcast Taxonomy Project that editors pick from, with their Dutch labels.
PERSON_ROLES = {"guest": _l("Gast"), "host": _l("Presentator"), "co-host": _l("Co-presentator")}


class EpisodeType(enum.StrEnum):
    """Apple's itunes:episodeType."""

    FULL = "full"
    TRAILER = "trailer"
    BONUS = "bonus"

    @property
    def label(self) -> str:
        return str(TYPE_LABELS[self.value])


# Lazy: read at import by the forms, translated when shown.
TYPE_LABELS = {"full": _l("Aflevering"), "trailer": _l("Trailer"), "bonus": _l("Bonus")}


class EpisodeStatus(enum.StrEnum):
    """A draft is never public; a published episode is public from its publish_at on."""

    DRAFT = "draft"
    PUBLISHED = "published"


episode_theme = Table(
    "podcast_episode_theme",
    db.metadata,
    Column("episode_id", ForeignKey("podcast_episode.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True),
)


class Series(Model):
    """A podcast series with its own feed; its podcast:guid is fixed when it is created."""

    __tablename__ = "podcast_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown
    author: Mapped[str] = mapped_column(String(200))
    owner_name: Mapped[str] = mapped_column(String(120))
    owner_email: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(10), default="nl")
    category: Mapped[str] = mapped_column(String(60), default="Society & Culture")
    subcategory: Mapped[str | None] = mapped_column(String(60))
    explicit: Mapped[bool] = mapped_column(default=False)
    copyright: Mapped[str | None] = mapped_column(String(200))
    cover_key: Mapped[str | None] = mapped_column(String(200))
    podcast_guid: Mapped[str] = mapped_column(String(36), unique=True)
    new_feed_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    # The last change to the series *or any of its episodes*: it keys the feed cache.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    def __repr__(self) -> str:
        return f"<Series {self.slug}>"


class Episode(Model):
    """One episode: its audio, show notes and publication state; the guid never changes."""

    __tablename__ = "podcast_episode"
    __table_args__ = (
        UniqueConstraint("series_id", "slug"),
        Index("ix_podcast_episode_listing", "series_id", "status", "publish_at"),
        # An episode number is unique within its season of a series. NULL is distinct from
        # NULL in a unique index (SQLite, PostgreSQL < 15), so episodes without a season get
        # their own partial index; episodes without a number are not constrained at all.
        Index(
            "uq_podcast_episode_season_number", "series_id", "season", "number", unique=True,
            sqlite_where=text("season IS NOT NULL AND number IS NOT NULL"),
            postgresql_where=text("season IS NOT NULL AND number IS NOT NULL"),
        ),
        Index(
            "uq_podcast_episode_number", "series_id", "number", unique=True,
            sqlite_where=text("season IS NULL AND number IS NOT NULL"),
            postgresql_where=text("season IS NULL AND number IS NOT NULL"),
        ),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("podcast_series.id", ondelete="CASCADE"))
    guid: Mapped[str] = mapped_column(String(64), unique=True)
    slug: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(300))
    number: Mapped[int | None] = mapped_column()
    season: Mapped[int | None] = mapped_column()
    episode_type: Mapped[EpisodeType] = mapped_column(
        string_enum(EpisodeType), default=EpisodeType.FULL
    )
    status: Mapped[EpisodeStatus] = mapped_column(
        string_enum(EpisodeStatus), default=EpisodeStatus.DRAFT
    )
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    show_notes: Mapped[str] = mapped_column(Text, default="")  # Markdown
    explicit: Mapped[bool] = mapped_column(default=False)
    cover_key: Mapped[str | None] = mapped_column(String(200))
    audio_key: Mapped[str] = mapped_column(String(200))
    audio_mime: Mapped[str] = mapped_column(String(30))
    audio_size: Mapped[int] = mapped_column(BigInteger)
    duration_ms: Mapped[int] = mapped_column()
    audio_offset: Mapped[int] = mapped_column(default=0)
    bytes_per_second: Mapped[float] = mapped_column()
    # [{"start_ms": 0, "title": "..."}, ...] in start order; small, read with the episode.
    chapters: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    transcript_key: Mapped[str | None] = mapped_column(String(200))
    transcript_type: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    series: Mapped[Series] = relationship(lazy="joined", innerjoin=True)
    guests: Mapped[list[Guest]] = relationship(
        order_by="Guest.position", cascade="all, delete-orphan"
    )
    themes: Mapped[list[Theme]] = relationship(secondary=episode_theme, order_by=Theme.position)

    @property
    def audio_extension(self) -> str:
        """ ".mp3", ".m4a", ".ogg" or ".opus", from the stored file."""
        return parse_key(self.audio_key).extension

    @property
    def audio_sha256(self) -> str:
        """The content hash the storage key is made of (a strong validator)."""
        return parse_key(self.audio_key).sha256

    @property
    def duration_seconds(self) -> int:
        """Whole seconds, rounded down as players do (the feed's itunes:duration)."""
        return whole_seconds(self.duration_ms)

    # "Published and due" is this one condition, in Python and in SQL: every page, the feed,
    # the audio, the cover images and the links to other channels ask it.
    @hybrid_method
    def is_visible(self, now: datetime) -> bool:
        """Published and due at ``now``: on the pages, in the feed, its audio served."""
        return (
            self.status == EpisodeStatus.PUBLISHED
            and self.publish_at is not None
            and self.publish_at <= now
        )

    @is_visible.expression
    @classmethod
    def _is_visible_sql(cls, now: datetime) -> ColumnElement[bool]:
        """The same condition in SQL, for ``Episode.is_visible(now)`` in a query."""
        return and_(cls.status == EpisodeStatus.PUBLISHED, cls.publish_at <= now)

    def state_label(self, now: datetime) -> str:
        """ "Concept", "Gepland" or "Gepubliceerd" for the back office."""
        if self.status == EpisodeStatus.DRAFT:
            return _("Concept")
        if self.publish_at is not None and self.publish_at > now:
            return _("Gepland")
        return _("Gepubliceerd")

    def __repr__(self) -> str:
        return f"<Episode {self.id} {self.slug}>"


class Guest(Model):
    """A person in an episode, emitted as podcast:person (role from the Podcast Taxonomy)."""

    __tablename__ = "podcast_guest"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("podcast_episode.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(30), default="guest")
    description: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str | None] = mapped_column(String(500))


class ListenerSalt(Model):
    """The random salt of one UTC day for hashing listeners; deleted after two days."""

    __tablename__ = "podcast_listener_salt"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))


class Download(Model):
    """One listener's 24-hour window on one episode; a download once counted_at is set.

    ``listener`` is a salted hash of IP prefix and User-Agent, never the address itself.
    ``ranges`` holds the merged byte ranges requested so far ("start-end,..." end exclusive).
    """

    __tablename__ = "podcast_download"
    __table_args__ = (
        # The ingest looks up a batch's listeners by their hashes, whatever the episode.
        Index("ix_podcast_download_window", "listener", "started_at"),
        Index("ix_podcast_download_counted", "episode_id", "counted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("podcast_episode.id", ondelete="CASCADE"))
    listener: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ranges: Mapped[str] = mapped_column(String(2000), default="")
    counted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DownloadDay(Model):
    """Downloads of one episode on one day (Amsterdam), rolled up from closed windows.

    Once a listener's 24-hour window has closed it can no longer change, so the hourly
    roll-up adds it to its day here and deletes the window, listener hash and all.
    """

    __tablename__ = "podcast_download_day"

    episode_id: Mapped[int] = mapped_column(
        ForeignKey("podcast_episode.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    downloads: Mapped[int] = mapped_column(default=0)

"""Dossiers, their groups and items, attached files, the change history, counts and alerts."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kispub.core import clock
from kispub.core.database import UTCDateTime, string_enum
from kispub.extensions import Model, db
from kispub.themes.models import Theme

MAX_FEATURED = 3


class ItemKind(enum.StrEnum):
    """What an item is; the kind decides which content it must have (see ``requirement``)."""

    ARTICLE = "artikel"
    PUBLICATION = "publicatie"
    INFOGRAPHIC = "infographic"
    GUIDE = "handleiding"
    EPISODE = "podcastaflevering"
    ATELIER = "kennisatelier"
    EXTERNAL = "externe-link"

    @property
    def label(self) -> str:
        return {
            "artikel": _("Artikel"),
            "publicatie": _("Publicatie"),
            "infographic": _("Infographic"),
            "handleiding": _("Handleiding"),
            "podcastaflevering": _("Podcastaflevering"),
            "kennisatelier": _("Kennisatelier"),
            "externe-link": _("Externe link"),
        }[self.value]

    @property
    def plural(self) -> str:
        return {
            "artikel": _("Artikelen"),
            "publicatie": _("Publicaties"),
            "infographic": _("Infographics"),
            "handleiding": _("Handleidingen"),
            "podcastaflevering": _("Podcastafleveringen"),
            "kennisatelier": _("Kennisateliers"),
            "externe-link": _("Externe links"),
        }[self.value]

    @property
    def has_body(self) -> bool:
        """HTML first: these kinds always have a page of their own (a PDF only in addition)."""
        return self in (ItemKind.ARTICLE, ItemKind.PUBLICATION, ItemKind.GUIDE)

    @property
    def needs_file(self) -> bool:
        return self is ItemKind.INFOGRAPHIC

    @property
    def may_have_file(self) -> bool:
        return self in (ItemKind.PUBLICATION, ItemKind.GUIDE, ItemKind.INFOGRAPHIC)

    @property
    def link_kind(self) -> str | None:
        """The content kind (``kispub.core.links``) an internal item points at."""
        return {"podcastaflevering": "episode", "kennisatelier": "atelier"}.get(self.value)

    @property
    def counted_as(self) -> str:
        """How the report names what is counted: "bekijken" a page, "download" a file."""
        return "download" if self.needs_file else "bekijken"


class CountKind(enum.StrEnum):
    """What a daily total counts."""

    VIEW = "view"
    DOWNLOAD = "download"


class AlertFrequency(enum.StrEnum):
    """How often a subscriber hears about new items."""

    IMMEDIATELY = "immediately"
    DAILY = "daily"
    WEEKLY = "weekly"

    @property
    def label(self) -> str:
        return {
            "immediately": _("Direct"),
            "daily": _("Dagelijks"),
            "weekly": _("Wekelijks"),
        }[self.value]


dossier_item_theme = Table(
    "dossier_item_theme",
    db.metadata,
    Column("item_id", ForeignKey("dossier_item.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True),
)


class Dossier(Model):
    """A themed collection ("Coronadossier"): public from ``published_at``, archived after
    ``ends_on``."""

    __tablename__ = "dossier"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(300), default="")  # one line, for cards and feeds
    introduction: Mapped[str] = mapped_column(Text, default="")  # Markdown
    lead_image_key: Mapped[str | None] = mapped_column(String(200))
    lead_image_alt: Mapped[str] = mapped_column(String(300), default="")
    # None: a draft (editors only, with a preview); a future moment: scheduled.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ends_on: Mapped[date | None] = mapped_column(Date)  # after this day: an archive
    # Raised by every change to the dossier, its groups, items or files: the cached public
    # list (kispub.core.fragments) is keyed on it.
    revision: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    groups: Mapped[list[DossierGroup]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="DossierGroup.position"
    )

    def is_public(self, now: datetime) -> bool:
        return self.published_at is not None and self.published_at <= now

    def is_archived(self, today: date) -> bool:
        return self.ends_on is not None and today > self.ends_on

    def __repr__(self) -> str:
        return f"<Dossier {self.slug}>"


class DossierGroup(Model):
    """An ordered group of a dossier's items ("Nieuwe migratie"), with a short text."""

    __tablename__ = "dossier_group"
    __table_args__ = (UniqueConstraint("dossier_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(80))  # the group's anchor on the page
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown, a few lines
    position: Mapped[int] = mapped_column(default=0)

    dossier: Mapped[Dossier] = relationship(back_populates="groups")


class DossierItem(Model):
    """One thing a dossier collects: an HTML page, a file, an episode, an atelier or a link."""

    __tablename__ = "dossier_item"
    __table_args__ = (
        UniqueConstraint("dossier_id", "slug"),
        Index("ix_dossier_item_listing", "dossier_id", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("dossier_group.id", ondelete="SET NULL"), index=True
    )
    slug: Mapped[str] = mapped_column(String(120))
    kind: Mapped[ItemKind] = mapped_column(string_enum(ItemKind))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(600), default="")
    dated_on: Mapped[date] = mapped_column(Date)  # the date readers see; newest first
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown: the HTML version
    text_alternative: Mapped[str] = mapped_column(Text, default="")  # Markdown, infographics
    external_url: Mapped[str | None] = mapped_column(String(500))
    # An internal item's target: (ItemKind.link_kind, link_id), also kept as a ContentLink so
    # that the episode or atelier page can say which dossier includes it.
    link_id: Mapped[int | None] = mapped_column()
    position: Mapped[int] = mapped_column(default=0)  # within its group; editors reorder
    featured_position: Mapped[int | None] = mapped_column()  # 1..MAX_FEATURED, or not featured
    # None: not published (a draft, or unpublished); a future moment: scheduled.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set once, when the item first became public: alerts go out for it only then.
    announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    dossier: Mapped[Dossier] = relationship()
    group: Mapped[DossierGroup | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(
        secondary=dossier_item_theme, order_by=[Theme.position, Theme.name]
    )
    file: Mapped[DossierFile | None] = relationship(
        back_populates="item", cascade="all, delete-orphan", uselist=False
    )

    def is_public(self, now: datetime) -> bool:
        return self.published_at is not None and self.published_at <= now

    def __repr__(self) -> str:
        return f"<DossierItem {self.slug}>"


class DossierFile(Model):
    """An item's attachment (PDF, PNG, JPEG or WebP), checked and thumbnailed on upload."""

    __tablename__ = "dossier_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("dossier_item.id", ondelete="CASCADE"), unique=True
    )
    key: Mapped[str] = mapped_column(String(200))  # core.storage key
    filename: Mapped[str] = mapped_column(String(200))  # safe, for Content-Disposition
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column()
    page_count: Mapped[int | None] = mapped_column()  # PDFs
    width: Mapped[int | None] = mapped_column()  # images
    height: Mapped[int | None] = mapped_column()
    thumbnail_key: Mapped[str | None] = mapped_column(String(200))  # WebP
    fallback_thumbnail_key: Mapped[str | None] = mapped_column(String(200))  # PNG
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    item: Mapped[DossierItem] = relationship(back_populates="file")


class DossierChange(Model):
    """A line in the dossier's public "Wijzigingen op deze pagina" history."""

    __tablename__ = "dossier_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("dossier.id", ondelete="CASCADE"), index=True
    )
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    note: Mapped[str] = mapped_column(String(500))


class DossierCountDay(Model):
    """A day's total of views or downloads of a dossier page (item_id None) or an item.

    Only these totals are kept: no address, no cookie, nothing per visitor.
    """

    __tablename__ = "dossier_count_day"
    __table_args__ = (UniqueConstraint("dossier_id", "item_id", "kind", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"))
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("dossier_item.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[CountKind] = mapped_column(string_enum(CountKind))
    day: Mapped[date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(default=0)


class DossierSeen(Model):
    """Today's keyed hashes of who already counted, for the per-day deduplication.

    The key (``DossierCountKey``) is replaced every day and the rows of earlier days are
    deleted with it, so a hash can never be linked back to an address.
    """

    __tablename__ = "dossier_seen"
    __table_args__ = (UniqueConstraint("day", "visitor", "target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    visitor: Mapped[str] = mapped_column(String(64))  # HMAC of address prefix + User-Agent
    target: Mapped[str] = mapped_column(String(40))  # "view:12", "download:12", "page:1"


class DossierCountKey(Model):
    """The random key of one day's visitor hashes; deleted when the day is over."""

    __tablename__ = "dossier_count_key"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    key: Mapped[str] = mapped_column(String(64))


class DossierSubscription(Model):
    """An e-mail alert for a dossier's new items, confirmed by a link (double opt-in)."""

    __tablename__ = "dossier_subscription"
    __table_args__ = (UniqueConstraint("dossier_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    frequency: Mapped[AlertFrequency] = mapped_column(string_enum(AlertFrequency))
    # The filters the subscriber chose, as the page's query string ("thema=x&type=y"), or "".
    filters: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Everything published up to this moment has been sent (or was there before confirming).
    sent_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

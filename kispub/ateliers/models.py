"""Kennisateliers, the people who speak and host, registrations and personal calendar feeds."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext
from sqlalchemy import (
    Column,
    ColumnElement,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    func,
)
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kispub.core import clock
from kispub.core.database import UTCDateTime, string_enum
from kispub.extensions import Model, db
from kispub.themes.models import Theme


class AtelierStatus(enum.StrEnum):
    """Where an atelier stands; the calendar STATUS follows it."""

    SCHEDULED = "scheduled"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return str(_STATUS_LABELS[self.value])


_STATUS_LABELS = {
    "scheduled": lazy_gettext("Gepland"),
    "postponed": lazy_gettext("Uitgesteld"),
    "cancelled": lazy_gettext("Geannuleerd"),
    "ended": lazy_gettext("Afgelopen"),
}


class DisplayStatus(enum.StrEnum):
    """What a page says about an atelier: its status, or "Afgelopen" once a planned one ended.

    Cancelled and postponed keep their label after the date: "Afgelopen" would suggest the
    meeting took place.
    """

    SCHEDULED = "scheduled"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"
    ENDED = "ended"

    @property
    def label(self) -> str:
        return str(_STATUS_LABELS[self.value])


class AtelierPublication(enum.StrEnum):
    """A draft is never public; a published atelier is public from its publish_at on."""

    DRAFT = "draft"
    PUBLISHED = "published"


class PersonRole(enum.StrEnum):
    """What a person does at an atelier."""

    SPEAKER = "speaker"
    HOST = "host"


class RegistrationStatus(enum.StrEnum):
    """A seat, or a place in the queue for one."""

    REGISTERED = "registered"
    WAITLISTED = "waitlisted"

    @property
    def label(self) -> str:
        return "Aangemeld" if self is RegistrationStatus.REGISTERED else "Wachtlijst"


atelier_theme = Table(
    "atelier_theme",
    db.metadata,
    Column("atelier_id", ForeignKey("atelier.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True),
)


class Atelier(Model):
    """A kennisatelier: one meeting, on site, online or both."""

    __tablename__ = "atelier"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    venue_name: Mapped[str | None] = mapped_column(String(200))
    venue_address: Mapped[str | None] = mapped_column(String(300))
    online: Mapped[bool] = mapped_column(default=False)
    # Only for registered attendees: never on a public page or in a public feed.
    online_url: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int | None] = mapped_column()  # None: no maximum
    registration_deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[AtelierStatus] = mapped_column(
        string_enum(AtelierStatus), default=AtelierStatus.SCHEDULED
    )
    publication: Mapped[AtelierPublication] = mapped_column(
        string_enum(AtelierPublication), default=AtelierPublication.DRAFT
    )
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # RFC 5545 SEQUENCE: raised on every change of time, place or status.
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    themes: Mapped[list[Theme]] = relationship(
        secondary=atelier_theme, order_by=[Theme.position, Theme.name]
    )
    people: Mapped[list[AtelierPerson]] = relationship(
        back_populates="atelier",
        cascade="all, delete-orphan",
        order_by="AtelierPerson.position",
    )

    @property
    def speakers(self) -> list[AtelierPerson]:
        return [p for p in self.people if p.role is PersonRole.SPEAKER]

    @property
    def hosts(self) -> list[AtelierPerson]:
        return [p for p in self.people if p.role is PersonRole.HOST]

    # "Published and due" is this one condition, in Python and in SQL: the pages, the feeds,
    # registration, theme pages and the links to other channels all ask it.
    @hybrid_method
    def is_public(self, now: datetime) -> bool:
        """Published and due at ``now``: shown to visitors, open for registration."""
        return (
            self.publication is AtelierPublication.PUBLISHED
            and self.publish_at is not None
            and self.publish_at <= now
        )

    @is_public.expression
    @classmethod
    def _is_public_sql(cls, now: datetime) -> ColumnElement[bool]:
        """The same condition in SQL, for ``Atelier.is_public(now)`` in a query."""
        return and_(cls.publication == AtelierPublication.PUBLISHED, cls.publish_at <= now)

    @property
    def is_public_now(self) -> bool:
        """``is_public`` by the app's clock (for templates: where a title may link to)."""
        return self.is_public(clock.now())

    @property
    def publication_label(self) -> str:
        """ "Concept", "Ingepland" or "Gepubliceerd" for the back office, by the app's clock."""
        now = clock.now()
        if self.publication is AtelierPublication.DRAFT:
            return str(lazy_gettext("Concept"))
        if self.publish_at is None or self.publish_at > now:
            return str(lazy_gettext("Ingepland"))
        return str(lazy_gettext("Gepubliceerd"))

    def display_status(self, now: datetime) -> DisplayStatus:
        """The status a page shows at ``now``; a planned atelier that ended is "Afgelopen"."""
        if self.status is AtelierStatus.SCHEDULED and self.ends_at < now:
            return DisplayStatus.ENDED
        return DisplayStatus(self.status.value)

    @property
    def shown_status(self) -> DisplayStatus:
        """``display_status`` now, by the app's clock (for templates)."""
        return self.display_status(clock.now())

    @property
    def is_cancelled(self) -> bool:
        return self.status is AtelierStatus.CANCELLED

    @property
    def has_venue(self) -> bool:
        return bool(self.venue_name or self.venue_address)

    @property
    def location_text(self) -> str | None:
        """The place as one line, for calendars and e-mail; never the meeting link."""
        venue = ", ".join(part for part in (self.venue_name, self.venue_address) if part)
        if venue and self.online:
            return f"{venue} (en online)"
        return venue or ("Online" if self.online else None)

    def __repr__(self) -> str:
        return f"<Atelier {self.slug}>"


class AtelierPerson(Model):
    """A speaker or host of an atelier."""

    __tablename__ = "atelier_person"

    id: Mapped[int] = mapped_column(primary_key=True)
    atelier_id: Mapped[int] = mapped_column(
        ForeignKey("atelier.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[PersonRole] = mapped_column(string_enum(PersonRole))
    name: Mapped[str] = mapped_column(String(160))
    affiliation: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(default=0)

    atelier: Mapped[Atelier] = relationship(back_populates="people")

    @property
    def display(self) -> str:
        return f"{self.name} ({self.affiliation})" if self.affiliation else self.name


class Registration(Model):
    """Someone's seat at, or place on the waiting list of, an atelier (personal data)."""

    __tablename__ = "atelier_registration"
    # One registration per address per atelier; the service checks first, this makes it certain.
    __table_args__ = (
        UniqueConstraint("atelier_id", "email"),
        Index("ix_atelier_registration_queue", "atelier_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    atelier_id: Mapped[int] = mapped_column(ForeignKey("atelier.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))  # normalised: stripped, lower case
    organisation: Mapped[str | None] = mapped_column(String(160))
    status: Mapped[RegistrationStatus] = mapped_column(string_enum(RegistrationStatus))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Where on the waiting list: set when a lowered capacity moves someone back to its
    # front; otherwise the waiting list goes by created_at (see ``queue_order``).
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    atelier: Mapped[Atelier] = relationship()

    @property
    def is_registered(self) -> bool:
        return self.status is RegistrationStatus.REGISTERED


class AtelierFeed(Model):
    """A member's personal calendar feed; deleting the row revokes its secret address."""

    __tablename__ = "atelier_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), unique=True
    )
    # The URL token is an HMAC of this secret under the app's SECRET_KEY: a leaked
    # database alone does not give anyone the feed addresses.
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


def queue_order() -> tuple[ColumnElement[Any], Mapped[int]]:
    """The waiting list's order: who asked first (or was moved back to the front) comes first."""
    return (func.coalesce(Registration.queued_at, Registration.created_at), Registration.id)

"""Memberships: where a person stands in the joining rule, invitations, trusted domains, history."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
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
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    MemberStatus.UNVERIFIED: _l("E-mailadres nog niet bevestigd"),
    MemberStatus.PENDING: _l("Wacht op goedkeuring"),
    MemberStatus.APPROVED: _l("Lid"),
    MemberStatus.DECLINED: _l("Afgewezen"),
    MemberStatus.SUSPENDED: _l("Geschorst"),
    MemberStatus.ERASED: _l("Account verwijderd"),
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
        return str(EMAIL_MODE_LABELS[self])


EMAIL_MODE_LABELS = {
    EmailMode.IMMEDIATE: _l("Direct bij vermeldingen en reacties op mij"),
    EmailMode.DAILY: _l("Dagelijks overzicht"),
    EmailMode.WEEKLY: _l("Wekelijks overzicht"),
    EmailMode.NEVER: _l("Nooit"),
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

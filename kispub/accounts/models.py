"""The user account."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from kispub.core import clock
from kispub.core.database import UTCDateTime, string_enum
from kispub.extensions import Model


class Role(enum.StrEnum):
    """What a user may do; each role includes the ones before it."""

    MEMBER = "member"
    MODERATOR = "moderator"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    @property
    def label(self) -> str:
        """The role's name in the visitor's language (Dutch outside a request)."""
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.MEMBER: _l("Lid"),
    Role.MODERATOR: _l("Moderator"),
    Role.EDITOR: _l("Redacteur"),
    Role.ADMIN: _l("Beheerder"),
}


# The lowest role that logs in with a second factor (TOTP); every role above it does too.
SECOND_FACTOR_ROLE = Role.MODERATOR


def new_session_token() -> str:
    """A fresh random token; changing it ends every session of the user."""
    return secrets.token_urlsafe(24)


class User(Model):
    """A person who logs in: community member, moderator, editor or admin."""

    __tablename__ = "user_account"
    # Unique whatever the letter case, enforced by the database itself.
    __table_args__ = (Index("uq_user_email_lower", text("lower(email)"), unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120))
    organisation: Mapped[str | None] = mapped_column(String(160))
    role: Mapped[Role] = mapped_column(
        string_enum(Role),
        default=Role.MEMBER,
    )
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when the account was erased (AVG): the row stays, anonymised, so posts keep an author.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # Flask-Login protocol. The id it stores carries the session token, so a new token
    # invalidates every session and remember-me cookie that holds the old one.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def has_role(self, role: Role) -> bool:
        return self.role.rank >= role.rank

    @property
    def needs_second_factor(self) -> bool:
        """Staff (moderators and up) log in with a second factor; members with a password."""
        return self.has_role(SECOND_FACTOR_ROLE)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class AccountEvent(Model):
    """Something that happened to an account: a login, a second factor reset, an erasure.

    Kept for the account's owner (their data export shows their login history) and for
    admins; never an IP address.
    """

    __tablename__ = "account_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))  # "login", "totp-reset", "erased", ...
    detail: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class DataExport(Model):
    """A member's request for a copy of their data (AVG) and the ZIP file that answers it.

    The file lives in the private ``DATA_EXPORT_DIR`` under ``<token>.zip``; the token (random)
    is also signed into the download link, so a link names exactly one export.
    """

    __tablename__ = "account_data_export"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # None: being built
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    size: Mapped[int | None] = mapped_column()  # bytes of the ZIP file

    @property
    def file_name(self) -> str:
        return f"{self.token}.zip"


class SecondFactor(Model):
    """A staff member's authenticator app (TOTP, RFC 6238): its secret and what was used.

    The secret is stored encrypted (see accounts/totp.py). Without ``enrolled_at`` the
    enrolment was started but the first code was never confirmed: the login still asks for
    enrolment, showing the same secret, so a QR code scanned before a reload keeps working.
    """

    __tablename__ = "second_factor"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    secret: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The time step (Unix time // 30) of the last accepted code: a code of that step or an
    # earlier one is refused, so an overheard code cannot be used again (RFC 6238, 5.2).
    last_step: Mapped[int | None] = mapped_column()


class RecoveryCode(Model):
    """A single-use code for a staff member who cannot reach their authenticator app.

    Only a keyed hash is stored; the code itself is shown once, when the set is made.
    """

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

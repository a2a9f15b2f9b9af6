"""Membership rows and handles: what every way into the community shares."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from kispub.accounts.models import User
from kispub.accounts.services import AccountError, NewUser
from kispub.community.models import JoinedVia, Member, MembershipEvent, MemberStatus
from kispub.core import clock
from kispub.core.database import write_transaction
from kispub.core.text import slugify
from kispub.extensions import db

HANDLE_MAX = 30
HANDLE_ATTEMPTS = 5
HANDLE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,28}[a-z0-9])?")


def new_handle(name: str) -> str:
    """A free handle made from a name: "Fatima El Amrani" -> "fatima-el-amrani" (or "-2")."""
    base = slugify(name)[:HANDLE_MAX].strip("-") or "lid"
    stem = base[: HANDLE_MAX - 4].strip("-") or "lid"  # room for "-999" within the maximum
    # Every handle this name could get starts with the stem (handles are [a-z0-9-]: no
    # LIKE wildcards in it).
    taken = set(
        db.session.scalars(
            select(func.lower(Member.handle)).where(func.lower(Member.handle).like(f"{stem}%"))
        )
    )
    if base not in taken:
        return base
    number = 2
    while f"{stem}-{number}" in taken:
        number += 1
    return f"{stem}-{number}"


def record_event(user_id: int, action: str, actor_id: int | None = None, note: str = "") -> None:
    """Add a step to a membership's history (inside the caller's write transaction)."""
    db.session.add(MembershipEvent(user_id=user_id, actor_id=actor_id, action=action, note=note))


def create_member(
    user: User, status: MemberStatus, via: JoinedVia, *, actor_id: int | None = None
) -> Member:
    """A membership row for a new account, with a fresh handle, in one transaction."""
    with write_transaction():
        now = clock.now()
        member = Member(
            user_id=user.id,
            status=status,
            joined_via=via,
            verified_at=now if status is MemberStatus.APPROVED else None,
            approved_at=now if status is MemberStatus.APPROVED else None,
        )
        _store_with_free_handle(member, user.name)
        record_event(user.id, status.value, actor_id, note=via.value)
    return member


def _store_with_free_handle(member: Member, name: str) -> None:
    """Add the row with a free handle; a concurrent namesake that took it first gets retried."""
    session = db.session()
    for _attempt in range(HANDLE_ATTEMPTS):
        member.handle = new_handle(name)
        try:
            with session.begin_nested():  # a savepoint: a clash undoes this row only
                session.add(member)
        except IntegrityError:
            continue
        return
    raise AccountError(_("Er kon geen vrije gebruikersnaam worden gekozen; probeer het opnieuw."))


def approve_staff_account(user: User, new: NewUser) -> None:
    """The accounts hook: an account made by staff is an approved member, address verified.

    Staff vouch for the person and the address (the password link goes there), so none of
    the joining steps apply. Accounts made by people themselves are left to ``joining``.
    """
    if new.made_by_staff:
        create_member(user, MemberStatus.APPROVED, JoinedVia.STAFF)

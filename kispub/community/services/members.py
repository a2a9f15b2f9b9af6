"""Membership rows and handles: what every way into the community shares."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from kispub.accounts.models import User
from kispub.accounts.services import NewUser
from kispub.community.models import JoinedVia, Member, MembershipEvent, MemberStatus
from kispub.core import clock
from kispub.core.database import write_transaction
from kispub.core.text import slugify
from kispub.extensions import db

HANDLE_MAX = 30
HANDLE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,28}[a-z0-9])?")


def new_handle(name: str) -> str:
    """A free handle made from a name: "Fatima El Amrani" -> "fatima-el-amrani" (or "-2")."""
    base = slugify(name)[:HANDLE_MAX].strip("-") or "lid"
    taken = set(
        db.session.scalars(
            select(func.lower(Member.handle)).where(func.lower(Member.handle).like(f"{base}%"))
        )
    )
    if base not in taken:
        return base
    number = 2
    while f"{base[: HANDLE_MAX - 4]}-{number}" in taken:
        number += 1
    return f"{base[: HANDLE_MAX - 4]}-{number}"


def record_event(user_id: int, action: str, actor_id: int | None = None, note: str = "") -> None:
    """Add a step to a membership's history (inside the caller's write transaction)."""
    db.session.add(MembershipEvent(user_id=user_id, actor_id=actor_id, action=action, note=note))


def create_member(
    user: User, status: MemberStatus, via: JoinedVia, *, actor_id: int | None = None
) -> Member:
    """A membership row for a new account, with a fresh handle, in one transaction."""
    with write_transaction() as session:
        now = clock.now()
        member = Member(
            user_id=user.id,
            handle=new_handle(user.name),
            status=status,
            joined_via=via,
            verified_at=now if status is MemberStatus.APPROVED else None,
            approved_at=now if status is MemberStatus.APPROVED else None,
        )
        session.add(member)
        session.flush()
        record_event(user.id, status.value, actor_id, note=via.value)
    return member


def approve_staff_account(user: User, new: NewUser) -> None:
    """The accounts hook: an account made by staff is an approved member, address verified.

    Staff vouch for the person and the address (the password link goes there), so none of
    the joining steps apply. Accounts made by people themselves are left to ``joining``.
    """
    if new.made_by_staff:
        create_member(user, MemberStatus.APPROVED, JoinedVia.STAFF)

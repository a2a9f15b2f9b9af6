"""Deleting an account (AVG): the person's data goes, the row stays as "Voormalig lid".

The account row is kept, anonymised, so that posts keep their place and threads stay whole:
every page that names an author reads the account's name, which becomes "Voormalig lid".
Everything else that names or reaches the person goes, in ONE transaction:

- every registered erasure hook runs first (the community wipes the profile and the
  person's traces, the ateliers channel removes registrations under the address), while the
  old address is still known;
- mail still waiting in the outbox for the address is forgotten, and the person's data
  exports are deleted (their files right after the commit);
- the login history is deleted; one ``AccountEvent`` "erased" records who erased the
  account and whether the posts were kept (and an admin's reason), never personal data;
- the account gets the name "Voormalig lid", an address that cannot receive mail and is
  unique (``verwijderd-<id>@invalid``, so the old address is free for a new account), no
  organisation, no password, the member role, a new session token (every session and
  remember-me cookie ends) and is deactivated; ``erased_at`` marks it.
"""

from __future__ import annotations

import enum

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from kispub.accounts.data_export import remove_export_files
from kispub.accounts.models import AccountEvent, DataExport, Role, User, new_session_token
from kispub.accounts.passwords import verify_password
from kispub.accounts.privacy import Erasure, erasure_hooks
from kispub.accounts.services import AccountError, normalise_email
from kispub.core import clock
from kispub.core.database import after_commit, write_transaction
from kispub.core.outbox import forget_messages_to
from kispub.extensions import db

FORMER_MEMBER = "Voormalig lid"
REASON_MAX = 200  # characters of an admin's reason kept in the event (its column holds 300)


class PostsChoice(enum.StrEnum):
    """What happens to the posts of an erased account."""

    KEEP = "keep"  # readable, under "Voormalig lid"
    REPLACE = "replace"  # their text becomes "verwijderd"


def erased_address(user_id: int) -> str:
    """The address an erased account gets: unique, and undeliverable (RFC 6761 .invalid)."""
    return f"verwijderd-{user_id}@invalid"


def erase_own_account(user_id: int, password: str, posts: PostsChoice) -> None:
    """Erase the logged-in person's own account after checking their password again."""
    user = db.session.get(User, user_id)
    # Checked before the write transaction: hashing takes a while, and must not hold the lock.
    if not verify_password(user.password_hash if user else None, password):
        raise AccountError(_("Het wachtwoord klopt niet."))
    with write_transaction():
        user = _locked_account(user_id)
        _refuse_last_admin(user)
        _erase(user, actor_id=user.id, posts=posts, detail=f"zelf; berichten: {posts.value}")


def erase_account_by_admin(admin: User, user_id: int, reason: str, posts: PostsChoice) -> None:
    """Erase someone's account at their request; the admin's reason is kept in the log."""
    reason = " ".join(reason.split())[:REASON_MAX]
    if not reason:
        raise AccountError(_("Geef een reden op."))
    if not admin.has_role(Role.ADMIN):
        raise AccountError(_("Alleen beheerders kunnen een account verwijderen."))
    if admin.id == user_id:
        raise AccountError(_("Verwijder uw eigen account via de pagina Mijn account."))
    with write_transaction():
        user = _locked_account(user_id)
        detail = f"door beheerder; berichten: {posts.value}; reden: {reason}"
        _erase(user, actor_id=admin.id, posts=posts, detail=detail)


def account_to_erase(user_id: int) -> User | None:
    """An account that exists and is not erased yet (for the admin's confirmation page)."""
    user = db.session.get(User, user_id)
    return user if user is not None and user.erased_at is None else None


def _locked_account(user_id: int) -> User:
    """The account, its row locked until commit; AccountError when it is gone or erased."""
    user = db.session.get(User, user_id, with_for_update=True, populate_existing=True)
    if user is None or user.erased_at is not None:
        raise AccountError(_("Dit account bestaat niet (meer)."))
    return user


def _refuse_last_admin(user: User) -> None:
    """The site must keep an admin who can log in."""
    if user.role is not Role.ADMIN:
        return
    others = db.session.scalar(
        select(func.count(User.id)).where(
            User.role == Role.ADMIN, User.active.is_(True), User.id != user.id
        )
    )
    if not others:
        raise AccountError(_("U bent de enige beheerder. Maak eerst iemand anders beheerder."))


def _erase(user: User, *, actor_id: int, posts: PostsChoice, detail: str) -> None:
    """Everything in the module docstring, inside the caller's write transaction."""
    session = db.session
    email = normalise_email(user.email)
    erasure = Erasure(user.id, email, posts is PostsChoice.REPLACE, actor_id)
    for hook in erasure_hooks():
        hook(erasure)
    forget_messages_to(email)
    exports = list(session.scalars(select(DataExport).where(DataExport.user_id == user.id)))
    names = [export.file_name for export in exports]
    session.execute(delete(DataExport).where(DataExport.user_id == user.id))
    after_commit(lambda: remove_export_files(names))
    session.execute(delete(AccountEvent).where(AccountEvent.user_id == user.id))
    user.name = FORMER_MEMBER
    user.email = erased_address(user.id)
    user.organisation = None
    user.password_hash = None
    user.role = Role.MEMBER
    user.active = False
    user.session_token = new_session_token()
    user.last_login_at = None
    user.erased_at = clock.now()
    session.add(
        AccountEvent(user_id=user.id, actor_id=actor_id, action="erased", detail=detail[:300])
    )

"""What admins do to other people's accounts: change the role, suspend, reactivate, invite again.

Every change is checked first, then written in one transaction together with an
``AccountEvent`` naming the admin, so the account's owner (their data export) and other
admins can see who did what. The site always keeps an active admin: nobody suspends or
demotes the last one, and an admin never suspends or demotes themselves (another admin does,
so a slip of the mouse cannot lock anyone out).
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from kispub.accounts.models import AccountEvent, Role, User, new_session_token
from kispub.accounts.services import AccountError, send_invitation
from kispub.core.database import write_transaction
from kispub.extensions import db

ROLE_CHANGED = "role-changed"
SUSPENDED = "suspended"
REACTIVATED = "reactivated"
INVITATION_RESENT = "invitation-resent"
REASON_MAX = 300  # AccountEvent.detail


def change_role(user_id: int, role: Role, actor: User) -> User:
    """Give an account another role; its sessions end, so the next login asks what the new
    role needs (staff log in with a second factor)."""
    with write_transaction() as session:
        user = _locked_account(user_id)
        if user.role is role:
            raise AccountError(_("%(name)s is al %(role)s.", name=user.name, role=role.label))
        if role is not Role.ADMIN:
            _refuse_own_account(user, actor, _("Een andere beheerder kan uw rol wijzigen."))
            _refuse_last_admin(user)
        detail = f"{user.role.value} -> {role.value}"
        user.role = role
        user.session_token = new_session_token()
        session.add(AccountEvent(user_id=user.id, actor_id=actor.id, action=ROLE_CHANGED,
                                 detail=detail))  # fmt: skip
    return user


def suspend(user_id: int, actor: User, reason: str = "") -> User:
    """Suspend an account: it cannot log in, every session ends now, no mail digests."""
    with write_transaction() as session:
        user = _locked_account(user_id)
        if not user.active:
            raise AccountError(_("Dit account is al geschorst."))
        _refuse_own_account(user, actor, _("U kunt uw eigen account niet schorsen."))
        _refuse_last_admin(user)
        user.active = False
        user.session_token = new_session_token()  # every session and remember-me cookie ends
        session.add(AccountEvent(user_id=user.id, actor_id=actor.id, action=SUSPENDED,
                                 detail=reason.strip()[:REASON_MAX]))  # fmt: skip
    return user


def reactivate(user_id: int, actor: User) -> User:
    """Lift a suspension: the account can log in again with its own password."""
    with write_transaction() as session:
        user = _locked_account(user_id)
        if user.active:
            raise AccountError(_("Dit account is niet geschorst."))
        user.active = True
        session.add(AccountEvent(user_id=user.id, actor_id=actor.id, action=REACTIVATED))
    return user


def resend_invitation(user_id: int, actor: User) -> User:
    """Mail a fresh invitation link to someone who has not chosen a password yet."""
    with write_transaction() as session:
        user = _locked_account(user_id)
        if user.password_hash is not None:
            raise AccountError(
                _("%(name)s heeft al een wachtwoord gekozen; een uitnodiging is niet nodig.",
                  name=user.name)
            )  # fmt: skip
        if not user.active:
            raise AccountError(_("Dit account is geschorst. Heractiveer het eerst."))
        event = AccountEvent(user_id=user.id, actor_id=actor.id, action=INVITATION_RESENT)
        session.add(event)
        session.flush()  # the event's id makes this mail's key: each resend is sent once
        send_invitation(user, resend=event.id)
    return user


def _locked_account(user_id: int) -> User:
    """The account, its row locked until commit; AccountError when it is gone or erased."""
    user = db.session.get(User, user_id, with_for_update=True, populate_existing=True)
    if user is None or user.erased_at is not None:
        raise AccountError(_("Dit account bestaat niet (meer)."))
    return user


def _refuse_own_account(user: User, actor: User, message: str) -> None:
    if user.id == actor.id:
        raise AccountError(message)


def _refuse_last_admin(user: User) -> None:
    """The site must keep an active admin who can log in."""
    if user.role is not Role.ADMIN:
        return
    # Locking every active admin's row makes two admins who demote each other at once wait
    # for one another, so one of them always stays.
    admins = db.session.scalars(
        select(User.id).where(User.role == Role.ADMIN, User.active.is_(True)).with_for_update()
    )
    if not [admin_id for admin_id in admins if admin_id != user.id]:
        raise AccountError(_("Dit is de laatste beheerder. Maak eerst iemand anders beheerder."))

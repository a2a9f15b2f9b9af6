"""What can be done with accounts: create, authenticate, reset, revoke."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, render_template
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from kispub import jobs
from kispub.accounts.models import AccountEvent, Role, User, new_session_token
from kispub.accounts.passwords import hash_password, needs_rehash, verify_password
from kispub.core import clock
from kispub.core.database import write_transaction
from kispub.core.mail import build_message
from kispub.core.outbox import queue_mail
from kispub.core.tokens import fingerprint, timed_serializer
from kispub.core.urls import absolute_url
from kispub.extensions import db

RESET_SALT = "kispub-password-reset"
NAME_MAX = 120  # the columns' lengths (accounts/models.py)
ORGANISATION_MAX = 160


class AccountError(ValueError):
    """A request about an account that cannot be honoured; the message is for the user."""


class AccountSuspended(AccountError):
    """The right password for an account an admin suspended."""


@dataclass(frozen=True)
class NewUser:
    """What it takes to create an account."""

    email: str
    name: str
    role: Role = Role.MEMBER
    organisation: str | None = None
    password: str | None = None
    # True only where staff make the account (the CLI, the users page, a content file): the
    # community then trusts it as an approved member. False, the default, fails closed: an
    # account made any other way is left to the joining rule.
    made_by_staff: bool = False


# Called inside the transaction that creates an account, with the new user and how it was
# made: the community makes staff-made accounts approved members here (accounts cannot
# import channels, so they register).
NewAccountHook = Callable[[User, NewUser], None]


def register_new_account_hook(app: Flask, hook: NewAccountHook) -> None:
    """Let a channel act on every new account, inside the transaction that creates it."""
    app.extensions.setdefault("kispub_new_account_hooks", []).append(hook)


def normalise_email(email: str) -> str:
    """E-mail addresses compare case-insensitively and without surrounding space."""
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    """The user with this address, in any letter case."""
    statement = select(User).where(func.lower(User.email) == normalise_email(email))
    return db.session.scalars(statement).first()


def create_user(new: NewUser) -> User:
    """Create an account; refuses an address that is already taken."""
    with write_transaction() as session:
        if find_user_by_email(new.email) is not None:
            raise AccountError(_("Er bestaat al een account met dit e-mailadres."))
        user = User(
            email=normalise_email(new.email),
            name=new.name.strip(),
            role=new.role,
            organisation=(new.organisation or "").strip() or None,
            password_hash=hash_password(new.password) if new.password else None,
        )
        session.add(user)
        try:
            session.flush()  # the id is needed for links mailed in the same unit of work
        except IntegrityError as error:  # a concurrent request took the address first
            raise AccountError(_("Er bestaat al een account met dit e-mailadres.")) from error
        for hook in current_app.extensions.get("kispub_new_account_hooks", []):
            hook(user, new)
    return user


def update_profile(user: User, name: str, organisation: str | None) -> None:
    """Change the name and organisation an account shows (joins the caller's transaction)."""
    name, organisation = name.strip(), (organisation or "").strip() or None
    if not name:
        raise AccountError(_("Vul een naam in."))
    if len(name) > NAME_MAX or len(organisation or "") > ORGANISATION_MAX:
        raise AccountError(_("De naam of de organisatie is te lang."))
    with write_transaction():
        user.name = name
        user.organisation = organisation


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None; the same cost either way.

    Records the login, except for staff: their login is only complete, and recorded, once
    the second step has passed (kispub/accounts/second_factor.py). A suspended account
    raises ``AccountSuspended``, but only with the right password: a wrong one gets the same
    None as an unknown address, so nobody learns which addresses are suspended.
    """
    user = find_user_by_email(email)
    valid = verify_password(user.password_hash if user else None, password)
    if user is None or not valid:
        return None
    if not user.active:
        raise AccountSuspended(
            _("Uw account is geschorst. Neem contact op met KIS als u denkt dat dit niet klopt.")
        )
    with write_transaction():
        if not user.needs_second_factor:
            record_login(user)
        if user.password_hash and needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
    return user


def record_login(user: User, detail: str = "") -> None:
    """Note a completed login: the time on the account and an event in its history."""
    with write_transaction() as session:
        user.last_login_at = clock.now()
        session.add(AccountEvent(user_id=user.id, action="login", detail=detail))


def set_password(user: User, password: str) -> None:
    """Change the password and end every existing session of the user."""
    with write_transaction():
        user.password_hash = hash_password(password)
        user.session_token = new_session_token()


def change_password(user: User, current: str, new: str) -> None:
    """Change a password after checking the current one; ends the user's other sessions."""
    if not verify_password(user.password_hash, current):
        raise AccountError(_("Het huidige wachtwoord klopt niet."))
    set_password(user, new)


def revoke_sessions(user: User) -> None:
    """End every session and remember-me cookie of the user."""
    with write_transaction():
        user.session_token = new_session_token()


def set_active(user: User, active: bool) -> None:
    """Suspend or reinstate a user; suspension ends their sessions."""
    with write_transaction():
        user.active = active
        if not active:
            user.session_token = new_session_token()


def load_user_for_session(user_id: str) -> User | None:
    """Flask-Login's loader: the id carries the session token, which must still match."""
    raw_id, _, token = user_id.partition(":")
    if not raw_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or not user.active or user.session_token != token:
        return None
    return user


# Password reset. The token signs the user id and a fingerprint of the current password
# hash: once the password changes (that is, once the link was used) the token is void. The
# fingerprint is an HMAC of the hash keyed by SECRET_KEY, so no part of the hash (salt or
# digest) ever leaves the server in a link.
def _serializer() -> URLSafeTimedSerializer:
    return timed_serializer(RESET_SALT)


def _fingerprint(user: User) -> str:
    return fingerprint(RESET_SALT, user.password_hash or "unset")


def make_reset_token(user: User) -> str:
    """A signed token for a password-reset link."""
    return _serializer().dumps({"uid": user.id, "fp": _fingerprint(user)})


def user_for_reset_token(token: str) -> User:
    """The user a valid, unexpired, unused token belongs to."""
    max_age = int(current_app.config["PASSWORD_RESET_MAX_AGE"].total_seconds())
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise AccountError(_("Deze link is verlopen. Vraag een nieuwe aan.")) from error
    except BadSignature as error:
        raise AccountError(_("Deze link is ongeldig of al gebruikt.")) from error
    user = db.session.get(User, data.get("uid", 0)) if isinstance(data, dict) else None
    fingerprint = data.get("fp") if isinstance(data, dict) else None
    if (
        user is None
        or not user.active
        or not isinstance(fingerprint, str)
        or not hmac.compare_digest(fingerprint, _fingerprint(user))
    ):
        raise AccountError(_("Deze link is ongeldig of al gebruikt."))
    return user


def init_app(app: Flask) -> None:
    """Register the job that mails reset links."""
    jobs.register_task(app, send_password_reset)


def request_password_reset(email: str) -> None:
    """Queue the reset job for an address; the web request does the same work for any address.

    Looking the address up here, and composing and storing the mail only for a known one,
    would make the answer measurably slower for addresses that have an account. The job
    decides in the worker, where nobody can time it.
    """
    jobs.enqueue(send_password_reset, normalise_email(email)[:254])


def send_password_reset(email: str) -> None:
    """Mail a reset link if the address has an active account (the job); nothing otherwise."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    token = make_reset_token(user)
    link = absolute_url("accounts.reset_password", token=token)
    body = render_template("accounts/mail/reset.txt", user=user, link=link)
    # One message per token: a double submit within the same second mails once.
    key = f"password-reset:{user.id}:{hashlib.sha256(token.encode()).hexdigest()[:24]}"
    with write_transaction():
        queue_mail(build_message(user.email, _("Nieuw wachtwoord instellen"), body, key=key), key)


def invite_user(new: NewUser) -> User:
    """Create an account and mail its owner a link to choose a password, in one transaction."""
    with write_transaction():
        user = create_user(new)
        send_invitation(user)
    return user


def send_invitation(user: User, resend: int | None = None) -> None:
    """Queue the mail inviting a new user to choose their password (one per account, and one
    per ``resend``: the id of the event that records an admin sending it again)."""
    link = absolute_url("accounts.reset_password", token=make_reset_token(user))
    body = render_template("accounts/mail/invitation.txt", user=user, link=link)
    subject = _("Welkom bij KIS: stel uw wachtwoord in")
    key = f"invitation:{user.id}" if resend is None else f"invitation:{user.id}:{resend}"
    with write_transaction():
        queue_mail(build_message(user.email, subject, body, key=key), key)


def reset_password(token: str, password: str) -> User:
    """Set a new password through a reset link; the link then stops working."""
    user = user_for_reset_token(token)
    set_password(user, password)
    return user

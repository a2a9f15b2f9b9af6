"""A login half-way: the password was right, the second step is still to come.

The session is not logged in yet. It holds a token signed with its own salt and the time
it was made (so it expires on its own, whatever the session's lifetime) that names the user, the
choices made on the login form (remember me, where to go next), and a keyed fingerprint of
the user's session token: a password change, a logout everywhere or a suspension changes
that token and so voids every half-finished login of the account.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from flask import current_app, session
from itsdangerous import BadSignature, URLSafeSerializer

from kispub.accounts.models import User
from kispub.core import clock
from kispub.core.tokens import fingerprint, serializer
from kispub.extensions import db

SESSION_KEY = "second_step"
SALT = "kispub-second-step"


@dataclass(frozen=True)
class PendingLogin:
    """Whose password was right, and what they chose on the login form."""

    user: User
    remember: bool
    next_target: str | None


def _serializer() -> URLSafeSerializer:
    return serializer(SALT)


def _fingerprint(user: User) -> str:
    return fingerprint(SALT, user.session_token)


def begin(user: User, *, remember: bool, next_target: str | None) -> None:
    """Remember in the session that ``user`` gave the right password just now."""
    data = {
        "uid": user.id,
        "fp": _fingerprint(user),
        "remember": remember,
        "next": next_target,
        "at": clock.now().timestamp(),  # the app's clock, which tests can move
    }
    session[SESSION_KEY] = _serializer().dumps(data)


def _data() -> dict[str, Any] | None:
    """The signed, unexpired state in the session, or None."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str):
        return None
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        return None
    made_at = data.get("at")
    age = clock.now().timestamp() - made_at if isinstance(made_at, int | float) else -1
    if not 0 <= age <= int(current_app.config["TOTP_PENDING_MINUTES"]) * 60:
        return None
    return data


def pending_user_id() -> int | None:
    """The id of the user half-way through logging in, for throttling (no database access)."""
    data = _data()
    return data["uid"] if data else None


def current() -> PendingLogin | None:
    """The half-finished login of this session, if it is still valid."""
    data = _data()
    if data is None:
        return None
    user = db.session.get(User, data["uid"])
    if user is None or not user.active or not user.needs_second_factor:
        return None
    if not hmac.compare_digest(str(data.get("fp")), _fingerprint(user)):
        return None  # the password changed, or every session was ended, since
    next_target = data.get("next")
    return PendingLogin(
        user=user,
        remember=data.get("remember") is True,
        next_target=next_target if isinstance(next_target, str) else None,
    )

"""Login sessions: Flask-Login wiring, idle and absolute timeouts.

Flask-Login's "strong" protection drops any non-empty session whose "_id" (a hash of
the client's address and browser) is missing or different. Anonymous sessions that
only hold a CSRF token, and sessions just restored from a remember-me cookie, have no
"_id" of their own; we bind them to the client here, so that strong protection guards
logged-in sessions without throwing away the forms and remember cookies of everyone else.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user, user_loaded_from_cookie

from kispub.accounts.models import User
from kispub.accounts.services import load_user_for_session, revoke_sessions
from kispub.core import clock
from kispub.extensions import login_manager

_AUTH_AT = "auth_at"
_SEEN_AT = "seen_at"
_SEEN_RESOLUTION = 60  # seconds; not on every request, which would re-send the cookie each time
_LOGIN_KEYS = ("_user_id", "_fresh", "_id", _AUTH_AT, _SEEN_AT)


def init_app(app: Flask) -> None:
    """Configure Flask-Login and the per-request session checks."""
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    login_manager.login_view = "accounts.login"
    # Flask-Login flashes the message; str() translates it per request (a flash is a str).
    login_manager.login_message = _l("Log in om deze pagina te zien.")
    login_manager.localize_callback = str
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user_for_session)
    user_loaded_from_cookie.connect(_bind_to_client, app)
    app.before_request(_check_session)


def start_session(user: User, remember: bool) -> None:
    """Log the user in and start the timeout clocks."""
    session.clear()  # a fresh session at login: no fixation of an earlier one
    login_user(user, remember=remember, duration=current_app.config["REMEMBER_COOKIE_DURATION"])
    now = _timestamp()
    session[_AUTH_AT] = now
    session[_SEEN_AT] = now


def end_session() -> None:
    """Log out and invalidate every copy of this user's session cookie."""
    if current_user.is_authenticated:
        revoke_sessions(current_user._get_current_object())
    logout_user()
    session.clear()


def _check_session() -> None:
    """Expire timed-out logins, bind anonymous sessions, then load the user once."""
    if "_user_id" in session:
        _enforce_timeouts()
    if session and "_user_id" not in session and "_id" not in session:
        _bind_to_client()
    _ = current_user.is_authenticated  # load now, before the view writes to the session


def _enforce_timeouts() -> None:
    now = _timestamp()
    auth_at = session.get(_AUTH_AT, now)
    seen_at = session.get(_SEEN_AT, now)
    idle = current_app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
    absolute = current_app.config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds()
    if now - seen_at > idle or now - auth_at > absolute:
        # Drop the login, keep the rest; a remember-me cookie may log the user in again,
        # which is what remember-me promises.
        for key in _LOGIN_KEYS:
            session.pop(key, None)
        return
    session.setdefault(_AUTH_AT, now)
    if now - seen_at > _SEEN_RESOLUTION or _SEEN_AT not in session:
        session[_SEEN_AT] = now


def _bind_to_client(*_args: object, **_kwargs: object) -> None:
    session["_id"] = login_manager._session_identifier_generator()


def _timestamp() -> float:
    return datetime.timestamp(clock.now())

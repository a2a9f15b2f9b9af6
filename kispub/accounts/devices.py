"""Device cookies: a browser that has logged in to an account before is not a stranger to it.

The per-address login limit exists to slow down password guessing spread over many IP
addresses. Counted for everyone, it lets anyone lock a member out of their own account by
failing five logins with the member's address. So failures are counted per address only for
requests from browsers that have never logged in to that account; a browser that has (it
carries a signed cookie naming the account) is limited per IP address alone. A stranger can
still exhaust the strangers' allowance of an address, but the member's own browsers keep
working. This is OWASP's "device cookie" defence against slow brute force; growing delays
were not chosen because they tie up a worker thread per guess and still hurt the member.

The cookie holds keyed fingerprints of addresses, not the addresses: it is sent only to the
login page and says nothing to whoever reads it.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, request, url_for
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response

from kispub.core.tokens import fingerprint, serializer

COOKIE_NAME = "kispub_device"
COOKIE_SALT = "kispub-device-cookie"
MAX_ACCOUNTS = 5  # a shared computer: the last few accounts that logged in on it
MAX_AGE = timedelta(days=365)


def _serializer() -> URLSafeSerializer:
    return serializer(COOKIE_SALT)


def _fingerprint(email: str) -> str:
    return fingerprint(COOKIE_SALT, email)


def _known() -> list[str]:
    """The fingerprints this browser's cookie names, or [] for a missing or forged cookie."""
    raw = request.cookies.get(COOKIE_NAME)
    if not raw:
        return []
    try:
        value = _serializer().loads(raw)
    except BadSignature:
        return []
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, str)][:MAX_ACCOUNTS]


def is_known_device(email: str) -> bool:
    """Whether this browser has logged in to the account of ``email`` (normalised) before."""
    return _fingerprint(email) in _known()


def remember_device(response: Response, email: str) -> None:
    """After a successful login: mark this browser as one the account's owner uses."""
    fingerprint = _fingerprint(email)
    known = [fingerprint] + [item for item in _known() if item != fingerprint]
    response.set_cookie(
        COOKIE_NAME,
        _serializer().dumps(known[:MAX_ACCOUNTS]),
        max_age=int(MAX_AGE.total_seconds()),
        # Only the login pages ever need it (the second step's too, under /inloggen/).
        path=url_for("accounts.login"),
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
        httponly=True,
        samesite="Lax",
    )

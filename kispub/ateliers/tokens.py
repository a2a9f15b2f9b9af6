"""Secrets in URLs: the signed link to manage a registration, and personal feed tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac

from flask import current_app
from itsdangerous import BadData, URLSafeSerializer

REGISTRATION_SALT = "kispub-atelier-registration"
FEED_SALT = "kispub-atelier-feed"


def _mac(salt: str, message: str, length: int) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, f"{salt}:{message}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:length]


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=REGISTRATION_SALT)


def _fingerprint(atelier_id: int, email: str) -> str:
    # Ties the link to the person, not just the row id, which SQLite may hand out again
    # after a deletion; keyed, so the link does not reveal a hash of the address.
    return _mac(REGISTRATION_SALT, f"{atelier_id}:{email}", 12)


def make_registration_token(registration_id: int, atelier_id: int, email: str) -> str:
    """The token in the link an attendee uses to see or cancel a registration."""
    return _serializer().dumps([registration_id, _fingerprint(atelier_id, email)])


def read_registration_token(token: str) -> tuple[int, str] | None:
    """The registration id and fingerprint in a validly signed token, else None."""
    try:
        data = _serializer().loads(token)
    except BadData:
        return None
    if not (isinstance(data, list) and len(data) == 2 and isinstance(data[0], int)):
        return None
    return data[0], str(data[1])


def fingerprint_matches(fingerprint: str, atelier_id: int, email: str) -> bool:
    """Whether a token's fingerprint belongs to this registration."""
    return hmac.compare_digest(fingerprint, _fingerprint(atelier_id, email))


def feed_token(user_id: int, secret: str) -> str:
    """The secret part of a member's personal feed URL."""
    return _mac(FEED_SALT, f"{user_id}:{secret}", 32)


def feed_token_matches(token: str, user_id: int, secret: str) -> bool:
    """Compare in constant time."""
    return hmac.compare_digest(token, feed_token(user_id, secret))

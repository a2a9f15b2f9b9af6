"""Secrets in links, forms and cookies: signed tokens and keyed fingerprints, all keyed by
SECRET_KEY and kept apart by a salt per use.

Timed tokens are dated by the app's clock (``core/clock.py``), so a frozen or moved clock
ages links as it ages everything else.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from itsdangerous import TimestampSigner, URLSafeSerializer, URLSafeTimedSerializer

from kispub.core import clock


class _ClockSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def timed_serializer(salt: str) -> URLSafeTimedSerializer:
    """Signed tokens that expire (``loads(token, max_age=...)``)."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt, signer=_ClockSigner)


def serializer(salt: str) -> URLSafeSerializer:
    """Signed tokens without a date."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def fingerprint(salt: str, message: str, length: int = 32) -> str:
    """A keyed HMAC-SHA256 of ``message`` (hex): ties a token to a value without revealing it."""
    key = f"{salt}:{current_app.config['SECRET_KEY']}".encode()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()[:length]

"""Password hashing with argon2id."""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app

MIN_PASSWORD_LENGTH = 12


def init_app(app: Flask) -> None:
    """Build the hasher once from the configured cost."""
    app.extensions["kispub_hasher"] = PasswordHasher(
        time_cost=app.config["ARGON2_TIME_COST"],
        memory_cost=app.config["ARGON2_MEMORY_COST"],
        parallelism=app.config["ARGON2_PARALLELISM"],
        type=Type.ID,
    )


def _hasher() -> PasswordHasher:
    return current_app.extensions["kispub_hasher"]


def hash_password(password: str) -> str:
    """Hash a password for storage."""
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check a password; without a stored hash, still spend the time (no enumeration by timing)."""
    hasher = _hasher()
    if stored_hash is None:
        stored_hash = _dummy_hash()
        password = password + "\0"  # never matches the dummy
    try:
        return hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with other parameters than the current ones."""
    return _hasher().check_needs_rehash(stored_hash)


def _dummy_hash() -> str:
    cache = current_app.extensions.setdefault("kispub_dummy_hash", [])
    if not cache:
        cache.append(_hasher().hash("dummy password for timing"))
    return cache[0]

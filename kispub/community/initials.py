"""What stands in for a photo: a member's initials on one of a few background colours."""

from __future__ import annotations

import zlib

TONES = 6  # background colours for initials (css: avatar-tone-0 to -5), so neighbours differ


def initials(name: str) -> str:
    """ "Fatima El Amrani" -> "FA": the first letter of the first and of the last word."""
    letters = [next(c for c in word if c.isalnum()) for word in name.split() if _has_alnum(word)]
    if not letters:
        return "?"
    return (letters[0] + (letters[-1] if len(letters) > 1 else "")).upper()


def _has_alnum(word: str) -> bool:
    return any(c.isalnum() for c in word)


def tone(handle: str) -> int:
    """The background colour of a member's initials, the same wherever they appear."""
    return zlib.crc32(handle.encode()) % TONES

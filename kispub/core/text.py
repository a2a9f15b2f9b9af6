"""Small text helpers every feature shares."""

from __future__ import annotations

import re
import unicodedata


def slugify(text: str) -> str:
    """A URL-safe lowercase ASCII slug: "Jeugd & opvoeding" → "jeugd-opvoeding"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")

"""Number formatting for templates, in the user's locale (Dutch: decimal comma)."""

from __future__ import annotations

from functools import lru_cache

from babel.numbers import format_decimal as babel_decimal
from flask import Flask
from flask_babel import format_decimal, get_locale


def init_app(app: Flask) -> None:
    """Register the filters."""
    app.add_template_filter(file_size)


def file_size(size: int) -> str:
    """A byte count people read at a glance: "35 kB", "1,2 MB"."""
    if size < 1000 * 1000:
        return f"{format_decimal(max(1, round(size / 1000)))} kB"
    return f"{format_decimal(round(size / 1_000_000, 1), format='#,##0.#')} MB"


def whole_number(value: int) -> str:
    """ "2.734": a count in the user's locale. Babel's formatting costs more than the rest
    of a list entry, and a page shows the same few numbers: each is formatted once."""
    return _whole_number(value, str(get_locale()))


@lru_cache(maxsize=4096)
def _whole_number(value: int, locale: str) -> str:
    return babel_decimal(value, locale=locale)

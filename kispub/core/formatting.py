"""Formatting for templates: numbers in the user's locale (Dutch: decimal comma), and
addresses that wrap where a reader expects."""

from __future__ import annotations

import re
from functools import lru_cache

from babel.numbers import format_decimal as babel_decimal
from flask import Flask
from flask_babel import format_decimal, get_locale
from markupsafe import Markup, escape

# Where an address may wrap: after a slash (not between the two of "//"), and before a dot,
# ?, #, & or =. Browsers do not break there by themselves, so a long address otherwise
# breaks mid-word (or not at all) on a phone.
_URL_BREAKS = re.compile(r"(?<=/)(?!/)|(?=[.?#&=])")


def init_app(app: Flask) -> None:
    """Register the filters."""
    app.add_template_filter(file_size)
    app.add_template_filter(breakable_url)


def file_size(size: int) -> str:
    """A byte count people read at a glance: "35 kB", "1,2 MB"."""
    if size < 1000 * 1000:
        return f"{format_decimal(max(1, round(size / 1000)))} kB"
    return f"{format_decimal(round(size / 1_000_000, 1), format='#,##0.#')} MB"


def breakable_url(url: str) -> Markup:
    """The address, escaped, with a <wbr> at each place it may wrap; copying it copies the
    address unchanged."""
    return Markup("<wbr>").join(escape(part) for part in _URL_BREAKS.split(url) if part)


def whole_number(value: int) -> str:
    """ "2.734": a count in the user's locale. Babel's formatting costs more than the rest
    of a list entry, and a page shows the same few numbers: each is formatted once."""
    return _whole_number(value, str(get_locale()))


@lru_cache(maxsize=4096)
def _whole_number(value: int, locale: str) -> str:
    return babel_decimal(value, locale=locale)

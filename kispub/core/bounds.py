"""Bounds on what a request may carry: integers in URLs and query strings, years in dates.

A number or a date from a visitor reaches the database or ``datetime`` arithmetic, where an
unbounded one fails: SQLite cannot bind an integer above 2**63-1, PostgreSQL's INTEGER ends
at 2**31-1, and a date in the year 1 cannot move to another time zone. So every integer
from a URL or a form is bounded here, and every date a form accepts lies in a sane range;
out of range is a 404 or a form error, never a 500.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter, Map, PathConverter, UnicodeConverter, ValidationError

from kispub.core.text import clean_text

MAX_INT = 2**31 - 1  # PostgreSQL's INTEGER, the type of every id column
MIN_YEAR, MAX_YEAR = 1900, 2100
YEAR_MESSAGE = _l("Kies een datum tussen %(min)s en %(max)s.", min=MIN_YEAR, max=MAX_YEAR)


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` that refuses (404) what no id column can hold."""

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = MAX_INT,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def _refuse_unsafe(value: str) -> str:
    """A path segment the text rule would change names nothing stored: 404 at once.

    Without this a NUL reaches PostgreSQL, which refuses the query itself.
    """
    if clean_text(value) != value or "\n" in value or "\t" in value:
        raise ValidationError()
    return value


class TextConverter(UnicodeConverter):
    """The default ``<name>`` converter, refusing control characters."""

    def to_python(self, value: str) -> Any:
        return _refuse_unsafe(value)


class TextPathConverter(PathConverter):
    """``<path:…>``, refusing control characters."""

    def to_python(self, value: str) -> Any:
        return _refuse_unsafe(value)


def clamped_int(text: str) -> int:
    """A query-string integer held within ±MAX_INT; ValueError when it is not a number.

    Use as ``request.args.get("pagina", 1, type=clamped_int)``: a huge page number then
    becomes a page that does not exist (404) instead of an overflow in the database.
    """
    return max(-MAX_INT, min(int(text), MAX_INT))


def check_year(value: date | None) -> None:
    """Raise ValueError (with a Dutch message) for a date outside MIN_YEAR to MAX_YEAR."""
    if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(YEAR_MESSAGE)


def check_int(value: int | None) -> None:
    """Raise ValueError for an integer no INTEGER column can hold."""
    if value is not None and not -MAX_INT <= value <= MAX_INT:
        raise ValueError("Dit getal is te groot.")


def init_app(app: Flask) -> None:
    """Register the bounded converters app-wide; call before any blueprint adds its rules."""
    app.url_map.converters.update(
        int=BoundedIntConverter, default=TextConverter, string=TextConverter, path=TextPathConverter
    )

"""Dutch date formatting for templates, via Babel, in the site's time zone.

Babel's pattern formatting is slow next to everything else a page does (a list of 30 dated
items spent more time formatting dates than querying), while a page shows few distinct days
and minutes: each day and each minute is formatted once per locale and then remembered.
"""

from __future__ import annotations

from datetime import date, datetime, time
from functools import lru_cache

from babel import dates as babel_dates
from flask import Flask
from flask_babel import get_locale, to_user_timezone


def init_app(app: Flask) -> None:
    """Register the date filters."""
    app.add_template_filter(long_date)
    app.add_template_filter(day_date)
    app.add_template_filter(long_datetime)
    app.add_template_filter(short_time)


def long_date(value: datetime | date) -> str:
    """ "dinsdag 24 november 2020", in the site's time zone."""
    day = to_user_timezone(value).date() if isinstance(value, datetime) else value
    return _formatted_date(day, str(get_locale()), "EEEE d MMMM y")


def day_date(value: datetime | date) -> str:
    """ "24 november 2020" (lists of documents, as GOV.UK dates them)."""
    day = to_user_timezone(value).date() if isinstance(value, datetime) else value
    return _formatted_date(day, str(get_locale()), "d MMMM y")


def long_datetime(value: datetime) -> str:
    """ "dinsdag 24 november 2020 om 14:00"."""
    return f"{long_date(value)} om {short_time(value)}"


def short_time(value: datetime) -> str:
    """ "14:00"."""
    local = to_user_timezone(value)
    return _formatted_time(local.hour, local.minute, str(get_locale()))


@lru_cache(maxsize=4096)
def _formatted_date(day: date, locale: str, pattern: str) -> str:
    return babel_dates.format_date(day, pattern, locale=locale)


@lru_cache(maxsize=4096)
def _formatted_time(hour: int, minute: int, locale: str) -> str:
    return babel_dates.format_time(time(hour, minute), "HH:mm", locale=locale)

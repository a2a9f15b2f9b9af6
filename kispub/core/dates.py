"""Dutch date formatting for templates, via Babel, in the site's time zone (Amsterdam).

Every date people read goes through here, in one of two formats: the long one,
"maandag 7 december 2026" (:func:`long_date`, with " om 14:00" when the time matters:
:func:`long_datetime`), for the page of the thing itself, mails and the back office; and the
short one, "7 december 2026" (:func:`day_date`), for meta lines in lists ("Podcast · 7
december 2026"). Both convert to the site's time zone first: an episode published at 23:30
UTC belongs to the next day in Amsterdam, and every page must say the same day.

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

from kispub.core.localtime import amsterdam_iso


def init_app(app: Flask) -> None:
    """Register the date filters."""
    app.add_template_filter(long_date)
    app.add_template_filter(day_date)
    app.add_template_filter(long_datetime)
    app.add_template_filter(short_time)
    # <time datetime> with the offset of the date shown next to it (every channel uses it).
    app.add_template_filter(amsterdam_iso)


def long_date(value: datetime | date) -> str:
    """ "dinsdag 24 november 2020", in the site's time zone."""
    day = to_user_timezone(value).date() if isinstance(value, datetime) else value
    return _formatted_date(day, _locale(), "EEEE d MMMM y")


def day_date(value: datetime | date) -> str:
    """ "24 november 2020" (lists of documents, as GOV.UK dates them)."""
    day = to_user_timezone(value).date() if isinstance(value, datetime) else value
    return _formatted_date(day, _locale(), "d MMMM y")


def long_datetime(value: datetime) -> str:
    """ "dinsdag 24 november 2020 om 14:00"."""
    return f"{long_date(value)} om {short_time(value)}"


def short_time(value: datetime) -> str:
    """ "14:00"."""
    local = to_user_timezone(value)
    return _formatted_time(local.hour, local.minute, _locale())


def wall_clock_datetime(local: datetime) -> str:
    """ "zondag 28 maart 2027 om 02:30" for a naive wall-clock time as an editor typed it
    (one that may not exist, which is why it is not converted)."""
    day = _formatted_date(local.date(), _locale(), "EEEE d MMMM y")
    return f"{day} om {_formatted_time(local.hour, local.minute, _locale())}"


def _locale() -> str:
    # Outside an app context (a command's error message, a unit test) the site's language.
    return str(get_locale() or "nl")


@lru_cache(maxsize=4096)
def _formatted_date(day: date, locale: str, pattern: str) -> str:
    return babel_dates.format_date(day, pattern, locale=locale)


@lru_cache(maxsize=4096)
def _formatted_time(hour: int, minute: int, locale: str) -> str:
    return babel_dates.format_time(time(hour, minute), "HH:mm", locale=locale)

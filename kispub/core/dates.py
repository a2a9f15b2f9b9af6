"""Dutch date formatting for templates, via Flask-Babel."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from flask_babel import format_date, format_time


def init_app(app: Flask) -> None:
    """Register the date filters."""
    app.add_template_filter(long_date)
    app.add_template_filter(long_datetime)
    app.add_template_filter(short_time)


def long_date(value: datetime) -> str:
    """ "dinsdag 24 november 2020", in the site's time zone."""
    return format_date(value, "EEEE d MMMM y")


def long_datetime(value: datetime) -> str:
    """ "dinsdag 24 november 2020 om 14:00"."""
    return f"{long_date(value)} om {short_time(value)}"


def short_time(value: datetime) -> str:
    """ "14:00"."""
    return format_time(value, "HH:mm")

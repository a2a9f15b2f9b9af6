"""Number formatting for templates, in the user's locale (Dutch: decimal comma)."""

from __future__ import annotations

from flask import Flask
from flask_babel import format_decimal


def init_app(app: Flask) -> None:
    """Register the filters."""
    app.add_template_filter(file_size)


def file_size(size: int) -> str:
    """A byte count people read at a glance: "35 kB", "1,2 MB"."""
    if size < 1000 * 1000:
        return f"{format_decimal(max(1, round(size / 1000)))} kB"
    return f"{format_decimal(round(size / 1_000_000, 1), format='#,##0.#')} MB"

"""Kennisateliers: workshop pages, registration and iCalendar feeds."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the channel's blueprint, content loader, theme section and links."""

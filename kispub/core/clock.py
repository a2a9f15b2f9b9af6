"""One notion of "now" for the whole application, which tests can set.

Every service, query and model default asks ``now()``; a test freezes or moves time with
``set_clock(app, ...)`` (the ``clock`` fixture) instead of passing ``now=`` around or
patching a channel's private clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import Flask, current_app, has_app_context

Clock = Callable[[], datetime]
_KEY = "kispub_clock"


def now() -> datetime:
    """The current time, timezone-aware in UTC (the app's clock when one is set)."""
    if has_app_context():
        clock: Clock | None = current_app.extensions.get(_KEY)
        if clock is not None:
            return clock()
    return datetime.now(UTC)


def set_clock(app: Flask, clock: Clock | None) -> None:
    """Make ``now()`` read ``clock`` in this app; ``None`` returns to real time."""
    if clock is None:
        app.extensions.pop(_KEY, None)
    else:
        app.extensions[_KEY] = clock

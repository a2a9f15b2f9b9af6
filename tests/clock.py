"""A clock tests freeze and move; the whole app reads it through kispub.core.clock.now()."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask

from kispub.core.clock import set_clock


class Clock:
    """The app's notion of now, frozen at a moment and moved by a test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def freeze(app: Flask, at: datetime) -> Clock:
    """Make every request, service and query of ``app`` see ``at`` as now."""
    clock = Clock(at)
    set_clock(app, clock)
    return clock

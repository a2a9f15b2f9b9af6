"""Kennisateliers fixtures: a clock the whole app reads, and logged-in editors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from kispub.accounts.models import Role, User
from kispub.core.clock import set_clock

# A Monday in November, outside any daylight-saving change.
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


class Clock:
    """The app's notion of now, frozen and moved by a test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(app: Flask) -> Clock:
    """Freeze time at START for every request, service and query of the app."""
    fake = Clock(START)
    set_clock(app, fake)
    return fake


@pytest.fixture
def editor(login_as: Callable[..., User]) -> User:
    """Log in as an editor through the real login form."""
    return login_as(role=Role.EDITOR)

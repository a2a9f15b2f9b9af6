"""Kennisateliers fixtures: a clock the whole app reads, frozen on a plain Monday."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask

from tests.clock import Clock, freeze

# A Monday in November, outside any daylight-saving change.
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock(app: Flask) -> Clock:
    """Freeze time at START for every request, service and query of the app."""
    return freeze(app, START)

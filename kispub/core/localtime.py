"""Wall-clock times in Amsterdam, as editors type them, to and from aware datetimes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

# KIS works in Amsterdam: editors type its wall-clock times, calendars and pages show them.
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class NonExistentLocalTime(ValueError):
    """A wall-clock time that the clocks skip when summer time starts."""


def from_amsterdam(local: datetime) -> datetime:
    """Read a naive wall-clock time as Amsterdam time; the result is aware UTC.

    In the autumn hour that happens twice, the first (summer time, fold=0) is meant.
    In the spring hour that never happens, there is no right answer: refuse it.
    """
    if local.tzinfo is not None:
        return local.astimezone(UTC)
    aware = local.replace(tzinfo=AMSTERDAM, fold=0)
    # A skipped time does not survive the round trip through UTC: 02:30 comes back as 03:30.
    if aware.astimezone(UTC).astimezone(AMSTERDAM).replace(tzinfo=None) != local:
        # Imported here: core.dates registers this module's amsterdam_iso as a filter.
        from kispub.core.dates import wall_clock_datetime

        raise NonExistentLocalTime(
            _(
                "%(moment)s bestaat niet: die nacht gaat de klok van 02:00 naar 03:00 "
                "(begin zomertijd). Kies een andere tijd.",
                moment=wall_clock_datetime(local),
            )
        )
    return aware.astimezone(UTC)


def to_amsterdam(value: datetime) -> datetime:
    """The naive Amsterdam wall-clock time of an aware datetime (for form inputs)."""
    return value.astimezone(AMSTERDAM).replace(tzinfo=None)


def amsterdam_iso(value: datetime) -> str:
    """ISO 8601 with the Amsterdam offset, for <time datetime> and JSON-LD."""
    return value.astimezone(AMSTERDAM).isoformat()

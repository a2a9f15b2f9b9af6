"""Daily and weekly summary periods in the site's time zone (digests, alert summaries).

A summary goes out at a fixed hour of the site's clock; its period runs from that hour one
day (or one week, ending on the chosen weekday) earlier. Its key ("daily:2026-12-14",
"weekly:2026-W51") is the same however often a job asks, so a mail keyed on it goes once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class SummaryPeriod:
    """What a summary covers (UTC, start excluded, end included) and its key."""

    start: datetime
    end: datetime
    key: str


def latest_summary_period(
    now: datetime, *, zone: str, hour: int, weekday: int | None = None
) -> SummaryPeriod:
    """The latest daily period (``weekday`` None), or weekly one ending on ``weekday``
    (0 = Monday), that ended at or before ``now``; periods turn at ``hour`` in ``zone``."""
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    end_day = local.date() if local.hour >= hour else local.date() - timedelta(days=1)
    if weekday is not None:
        end_day -= timedelta(days=(end_day.weekday() - weekday) % 7)
        start_day = end_day - timedelta(days=7)
        week = end_day.isocalendar()
        key = f"weekly:{week.year}-W{week.week:02d}"
    else:
        start_day = end_day - timedelta(days=1)
        key = f"daily:{end_day.isoformat()}"
    start = datetime.combine(start_day, time(hour), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(end_day, time(hour), tzinfo=tz).astimezone(UTC)
    return SummaryPeriod(start, end, key)

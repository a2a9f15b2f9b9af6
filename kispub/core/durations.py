"""One way to show a length of audio: as the player shows it, "0:04", "1:15", "1:02:03".

Browsers' audio controls and podcast apps show a length as a clock, in whole seconds rounded
*down* (a 4.6 s file reads 0:04). Every place the site shows a length — the episode page,
the back office, upload messages, ``itunes:duration`` and schema.org — uses the same whole
seconds and the same clock, so what the text says is what the player says. A clock also
needs no units to translate and sorts by eye; ``<time datetime="PT…S">`` carries the
machine-readable value for assistive technology.
"""

from __future__ import annotations

import math

# A probed length is a float made of frame counts and sample rates: 75 s may come out as
# 74.99999999999999. Anything this close below a whole millisecond counts as that
# millisecond; floating-point noise is around 1e-9 ms for a day-long file.
_NOISE_MS = 1e-6


def probed_ms(seconds: float) -> int:
    """A probed length in whole milliseconds, rounded down like the player rounds seconds.

    Rounding to the nearest millisecond would turn 3599.9996 s into 1:00:00 while the
    player, which floors, shows 59:59.
    """
    return math.floor(seconds * 1000 + _NOISE_MS)


def whole_seconds(ms: int) -> int:
    """The whole seconds a player shows for a length in milliseconds (rounded down)."""
    return max(0, ms) // 1000


def clock(ms: int) -> str:
    """A length or a moment as players show it: "0:04", "1:15", "59:59", "1:02:03"."""
    hours, rest = divmod(whole_seconds(ms), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def iso_duration(ms: int) -> str:
    """The same whole seconds as ISO 8601, for <time datetime> and schema.org: "PT1M15S"."""
    hours, rest = divmod(whole_seconds(ms), 3600)
    minutes, seconds = divmod(rest, 60)
    text = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return f"PT{text}{seconds}S"

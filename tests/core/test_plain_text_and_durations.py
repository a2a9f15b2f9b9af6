"""Plain text is not escaped text; lengths read as the player shows them; dates in Amsterdam."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask

from kispub.core.dates import day_date, long_date, long_datetime
from kispub.core.durations import clock, iso_duration, probed_ms, whole_seconds
from kispub.core.markdown import markdown_to_text

AWKWARD = "Integratie & Samenleving <b>vet</b> <script>alert(1)</script> \"double\" and 'single'"


def test_plain_text_is_the_text_as_written_not_html() -> None:
    assert markdown_to_text(AWKWARD) == AWKWARD
    assert markdown_to_text("**Hallo** _wereld_ &amp; co") == "Hallo wereld & co"  # an entity
    assert markdown_to_text("") == ""


def test_plain_text_has_no_control_characters_even_from_entities() -> None:
    # XML and iCalendar cannot carry C0 controls or DEL, typed or written as an entity.
    plain = markdown_to_text("a\x0bb &#127; &#11; c\x01")
    assert plain.startswith("a\nb ") and plain.endswith(" c")
    assert not any((ord(char) < 32 and char != "\n") or ord(char) == 127 for char in plain)


@pytest.mark.parametrize(
    ("seconds", "ms", "shown", "iso"),
    [
        (4.6, 4600, "0:04", "PT4S"),  # the player floors: 0:04, never "5 sec"
        (75.0, 75000, "1:15", "PT1M15S"),  # never "1 min"
        (3599.9, 3599900, "59:59", "PT59M59S"),
        (3600.0, 3600000, "1:00:00", "PT1H0S"),
        (3723.0, 3723000, "1:02:03", "PT1H2M3S"),
        (3599.9996, 3599999, "59:59", "PT59M59S"),  # rounding to ms would make it 1:00:00
        (74.99999999999999, 75000, "1:15", "PT1M15S"),  # float noise is not a lost second
    ],
)
def test_a_length_reads_as_the_player_shows_it(
    seconds: float, ms: int, shown: str, iso: str
) -> None:
    assert probed_ms(seconds) == ms
    assert clock(ms) == shown
    assert iso_duration(ms) == iso
    assert whole_seconds(ms) == int(seconds + 1e-9)


@pytest.mark.parametrize(
    ("moment", "long", "short"),
    [
        # 23:30 UTC is the next day in Amsterdam, in winter (+1) and in summer (+2).
        (datetime(2026, 12, 6, 23, 30, tzinfo=UTC), "maandag 7 december 2026", "7 december 2026"),
        (datetime(2026, 7, 14, 23, 30, tzinfo=UTC), "woensdag 15 juli 2026", "15 juli 2026"),
    ],
)
def test_the_two_date_formats_give_the_amsterdam_day(
    app: Flask, moment: datetime, long: str, short: str
) -> None:
    with app.test_request_context():
        assert long_date(moment) == long
        assert day_date(moment) == short
        assert long_datetime(moment).startswith(f"{long} om 0")

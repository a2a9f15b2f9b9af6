"""Amsterdam wall-clock times as editors type them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kispub.core.localtime import (
    NonExistentLocalTime,
    amsterdam_iso,
    from_amsterdam,
    to_amsterdam,
)


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        (datetime(2027, 1, 14, 14), datetime(2027, 1, 14, 13, tzinfo=UTC)),
        (datetime(2027, 7, 1, 14), datetime(2027, 7, 1, 12, tzinfo=UTC)),
        (datetime(2027, 3, 28, 1, 59), datetime(2027, 3, 28, 0, 59, tzinfo=UTC)),
        (datetime(2027, 3, 28, 3, 0), datetime(2027, 3, 28, 1, 0, tzinfo=UTC)),
        # 02:30 on 31 October 2027 happens twice; the first time, still summer time, is meant.
        (datetime(2027, 10, 31, 2, 30), datetime(2027, 10, 31, 0, 30, tzinfo=UTC)),
        (datetime(2027, 10, 31, 3, 30), datetime(2027, 10, 31, 2, 30, tzinfo=UTC)),
    ],
)
def test_wall_clock_to_utc_and_back(local: datetime, utc: datetime) -> None:
    assert from_amsterdam(local) == utc
    assert from_amsterdam(local).tzinfo is UTC
    assert to_amsterdam(utc) == local


@pytest.mark.parametrize("minute", [0, 30, 59])
def test_the_skipped_spring_hour_is_refused(minute: int) -> None:
    with pytest.raises(NonExistentLocalTime, match=r"zondag 28 maart 2027 om 02:\d\d bestaat niet"):
        from_amsterdam(datetime(2027, 3, 28, 2, minute))


def test_aware_input_is_kept_as_the_same_instant() -> None:
    moment = datetime(2027, 3, 28, 12, tzinfo=UTC)

    assert from_amsterdam(moment) == moment
    assert amsterdam_iso(moment) == "2027-03-28T14:00:00+02:00"

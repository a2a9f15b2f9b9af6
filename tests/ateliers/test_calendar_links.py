"""Tests for the Google Calendar, Outlook.com and webcal:// links of an atelier."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from kispub.ateliers.calendar.ical import IcalEvent
from kispub.ateliers.calendar.links import google_calendar_url, outlook_calendar_url, webcal_url

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def make_event(**overrides: object) -> IcalEvent:
    """Return an atelier on the day summer time starts, given in Amsterdam time."""
    fields: dict[str, object] = {
        "uid": "atelier-7@kis.example",
        "summary": "Taal & werk: wat werkt? #inburgering +nieuwkomers",
        "description": "Twee uur over taal, werk en inburgering.\nMet één gastspreker.",
        "url": "https://kis.example/kennisateliers/7",
        "starts_at": datetime(2026, 3, 29, 10, 0, tzinfo=AMSTERDAM),
        "ends_at": datetime(2026, 3, 29, 12, 0, tzinfo=AMSTERDAM),
        "location": "De Populier, Utrecht",
        "status": "scheduled",
        "sequence": 0,
        "created_at": datetime(2026, 1, 5, 9, tzinfo=UTC),
        "updated_at": datetime(2026, 1, 6, 9, tzinfo=UTC),
    }
    fields.update(overrides)
    return IcalEvent(**fields)  # type: ignore[arg-type]


def query(url: str) -> dict[str, str]:
    """Return the query parameters of a URL, each expected exactly once."""
    parsed = parse_qs(urlsplit(url).query, keep_blank_values=True, strict_parsing=True)
    assert all(len(values) == 1 for values in parsed.values())
    return {name: values[0] for name, values in parsed.items()}


def test_google_link_points_at_the_template_action() -> None:
    url = urlsplit(google_calendar_url(make_event()))

    assert (url.scheme, url.netloc, url.path) == (
        "https",
        "calendar.google.com",
        "/calendar/render",
    )
    assert query(url.geturl())["action"] == "TEMPLATE"
    assert query(url.geturl())["ctz"] == "Europe/Amsterdam"


@pytest.mark.parametrize(
    ("local_start", "utc_start", "utc_end"),
    [
        (datetime(2026, 3, 29, 10), "20260329T080000Z", "20260329T100000Z"),
        (datetime(2026, 10, 25, 10), "20261025T090000Z", "20261025T110000Z"),
    ],
)
def test_google_dates_are_utc(local_start: datetime, utc_start: str, utc_end: str) -> None:
    starts_at = local_start.replace(tzinfo=AMSTERDAM)
    event = make_event(starts_at=starts_at, ends_at=starts_at.replace(hour=12))
    start, end = query(google_calendar_url(event))["dates"].split("/")

    assert (start, end) == (utc_start, utc_end)
    parsed = datetime.strptime(start, "%Y%m%dT%H%M%S%z")
    assert parsed == event.starts_at
    assert parsed.utcoffset() is not None
    assert parsed.utcoffset().total_seconds() == 0


def test_google_text_fields_round_trip() -> None:
    event = make_event()
    params = query(google_calendar_url(event))

    assert params["text"] == event.summary
    assert params["details"] == f"{event.description}\n\n{event.url}"
    assert params["location"] == "De Populier, Utrecht"


def test_outlook_link_points_at_compose() -> None:
    url = outlook_calendar_url(make_event())
    parts = urlsplit(url)
    params = query(url)

    assert (parts.netloc, parts.path) == ("outlook.live.com", "/calendar/0/action/compose")
    assert params["path"] == "/calendar/action/compose"
    assert params["rru"] == "addevent"


def test_outlook_times_are_utc() -> None:
    event = make_event()
    params = query(outlook_calendar_url(event))

    assert params["startdt"] == "2026-03-29T08:00:00Z"
    assert params["enddt"] == "2026-03-29T10:00:00Z"
    assert datetime.fromisoformat(params["startdt"]) == event.starts_at
    assert datetime.fromisoformat(params["enddt"]) == event.ends_at


def test_outlook_text_fields_round_trip() -> None:
    event = make_event()
    params = query(outlook_calendar_url(event))

    assert params["subject"] == event.summary
    assert params["body"] == f"{event.description}\n\n{event.url}"
    assert params["location"] == event.location


@pytest.mark.parametrize("build", [google_calendar_url, outlook_calendar_url])
def test_links_percent_encode_text(build: object) -> None:
    url = build(make_event())  # type: ignore[operator]
    raw_query = urlsplit(url).query

    # A literal '+' would read back as a space; '&' and '#' would cut the value short.
    assert "%20" in raw_query
    assert "+" not in raw_query
    assert "#" not in url
    assert "%26" in raw_query  # the '&' in the title
    assert raw_query.isascii()


@pytest.mark.parametrize("build", [google_calendar_url, outlook_calendar_url])
def test_links_leave_out_an_unknown_location(build: object) -> None:
    url = build(make_event(location=None))  # type: ignore[operator]

    assert "location" not in query(url)


@pytest.mark.parametrize(
    ("feed", "expected"),
    [
        ("https://kis.example/kennisateliers.ics", "webcal://kis.example/kennisateliers.ics"),
        ("http://localhost:5000/agenda.ics?t=abc", "webcal://localhost:5000/agenda.ics?t=abc"),
        ("HTTPS://kis.example/a.ics", "webcal://kis.example/a.ics"),
    ],
)
def test_webcal_url(feed: str, expected: str) -> None:
    assert webcal_url(feed) == expected


@pytest.mark.parametrize("bad", ["ftp://kis.example/a.ics", "kis.example/a.ics", "webcal://x"])
def test_webcal_url_refuses_other_schemes(bad: str) -> None:
    with pytest.raises(ValueError, match="http"):
        webcal_url(bad)

"""The calendar feeds over HTTP, parsed back with icalendar and checked property by property."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kispub.ateliers.services.editing import update_atelier
from kispub.ateliers.services.lifecycle import cancel_atelier
from tests.ateliers.helpers import (
    AMSTERDAM,
    atelier_data,
    events_by_uid,
    make_atelier,
    parse_calendar,
    register,
    soon,
)
from tests.factories import make_theme


def get_calendar(client: FlaskClient, path: str):
    with client.get(path) as response:
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
        return response, parse_calendar(response.data)


def test_feed_event_properties(client: FlaskClient) -> None:
    theme = make_theme("Nieuwe migratie")
    atelier = make_atelier(
        title="Inburgering en participatie; wat werkt?",
        description="Over **taal** en werk.",
        theme_slugs=(theme.slug,),
        online=True,
        online_url="https://meet.example/geheim",
        speakers=(),
    )
    _, calendar = get_calendar(client, "/kennisateliers.ics")
    (vevent,) = calendar.events

    assert str(calendar["X-WR-CALNAME"]) == "KIS kennisateliers"
    assert str(calendar["SOURCE"]) == "https://kis.example/kennisateliers.ics"
    assert str(vevent["UID"]) == f"atelier-{atelier.id}@kis.example"
    assert str(vevent["SUMMARY"]) == "Inburgering en participatie; wat werkt?"
    assert str(vevent["DESCRIPTION"]) == "Over taal en werk."
    assert str(vevent["URL"]) == f"https://kis.example/kennisateliers/{atelier.slug}"
    assert vevent["DTSTART"].dt == atelier.starts_at
    assert vevent["DTEND"].dt == atelier.ends_at
    assert str(vevent["LOCATION"]) == "Zaal De Populier, Stationsplein 1, Utrecht (en online)"
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert vevent["SEQUENCE"] == 0
    assert vevent.categories == ["Nieuwe migratie"]
    assert vevent["DTSTAMP"].dt == atelier.updated_at.replace(microsecond=0)
    assert vevent["LAST-MODIFIED"].dt == atelier.updated_at.replace(microsecond=0)
    assert vevent["CREATED"].dt == atelier.created_at.replace(microsecond=0)


def test_public_feeds_carry_no_meeting_link_or_attendee_data(client: FlaskClient) -> None:
    theme = make_theme("Onderwijs")
    atelier = make_atelier(
        online=True, online_url="https://meet.example/geheim-123", theme_slugs=(theme.slug,)
    )
    register(atelier, "anna.geheim@example.org", name="Anna Geheim", organisation="Org X")

    for path in (
        "/kennisateliers.ics",
        f"/kennisateliers/thema/{theme.slug}.ics",
        f"/kennisateliers/{atelier.slug}.ics",
    ):
        with client.get(path) as response:
            body = response.data.decode()
        assert "geheim-123" not in body
        assert "CONFERENCE" not in body
        assert "Anna" not in body and "anna.geheim" not in body and "Org X" not in body
        assert "ATTENDEE" not in body


@pytest.mark.parametrize(
    ("local_start", "expected_utc", "line"),
    [
        # Sunday 28 March 2027: summer time starts at 02:00; 14:00 is UTC+2.
        (datetime(2027, 3, 28, 14), datetime(2027, 3, 28, 12, tzinfo=UTC), "20270328T140000"),
        # The day before is still winter time: 14:00 is UTC+1.
        (datetime(2027, 3, 27, 14), datetime(2027, 3, 27, 13, tzinfo=UTC), "20270327T140000"),
        # Sunday 31 October 2027: summer time ends at 03:00; 10:00 is UTC+1 again.
        (datetime(2027, 10, 31, 10), datetime(2027, 10, 31, 9, tzinfo=UTC), "20271031T100000"),
        (datetime(2027, 10, 30, 10), datetime(2027, 10, 30, 8, tzinfo=UTC), "20271030T100000"),
    ],
)
def test_wall_clock_times_on_both_sides_of_a_dst_change(
    client: FlaskClient, local_start: datetime, expected_utc: datetime, line: str
) -> None:
    starts_at = local_start.replace(tzinfo=AMSTERDAM)
    make_atelier(starts_at=starts_at, ends_at=starts_at + timedelta(hours=2))
    response, calendar = get_calendar(client, "/kennisateliers.ics")
    (vevent,) = calendar.events
    from_rules = calendar.timezones[0].to_tz(lookup_tzid=False)  # the VTIMEZONE we wrote

    assert f"DTSTART;TZID=Europe/Amsterdam:{line}" in response.data.decode()
    assert vevent["DTSTART"].dt.astimezone(UTC) == expected_utc
    assert vevent["DTSTART"].dt.replace(tzinfo=from_rules).astimezone(UTC) == expected_utc
    assert vevent["DTEND"].dt.astimezone(UTC) == expected_utc + timedelta(hours=2)


def test_feed_holds_upcoming_and_recent_ateliers(app: Flask, client: FlaskClient) -> None:
    app.config["ATELIER_FEED_PAST_DAYS"] = 28
    upcoming = make_atelier(starts_at=soon(days=10))
    recent = make_atelier(starts_at=soon(days=-20))
    old = make_atelier(starts_at=soon(days=-40))
    _, calendar = get_calendar(client, "/kennisateliers.ics")
    uids = set(events_by_uid(calendar))

    assert f"atelier-{upcoming.id}@kis.example" in uids
    assert f"atelier-{recent.id}@kis.example" in uids
    assert f"atelier-{old.id}@kis.example" not in uids


def test_theme_feed_holds_only_the_theme(client: FlaskClient) -> None:
    onderwijs, arbeid = make_theme("Onderwijs"), make_theme("Arbeidsmarkt")
    on_theme = make_atelier(theme_slugs=(onderwijs.slug, arbeid.slug))
    make_atelier(theme_slugs=(arbeid.slug,))
    _, calendar = get_calendar(client, "/kennisateliers/thema/onderwijs.ics")

    assert list(events_by_uid(calendar)) == [f"atelier-{on_theme.id}@kis.example"]
    assert str(calendar["X-WR-CALNAME"]) == "KIS kennisateliers: Onderwijs"
    assert client.get("/kennisateliers/thema/bestaat-niet.ics").status_code == 404


def test_cancelled_atelier_stays_with_status_cancelled_and_higher_sequence(
    client: FlaskClient,
) -> None:
    atelier = make_atelier()
    cancel_atelier(atelier.id)
    _, calendar = get_calendar(client, "/kennisateliers.ics")
    (vevent,) = calendar.events

    assert str(vevent["UID"]) == f"atelier-{atelier.id}@kis.example"
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert vevent["SEQUENCE"] == 1


def test_a_new_time_keeps_the_uid_and_raises_sequence_and_dtstamp(client: FlaskClient) -> None:
    atelier = make_atelier()
    _, before = get_calendar(client, "/kennisateliers.ics")
    new_start = atelier.starts_at + timedelta(days=7)
    data = atelier_data(title=atelier.title, slug=atelier.slug, starts_at=new_start)
    update_atelier(atelier.id, data)
    _, after = get_calendar(client, "/kennisateliers.ics")
    (old_event,), (new_event,) = before.events, after.events

    assert str(new_event["UID"]) == str(old_event["UID"])
    assert new_event["SEQUENCE"] == old_event["SEQUENCE"] + 1
    assert new_event["DTSTART"].dt == new_start
    assert new_event["DTSTAMP"].dt >= old_event["DTSTAMP"].dt
    assert new_event["LAST-MODIFIED"].dt >= old_event["LAST-MODIFIED"].dt


def test_unchanged_feed_is_byte_identical_and_answers_304(client: FlaskClient) -> None:
    atelier = make_atelier()
    with client.get("/kennisateliers.ics") as first:
        etag, last_modified, body = (
            first.headers["ETag"],
            first.headers["Last-Modified"],
            first.data,
        )
    register(atelier)  # registrations do not change the feed
    with client.get("/kennisateliers.ics") as second:
        assert second.data == body
        assert second.headers["ETag"] == etag
    with client.get("/kennisateliers.ics", headers={"If-None-Match": etag}) as cached:
        assert cached.status_code == 304
        assert cached.data == b""
    with client.get("/kennisateliers.ics", headers={"If-Modified-Since": last_modified}) as cached:
        assert cached.status_code == 304


def test_a_change_changes_the_etag(client: FlaskClient) -> None:
    atelier = make_atelier()
    with client.get("/kennisateliers.ics") as first:
        etag = first.headers["ETag"]
    update_atelier(atelier.id, atelier_data(title="Nieuwe titel", slug=atelier.slug))
    with client.get("/kennisateliers.ics", headers={"If-None-Match": etag}) as second:
        assert second.status_code == 200
        assert "Nieuwe titel" in second.data.decode()


def test_single_atelier_ics_is_a_download(client: FlaskClient) -> None:
    atelier = make_atelier()
    response, calendar = get_calendar(client, f"/kennisateliers/{atelier.slug}.ics")

    assert response.headers["Content-Disposition"] == f'attachment; filename="{atelier.slug}.ics"'
    assert response.headers["ETag"]
    assert [str(v["UID"]) for v in calendar.events] == [f"atelier-{atelier.id}@kis.example"]
    assert client.get("/kennisateliers/bestaat-niet.ics").status_code == 404


def test_empty_feed_is_valid(client: FlaskClient) -> None:
    _, calendar = get_calendar(client, "/kennisateliers.ics")

    assert calendar.events == []

"""Tests for the iCalendar output of kennisateliers, read back with icalendar's own parser."""

from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

import kispub.ateliers.calendar.ical as ical
from kispub.ateliers.calendar.ical import IcalCalendar, IcalEvent, atelier_uid, render_calendar

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DATE_TIME_LINE = re.compile(r"^(?P<name>[A-Z-]+)(?P<params>;[^:]*)?:(?P<value>\d{8}T\d{6}Z?)$")


def make_event(**overrides: object) -> IcalEvent:
    """Return an atelier on a plain winter afternoon, with fields overridable."""
    fields: dict[str, object] = {
        "uid": atelier_uid(1, "kis.example"),
        "summary": "Institutioneel racisme",
        "description": "Een kennisatelier over institutioneel racisme.",
        "url": "https://kis.example/kennisateliers/1",
        "starts_at": datetime(2026, 1, 15, 13, 0, tzinfo=UTC),
        "ends_at": datetime(2026, 1, 15, 15, 0, tzinfo=UTC),
        "location": "Online",
        "status": "scheduled",
        "sequence": 0,
        "created_at": datetime(2025, 11, 3, 9, 15, tzinfo=UTC),
        "updated_at": datetime(2025, 12, 1, 16, 45, 30, tzinfo=UTC),
    }
    fields.update(overrides)
    return IcalEvent(**fields)  # type: ignore[arg-type]


def make_calendar(**overrides: object) -> IcalCalendar:
    """Return the public atelier feed's calendar data, with fields overridable."""
    fields: dict[str, object] = {
        "name": "KIS kennisateliers",
        "description": "Alle kennisateliers van het Kennisplatform Integratie & Samenleving",
        "url": "https://kis.example/kennisateliers.ics",
        "organizer_name": "Kennisplatform Integratie & Samenleving",
        "organizer_email": "kennisateliers@kis.example",
    }
    fields.update(overrides)
    return IcalCalendar(**fields)  # type: ignore[arg-type]


def parse(data: bytes) -> Calendar:
    """Parse rendered output with icalendar, as a subscribing client would."""
    return Calendar.from_ical(data)


def unfolded_lines(data: bytes) -> list[str]:
    """Return the content lines with RFC 5545 folding undone."""
    return data.decode("utf-8").replace("\r\n ", "").split("\r\n")[:-1]


def component_lines(data: bytes, name: str) -> list[list[str]]:
    """Return the content lines of each component called `name`, nested ones included."""
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for line in unfolded_lines(data):
        if line == f"BEGIN:{name}":
            current = []
        elif line == f"END:{name}":
            blocks.append(current or [])
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def three_events() -> list[IcalEvent]:
    """Return a scheduled, a postponed online and a cancelled atelier, out of order."""
    return [
        make_event(
            uid=atelier_uid(3, "kis.example"),
            starts_at=datetime(2026, 7, 2, 12, tzinfo=UTC),
            ends_at=datetime(2026, 7, 2, 14, tzinfo=UTC),
            status="cancelled",
            sequence=4,
        ),
        make_event(),
        make_event(
            uid=atelier_uid(2, "kis.example"),
            starts_at=datetime(2026, 3, 29, 8, tzinfo=UTC),
            ends_at=datetime(2026, 3, 29, 10, tzinfo=UTC),
            status="postponed",
            conference_url="https://meet.kis.example/atelier-2",
            categories=("Inburgering", "Onderwijs"),
        ),
    ]


def test_calendar_properties() -> None:
    cal = parse(render_calendar(make_calendar(), three_events()))

    assert cal["PRODID"] == "-//Kennisplatform Integratie & Samenleving//kispub//NL"
    assert cal["VERSION"] == "2.0"
    assert cal["CALSCALE"] == "GREGORIAN"
    assert cal["METHOD"] == "PUBLISH"
    assert cal["NAME"] == "KIS kennisateliers"
    assert cal["X-WR-CALNAME"] == "KIS kennisateliers"
    assert cal["X-WR-TIMEZONE"] == "Europe/Amsterdam"
    description = "Alle kennisateliers van het Kennisplatform Integratie & Samenleving"
    assert cal["DESCRIPTION"] == description
    assert cal["X-WR-CALDESC"] == description
    assert cal["SOURCE"] == "https://kis.example/kennisateliers.ics"


def test_calendar_has_no_uid() -> None:
    data = render_calendar(make_calendar(), three_events())

    assert "UID" not in parse(data)
    calendar_level = unfolded_lines(data)[: unfolded_lines(data).index("BEGIN:VTIMEZONE")]
    assert not [line for line in calendar_level if line.startswith("UID")]


def test_optional_calendar_properties_are_left_out() -> None:
    cal = parse(render_calendar(make_calendar(description=None, url=None), [make_event()]))

    for name in ("DESCRIPTION", "X-WR-CALDESC", "SOURCE"):
        assert name not in cal


def test_refresh_interval_is_a_duration() -> None:
    data = render_calendar(make_calendar(refresh=timedelta(hours=6)), [make_event()])
    cal = parse(data)

    assert "REFRESH-INTERVAL;VALUE=DURATION:PT6H" in unfolded_lines(data)
    assert cal["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert cal.refresh_interval == timedelta(hours=6)
    assert "X-PUBLISHED-TTL:PT6H" in unfolded_lines(data)


def test_every_event_has_the_required_properties() -> None:
    events = three_events()
    cal = parse(render_calendar(make_calendar(), events))
    required = {"UID", "DTSTAMP", "CREATED", "LAST-MODIFIED", "SEQUENCE", "ORGANIZER"}
    required |= {"DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "URL", "LOCATION", "STATUS"}
    required |= {"TRANSP", "CLASS"}

    assert len(cal.events) == len(events)
    for vevent in cal.events:
        assert required <= set(vevent.keys())
        assert vevent["TRANSP"] == "OPAQUE"
        assert vevent["CLASS"] == "PUBLIC"


def test_event_values_match_the_input() -> None:
    event = make_event(sequence=3)
    vevent = parse(render_calendar(make_calendar(), [event])).events[0]

    assert vevent["UID"] == "atelier-1@kis.example"
    assert vevent["SUMMARY"] == event.summary
    assert vevent["DESCRIPTION"] == event.description
    assert vevent["URL"] == event.url
    assert vevent["LOCATION"] == "Online"
    assert vevent["SEQUENCE"] == 3
    assert vevent["CREATED"].dt == event.created_at
    assert vevent["LAST-MODIFIED"].dt == event.updated_at
    # DTSTAMP is the last change, not the request time, so the feed can stay byte-identical.
    assert vevent["DTSTAMP"].dt == event.updated_at


def test_organizer_has_name_and_mailto() -> None:
    vevent = parse(render_calendar(make_calendar(), [make_event()])).events[0]

    assert vevent["ORGANIZER"] == "mailto:kennisateliers@kis.example"
    assert vevent["ORGANIZER"].params["CN"] == "Kennisplatform Integratie & Samenleving"


def test_text_is_escaped_and_round_trips() -> None:
    event = make_event(
        summary="Racisme; wat werkt, en wat niet?",
        description="Eerste regel, met komma.\nTweede regel; met \\ backslash en één café.",
        location="De Populier, Zaal 2; Utrecht",
    )
    data = render_calendar(make_calendar(), [event])
    vevent = parse(data).events[0]

    assert "SUMMARY:Racisme\\; wat werkt\\, en wat niet?" in unfolded_lines(data)
    assert vevent["SUMMARY"] == event.summary
    assert vevent["DESCRIPTION"] == event.description
    assert vevent["LOCATION"] == event.location


def test_location_is_left_out_when_unknown() -> None:
    vevent = parse(render_calendar(make_calendar(), [make_event(location=None)])).events[0]

    assert "LOCATION" not in vevent


def test_no_floating_times() -> None:
    data = render_calendar(make_calendar(), three_events())
    tzids = {timezone.tz_name for timezone in parse(data).timezones}
    checked = 0

    for block in component_lines(data, "VEVENT"):
        for line in block:
            match = DATE_TIME_LINE.match(line)
            if not match:
                continue
            checked += 1
            tzid = re.search(r";TZID=([^;:]+)", match["params"] or "")
            assert match["value"].endswith("Z") or (tzid and tzid[1] in tzids), line
    assert checked == 3 * 5  # DTSTAMP, CREATED, LAST-MODIFIED, DTSTART, DTEND per event


def test_no_missing_timezones() -> None:
    cal = parse(render_calendar(make_calendar(), three_events()))

    assert cal.get_used_tzids() == {"Europe/Amsterdam"}
    assert cal.get_missing_tzids() == set()


def test_vtimezone_is_written_with_yearly_rules() -> None:
    data = render_calendar(make_calendar(), three_events())
    (timezone,) = parse(data).timezones
    (standard,) = timezone.walk("STANDARD")
    (daylight,) = timezone.walk("DAYLIGHT")

    assert timezone["TZID"] == "Europe/Amsterdam"
    assert not [line for line in component_lines(data, "VTIMEZONE")[0] if "RDATE" in line]
    assert standard["RRULE"] == {"FREQ": ["YEARLY"], "BYMONTH": [10], "BYDAY": ["-1SU"]}
    assert daylight["RRULE"] == {"FREQ": ["YEARLY"], "BYMONTH": [3], "BYDAY": ["-1SU"]}
    assert standard["DTSTART"].dt == datetime(1970, 10, 25, 3)
    assert daylight["DTSTART"].dt == datetime(1970, 3, 29, 2)
    assert (standard["TZOFFSETFROM"].td, standard["TZOFFSETTO"].td) == (
        timedelta(hours=2),
        timedelta(hours=1),
    )
    assert (daylight["TZOFFSETFROM"].td, daylight["TZOFFSETTO"].td) == (
        timedelta(hours=1),
        timedelta(hours=2),
    )
    assert (standard["TZNAME"], daylight["TZNAME"]) == ("CET", "CEST")


def test_vtimezone_agrees_with_tzdata_through_2040() -> None:
    (timezone,) = parse(render_calendar(make_calendar(), [make_event()])).timezones
    # lookup_tzid=False makes icalendar build the zone from our rules, not from tzdata.
    from_rules = timezone.to_tz(lookup_tzid=False)
    # Each day of the changeover months at 01:00 and 12:00 (before and after a change)
    # and the middle of every other month; the hour between 02:00 and 03:00 is ambiguous.
    moments = [
        datetime(year, month, day, hour)
        for year in range(2020, 2041)
        for month in range(1, 13)
        for day in (range(1, 32) if month in (3, 10) else (15,))
        for hour in (1, 12)
    ]

    for moment in moments:
        expected = moment.replace(tzinfo=AMSTERDAM).utcoffset()
        assert moment.replace(tzinfo=from_rules).utcoffset() == expected, moment


def test_no_vtimezone_without_events() -> None:
    data = render_calendar(make_calendar(), [])
    cal = parse(data)

    assert cal.timezones == []
    assert cal.events == []
    assert cal["METHOD"] == "PUBLISH"


@pytest.mark.parametrize(
    ("local_start", "local_end", "utc_start", "utc_end"),
    [
        # 29 March 2026: summer time starts at 02:00, so 10:00 is already UTC+2.
        ("20260329T100000", "20260329T120000", datetime(2026, 3, 29, 8), datetime(2026, 3, 29, 10)),
        # 25 October 2026: summer time ends at 03:00, so 10:00 is UTC+1 again.
        (
            "20261025T100000",
            "20261025T120000",
            datetime(2026, 10, 25, 9),
            datetime(2026, 10, 25, 11),
        ),
        (
            "20260115T140000",
            "20260115T160000",
            datetime(2026, 1, 15, 13),
            datetime(2026, 1, 15, 15),
        ),
        (
            "20260702T140000",
            "20260702T163000",
            datetime(2026, 7, 2, 12),
            datetime(2026, 7, 2, 14, 30),
        ),
    ],
)
def test_wall_clock_times_around_daylight_saving_changes(
    local_start: str, local_end: str, utc_start: datetime, utc_end: datetime
) -> None:
    utc_start, utc_end = utc_start.replace(tzinfo=UTC), utc_end.replace(tzinfo=UTC)
    data = render_calendar(make_calendar(), [make_event(starts_at=utc_start, ends_at=utc_end)])
    cal = parse(data)
    vevent = cal.events[0]
    from_rules = cal.timezones[0].to_tz(lookup_tzid=False)

    assert f"DTSTART;TZID=Europe/Amsterdam:{local_start}" in unfolded_lines(data)
    assert f"DTEND;TZID=Europe/Amsterdam:{local_end}" in unfolded_lines(data)
    assert vevent["DTSTART"].dt.astimezone(UTC) == utc_start
    assert vevent["DTEND"].dt.astimezone(UTC) == utc_end
    # The same wall-clock times read through the VTIMEZONE we wrote, as Outlook would.
    wall_start = vevent["DTSTART"].dt.replace(tzinfo=from_rules)
    wall_end = vevent["DTEND"].dt.replace(tzinfo=from_rules)
    assert (wall_start.astimezone(UTC), wall_end.astimezone(UTC)) == (utc_start, utc_end)


def test_input_zone_does_not_change_the_output() -> None:
    in_utc = make_event(
        starts_at=datetime(2026, 3, 29, 8, tzinfo=UTC),
        ends_at=datetime(2026, 3, 29, 10, tzinfo=UTC),
    )
    elsewhere = ZoneInfo("America/New_York")
    in_new_york = replace(
        in_utc,
        starts_at=in_utc.starts_at.astimezone(elsewhere),
        ends_at=in_utc.ends_at.astimezone(elsewhere),
        updated_at=in_utc.updated_at.astimezone(elsewhere),
    )

    assert render_calendar(make_calendar(), [in_utc]) == render_calendar(
        make_calendar(), [in_new_york]
    )


def test_uids_are_stable_and_unique() -> None:
    cal = parse(render_calendar(make_calendar(), three_events()))
    uids = [str(vevent["UID"]) for vevent in cal.events]

    assert atelier_uid(42, "kis.example") == "atelier-42@kis.example"
    assert sorted(uids) == [f"atelier-{n}@kis.example" for n in (1, 2, 3)]
    assert len(set(uids)) == len(uids)


def test_duplicate_uids_are_refused() -> None:
    with pytest.raises(ValueError, match="UID"):
        render_calendar(make_calendar(), [make_event(), make_event(summary="Kopie")])


@pytest.mark.parametrize(
    ("status", "expected"),
    [("scheduled", "CONFIRMED"), ("postponed", "TENTATIVE"), ("cancelled", "CANCELLED")],
)
def test_status_is_mapped(status: str, expected: str) -> None:
    vevent = parse(render_calendar(make_calendar(), [make_event(status=status)])).events[0]

    assert vevent["STATUS"] == expected


def test_cancelled_event_stays_in_the_feed() -> None:
    cal = parse(render_calendar(make_calendar(), three_events()))
    by_uid = {str(vevent["UID"]): vevent for vevent in cal.events}

    assert by_uid["atelier-3@kis.example"]["STATUS"] == "CANCELLED"
    assert by_uid["atelier-3@kis.example"]["SEQUENCE"] == 4


def test_sequence_is_written_as_given() -> None:
    cal = parse(render_calendar(make_calendar(), three_events()))

    assert {str(v["UID"]): v["SEQUENCE"] for v in cal.events} == {
        "atelier-1@kis.example": 0,
        "atelier-2@kis.example": 0,
        "atelier-3@kis.example": 4,
    }


def test_conference_only_when_a_conference_url_is_given() -> None:
    data = render_calendar(make_calendar(), three_events())
    by_uid = {str(v["UID"]): v for v in parse(data).events}
    conference_lines = [line for line in unfolded_lines(data) if line.startswith("CONFERENCE")]

    assert "CONFERENCE" not in by_uid["atelier-1@kis.example"]
    assert "CONFERENCE" not in by_uid["atelier-3@kis.example"]
    (conference,) = by_uid["atelier-2@kis.example"].conferences
    assert conference.uri == "https://meet.kis.example/atelier-2"
    assert conference.feature == "VIDEO"
    assert conference.label == "Online deelnemen"
    assert len(conference_lines) == 1
    assert ";VALUE=URI" in conference_lines[0]


def test_categories_only_when_given() -> None:
    by_uid = {
        str(v["UID"]): v for v in parse(render_calendar(make_calendar(), three_events())).events
    }

    assert by_uid["atelier-2@kis.example"].categories == ["Inburgering", "Onderwijs"]
    assert "CATEGORIES" not in by_uid["atelier-1@kis.example"]


def test_events_are_ordered_by_start_then_uid() -> None:
    same_start = make_event(uid=atelier_uid(0, "kis.example"), summary="Zelfde tijd")
    events = [*three_events(), same_start]
    cal = parse(render_calendar(make_calendar(), events))

    assert [str(v["UID"]) for v in cal.events] == [
        "atelier-0@kis.example",
        "atelier-1@kis.example",
        "atelier-2@kis.example",
        "atelier-3@kis.example",
    ]


def test_render_is_deterministic() -> None:
    events = three_events()
    first = render_calendar(make_calendar(), events)

    assert render_calendar(make_calendar(), events) == first
    assert render_calendar(make_calendar(), list(reversed(events))) == first


def test_output_does_not_depend_on_process_or_host_zone() -> None:
    # A fresh interpreter with another hash seed and local zone must write the same bytes.
    # The child loads ical.py alone, as importing kispub would load the whole Flask app.
    script = (
        "import importlib.util, pickle, sys\n"
        "name = 'kispub.ateliers.calendar.ical'\n"
        "spec = importlib.util.spec_from_file_location(name, sys.argv[1])\n"
        "ical = sys.modules[spec.name] = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(ical)\n"
        "class Unpickler(pickle.Unpickler):\n"
        "    def find_class(self, module, name):\n"
        "        if module == spec.name:\n"
        "            return getattr(ical, name)\n"
        "        return super().find_class(module, name)\n"
        "calendar, events = Unpickler(sys.stdin.buffer).load()\n"
        "sys.stdout.buffer.write(ical.render_calendar(calendar, events))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "TZ": "Pacific/Auckland"}
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", script, ical.__file__],
        input=pickle.dumps((make_calendar(), three_events())),
        env=env,
        capture_output=True,
        check=True,
        timeout=60,
    )

    assert result.stdout == render_calendar(make_calendar(), three_events())


GOLDEN = (
    "BEGIN:VCALENDAR\r\n"
    "VERSION:2.0\r\n"
    "PRODID:-//Kennisplatform Integratie & Samenleving//kispub//NL\r\n"
    "CALSCALE:GREGORIAN\r\n"
    "METHOD:PUBLISH\r\n"
    "DESCRIPTION:Alle kennisateliers van het Kennisplatform Integratie & Samenl\r\n"
    " eving\r\n"
    "X-WR-CALDESC:Alle kennisateliers van het Kennisplatform Integratie & Samen\r\n"
    " leving\r\n"
    "NAME:KIS kennisateliers\r\n"
    "X-WR-CALNAME:KIS kennisateliers\r\n"
    "REFRESH-INTERVAL;VALUE=DURATION:PT12H\r\n"
    "SOURCE:https://kis.example/kennisateliers.ics\r\n"
    "X-PUBLISHED-TTL:PT12H\r\n"
    "X-WR-TIMEZONE:Europe/Amsterdam\r\n"
    "BEGIN:VTIMEZONE\r\n"
    "TZID:Europe/Amsterdam\r\n"
    "X-LIC-LOCATION:Europe/Amsterdam\r\n"
    "BEGIN:STANDARD\r\n"
    "DTSTART:19701025T030000\r\n"
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n"
    "TZNAME:CET\r\n"
    "TZOFFSETFROM:+0200\r\n"
    "TZOFFSETTO:+0100\r\n"
    "END:STANDARD\r\n"
    "BEGIN:DAYLIGHT\r\n"
    "DTSTART:19700329T020000\r\n"
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n"
    "TZNAME:CEST\r\n"
    "TZOFFSETFROM:+0100\r\n"
    "TZOFFSETTO:+0200\r\n"
    "END:DAYLIGHT\r\n"
    "END:VTIMEZONE\r\n"
    "BEGIN:VEVENT\r\n"
    "SUMMARY:Institutioneel racisme\r\n"
    "DTSTART;TZID=Europe/Amsterdam:20260115T140000\r\n"
    "DTEND;TZID=Europe/Amsterdam:20260115T160000\r\n"
    "DTSTAMP:20251201T164530Z\r\n"
    "UID:atelier-1@kis.example\r\n"
    "SEQUENCE:0\r\n"
    "CLASS:PUBLIC\r\n"
    "CREATED:20251103T091500Z\r\n"
    "DESCRIPTION:Een kennisatelier over institutioneel racisme.\r\n"
    "LAST-MODIFIED:20251201T164530Z\r\n"
    "LOCATION:Online\r\n"
    'ORGANIZER;CN="Kennisplatform Integratie & Samenleving":mailto:kennisatelie\r\n'
    " rs@kis.example\r\n"
    "STATUS:CONFIRMED\r\n"
    "TRANSP:OPAQUE\r\n"
    "URL:https://kis.example/kennisateliers/1\r\n"
    "END:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


def test_output_is_unchanged_when_rendered_later() -> None:
    # The expected bytes were rendered when this test was written; a clock anywhere in the
    # output (DTSTAMP = now, a fresh calendar UID) would make them differ.
    data = render_calendar(make_calendar(), [make_event()])

    assert data.decode("utf-8") == GOLDEN


def test_crlf_line_endings_and_folding_at_75_octets() -> None:
    event = make_event(
        summary="Kennisatelier: " + "ééé integratie " * 12,
        description="Een lange beschrijving met ë, é en ‘aanhalingstekens’. " * 10,
        url="https://kis.example/kennisateliers/1?" + "utm_source=nieuwsbrief&" * 6,
    )
    data = render_calendar(make_calendar(), [event])
    lines = data.split(b"\r\n")

    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"\r" not in data.replace(b"\r\n", b"")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # long lines were folded
    assert parse(data).events[0]["DESCRIPTION"] == event.description


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"starts_at": datetime(2026, 1, 15, 14)}, "starts_at must be timezone-aware"),
        ({"updated_at": datetime(2026, 1, 1)}, "updated_at must be timezone-aware"),
        ({"status": "verplaatst"}, "unknown atelier status"),
        ({"ends_at": datetime(2026, 1, 15, 12, tzinfo=UTC)}, "must end after it starts"),
        ({"sequence": -1}, "SEQUENCE"),
    ],
)
def test_invalid_events_are_refused(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_event(**overrides)


def test_non_positive_refresh_is_refused() -> None:
    with pytest.raises(ValueError, match="refresh"):
        make_calendar(refresh=timedelta(0))

"""iCalendar (RFC 5545, RFC 7986) output for kennisateliers, built from plain dataclasses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from icalendar import (
    Calendar,
    Conference,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vDuration,
    vRecur,
)

PRODID = "-//Kennisplatform Integratie & Samenleving//kispub//NL"
TZID = "Europe/Amsterdam"
AMSTERDAM = ZoneInfo(TZID)
STATUS_MAP = {"scheduled": "CONFIRMED", "postponed": "TENTATIVE", "cancelled": "CANCELLED"}


@dataclass(frozen=True)
class IcalEvent:
    """One kennisatelier as it appears in a calendar."""

    uid: str
    summary: str
    description: str
    url: str
    starts_at: datetime
    ends_at: datetime
    location: str | None
    status: str
    sequence: int
    created_at: datetime
    updated_at: datetime
    conference_url: str | None = None
    categories: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("starts_at", "ends_at", "created_at", "updated_at"):
            _require_aware(name, getattr(self, name))
        if self.status not in STATUS_MAP:
            raise ValueError(f"unknown atelier status {self.status!r}")
        if self.ends_at <= self.starts_at:
            raise ValueError(f"event {self.uid} must end after it starts")
        if self.sequence < 0:
            raise ValueError("SEQUENCE cannot be negative")


@dataclass(frozen=True)
class IcalCalendar:
    """The calendar-level data of a feed or a single-event .ics file."""

    name: str
    description: str | None
    url: str | None
    organizer_name: str
    organizer_email: str
    refresh: timedelta = timedelta(hours=12)
    method: str = "PUBLISH"

    def __post_init__(self) -> None:
        if self.refresh <= timedelta(0):
            raise ValueError("refresh must be a positive duration")


def atelier_uid(atelier_id: int, domain: str) -> str:
    """Return the stable UID of an atelier; it must never change once published."""
    if not domain:
        raise ValueError("a UID needs a domain to be globally unique")
    return f"atelier-{atelier_id}@{domain}"


def render_calendar(calendar: IcalCalendar, events: Sequence[IcalEvent]) -> bytes:
    """Render a calendar with the given events as RFC 5545 bytes (CRLF, folded lines)."""
    ordered = sorted(events, key=lambda event: (event.starts_at, event.uid))
    uids = [event.uid for event in ordered]
    if len(set(uids)) != len(uids):
        raise ValueError("every event in a calendar needs its own UID")
    vcalendar = _vcalendar(calendar)
    if ordered:
        vcalendar.add_component(amsterdam_vtimezone())
    for event in ordered:
        vcalendar.add_component(_vevent(event, calendar))
    return vcalendar.to_ical()


def _vcalendar(calendar: IcalCalendar) -> Calendar:
    """Build the VCALENDAR with its own properties and no subcomponents."""
    # Plain Calendar() rather than Calendar.new(): new() adds a calendar-level UID, and some
    # clients then treat every event in the feed as one and the same item.
    vcalendar = Calendar()
    vcalendar.add("PRODID", PRODID)
    vcalendar.add("VERSION", "2.0")
    vcalendar.add("CALSCALE", "GREGORIAN")
    vcalendar.add("METHOD", calendar.method)
    vcalendar.calendar_name = calendar.name  # NAME and X-WR-CALNAME
    if calendar.description:
        vcalendar.description = calendar.description  # DESCRIPTION and X-WR-CALDESC
    if calendar.url:
        vcalendar.add("SOURCE", calendar.url)
    vcalendar.add("X-WR-TIMEZONE", TZID)
    # RFC 7986 makes VALUE=DURATION mandatory on REFRESH-INTERVAL; Outlook reads the older
    # X-PUBLISHED-TTL instead, so both carry the same interval.
    vcalendar.add("REFRESH-INTERVAL", vDuration(calendar.refresh), parameters={"VALUE": "DURATION"})
    vcalendar.add("X-PUBLISHED-TTL", vDuration(calendar.refresh))
    return vcalendar


def _vevent(event: IcalEvent, calendar: IcalCalendar) -> Event:
    """Build one VEVENT; every timestamp comes from the event, never from the clock."""
    vevent = Event()
    vevent.add("UID", event.uid)
    # DTSTAMP follows updated_at so an unchanged feed stays byte-identical between requests.
    vevent.add("DTSTAMP", event.updated_at.astimezone(UTC))
    vevent.add("CREATED", event.created_at.astimezone(UTC))
    vevent.add("LAST-MODIFIED", event.updated_at.astimezone(UTC))
    vevent.add("SEQUENCE", event.sequence)
    vevent.add("ORGANIZER", _organizer(calendar))
    vevent.add("DTSTART", event.starts_at.astimezone(AMSTERDAM))
    vevent.add("DTEND", event.ends_at.astimezone(AMSTERDAM))
    vevent.add("SUMMARY", event.summary)
    vevent.add("DESCRIPTION", event.description)
    vevent.add("URL", event.url)
    if event.location:
        vevent.add("LOCATION", event.location)
    # A cancelled atelier stays in the feed: subscribed clients only drop it on STATUS.
    vevent.add("STATUS", STATUS_MAP[event.status])
    if event.categories:
        vevent.add("CATEGORIES", list(event.categories))
    vevent.add("TRANSP", "OPAQUE")
    vevent.add("CLASS", "PUBLIC")
    if event.conference_url:
        conference = Conference(event.conference_url, feature="VIDEO", label=_("Online deelnemen"))
        vevent.add("CONFERENCE", conference.to_uri())
    return vevent


def _organizer(calendar: IcalCalendar) -> vCalAddress:
    """Return the ORGANIZER that RFC 5546 requires on every VEVENT of a PUBLISH."""
    organizer = vCalAddress(f"mailto:{calendar.organizer_email}")
    organizer.params["CN"] = calendar.organizer_name
    return organizer


def amsterdam_vtimezone() -> Timezone:
    """Return a VTIMEZONE for Europe/Amsterdam written as two yearly rules."""
    # Built by hand: Timezone.from_tzid() writes one RDATE per transition, which Outlook
    # handles poorly; two yearly rules are the form Outlook and Google write themselves.
    # The rules hold from 1996 on; 1970 is the customary start and no atelier is older.
    vtimezone = Timezone()
    vtimezone.add("TZID", TZID)
    vtimezone.add("X-LIC-LOCATION", TZID)
    vtimezone.add_component(_observance(TimezoneStandard, "CET", datetime(1970, 10, 25, 3), 2, 1))
    vtimezone.add_component(_observance(TimezoneDaylight, "CEST", datetime(1970, 3, 29, 2), 1, 2))
    return vtimezone


def _observance(
    kind: type[TimezoneStandard | TimezoneDaylight],
    name: str,
    first_onset: datetime,
    hours_from: int,
    hours_to: int,
) -> TimezoneStandard | TimezoneDaylight:
    """Build a STANDARD or DAYLIGHT block that recurs on the last Sunday of its month."""
    observance = kind()
    observance.add("TZNAME", name)
    observance.add("TZOFFSETFROM", timedelta(hours=hours_from))
    observance.add("TZOFFSETTO", timedelta(hours=hours_to))
    # DTSTART of an observance is local time without TZID, as RFC 5545 3.6.5 requires.
    observance.add("DTSTART", first_onset)
    observance.add("RRULE", vRecur(freq="YEARLY", bymonth=first_onset.month, byday="-1SU"))
    return observance


def _require_aware(name: str, value: datetime) -> None:
    """Reject naive datetimes: they would become floating times in every client's zone."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")

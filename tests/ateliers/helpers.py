"""Builders and checks shared by the kennisateliers tests."""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar

from kispub.ateliers.models import Atelier
from kispub.ateliers.services.editing import AtelierData, create_atelier
from kispub.ateliers.services.registration import RegistrationData, register_for_atelier
from kispub.core import clock
from kispub.core.database import write_transaction
from kispub.extensions import db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
_counter = itertools.count(1)
DATE_TIME_LINE = re.compile(r"^(?P<name>[A-Z-]+)(?P<params>;[^:]*)?:(?P<value>\d{8}T\d{6}Z?)$")


def soon(days: int = 30, hour: int = 14) -> datetime:
    """A whole hour, Amsterdam time, some days from now, as aware UTC."""
    local = (clock.now().astimezone(AMSTERDAM) + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0, tzinfo=None
    )
    return local.replace(tzinfo=AMSTERDAM).astimezone(UTC)


def atelier_data(**overrides: Any) -> AtelierData:
    """A valid upcoming atelier on site, ten places, overridable."""
    n = next(_counter)
    starts_at = overrides.pop("starts_at", soon())
    data = AtelierData(
        title=f"Kennisatelier {n}",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        description="Een **kennisatelier** over integratie.",
        venue_name="Zaal De Populier",
        venue_address="Stationsplein 1, Utrecht",
        capacity=10,
    )
    return replace(data, **overrides)


def make_atelier(**overrides: Any) -> Atelier:
    """Create an atelier through the service."""
    return create_atelier(atelier_data(**overrides))


def register(atelier: Atelier | int, email: str | None = None, **overrides: Any):
    """Register someone for an atelier through the service."""
    atelier_id = atelier if isinstance(atelier, int) else atelier.id
    n = next(_counter)
    data = RegistrationData(
        name=overrides.pop("name", f"Deelnemer {n}"),
        email=email or f"deelnemer{n}@example.org",
        organisation=overrides.pop("organisation", "Gemeente Voorbeeld"),
        user_id=overrides.pop("user_id", None),
    )
    return register_for_atelier(atelier_id, data)


def parse_calendar(data: bytes) -> Calendar:
    """Parse a calendar as a subscribing client would and check what every one must hold."""
    calendar = Calendar.from_ical(data)
    assert calendar["VERSION"] == "2.0"
    assert calendar["METHOD"] == "PUBLISH"
    assert "UID" not in calendar  # a calendar-level UID makes some clients merge all events
    assert calendar.get_missing_tzids() == set()
    uids = [str(event["UID"]) for event in calendar.events]
    assert len(uids) == len(set(uids))
    for vevent in calendar.events:
        for name in ("DTSTART", "DTEND"):
            assert vevent[name].dt.tzinfo is not None, name
            assert vevent[name].params["TZID"] == "Europe/Amsterdam"
        for name in ("DTSTAMP", "CREATED", "LAST-MODIFIED"):
            assert vevent[name].dt.utcoffset() == timedelta(0), name
    _assert_no_floating_lines(data)
    return calendar


def _assert_no_floating_lines(data: bytes) -> None:
    text = data.decode("utf-8").replace("\r\n ", "")
    in_event = False
    for line in text.split("\r\n"):
        in_event = (in_event or line == "BEGIN:VEVENT") and line != "END:VEVENT"
        match = DATE_TIME_LINE.match(line) if in_event else None
        if match:
            assert match["value"].endswith("Z") or "TZID=" in (match["params"] or ""), line


def events_by_uid(calendar: Calendar) -> dict[str, Any]:
    """The VEVENTs of a calendar by UID."""
    return {str(vevent["UID"]): vevent for vevent in calendar.events}


def ics_attachment(message: EmailMessage) -> Calendar | None:
    """The text/calendar attachment of a message, parsed and checked, or None."""
    for part in message.iter_attachments():
        if part.get_content_type() == "text/calendar":
            assert part.get_param("method") == "PUBLISH"
            assert part.get_filename().endswith(".ics")
            return parse_calendar(part.get_payload(decode=True))
    return None


def body(message: EmailMessage) -> str:
    """The plain-text body of a message, with or without attachments."""
    part = message.get_body(("plain",))
    assert part is not None
    return part.get_content()


def move_to(atelier: Atelier, starts_at: datetime) -> None:
    """Let time pass: put an atelier (with its registrations) at another moment."""
    with write_transaction():
        stored = db.session.get(Atelier, atelier.id)
        stored.starts_at, stored.ends_at = starts_at, starts_at + timedelta(hours=2)

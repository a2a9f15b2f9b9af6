"""The "Add to calendar" menu: .ics, webcal:// subscription, Google Calendar, Outlook.com."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

from kispub.ateliers.calendar.feeds import ical_event
from kispub.ateliers.calendar.ical import TZID, IcalEvent
from kispub.ateliers.models import Atelier
from kispub.core.urls import absolute_url

GOOGLE_URL = "https://calendar.google.com/calendar/render"
OUTLOOK_URL = "https://outlook.live.com/calendar/0/action/compose"
# '/' and ':' may stay literal in a query (RFC 3986 3.4), which keeps the links readable.
_SAFE = "/:"
# Calendar links carry the text in the URL; keep them well under what browsers accept.
LINK_DESCRIPTION_CHARS = 400


@dataclass(frozen=True)
class CalendarLinks:
    """The "Add to calendar" menu of one atelier."""

    ics: str
    feed: str
    webcal: str
    google: str
    outlook: str


def calendar_links(atelier: Atelier) -> CalendarLinks:
    """Download, subscribe, Google Calendar and Outlook.com, for the atelier page."""
    event = ical_event(atelier)
    short = event.description
    if len(short) > LINK_DESCRIPTION_CHARS:
        short = short[: LINK_DESCRIPTION_CHARS - 1].rstrip() + "…"
    event = replace(event, description=short)
    feed = absolute_url("ateliers.feed")
    return CalendarLinks(
        ics=absolute_url("ateliers.atelier_ics", slug=atelier.slug),
        feed=feed,
        webcal=webcal_url(feed),
        google=google_calendar_url(event),
        outlook=outlook_calendar_url(event),
    )


def google_calendar_url(event: IcalEvent) -> str:
    """Return a Google Calendar link that opens a prefilled new event."""
    start = _utc(event.starts_at).strftime("%Y%m%dT%H%M%SZ")
    end = _utc(event.ends_at).strftime("%Y%m%dT%H%M%SZ")
    params = {
        "action": "TEMPLATE",
        "text": event.summary,
        "dates": f"{start}/{end}",
        "details": _details(event),
        "location": event.location,
        "ctz": TZID,  # only how Google shows the times; the instants are UTC
    }
    return _build(GOOGLE_URL, params)


def outlook_calendar_url(event: IcalEvent) -> str:
    """Return an Outlook.com link that opens a prefilled new event."""
    params = {
        "subject": event.summary,
        # With a trailing Z Outlook reads UTC; without it, the viewer's own zone.
        "startdt": _utc(event.starts_at).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "enddt": _utc(event.ends_at).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "body": _details(event),
        "location": event.location,
        "path": "/calendar/action/compose",
        "rru": "addevent",
    }
    return _build(OUTLOOK_URL, params)


def webcal_url(https_url: str) -> str:
    """Turn an http(s):// feed URL into webcal://, which opens the subscribe dialog."""
    scheme, separator, rest = https_url.partition("://")
    if not separator or scheme.lower() not in {"http", "https"}:
        raise ValueError(f"not an http(s) URL: {https_url!r}")
    return f"webcal://{rest}"


def _details(event: IcalEvent) -> str:
    """Return the event text plus its page, since these links have no URL field."""
    return f"{event.description}\n\n{event.url}" if event.description else event.url


def _build(base: str, params: dict[str, str | None]) -> str:
    """Join a base URL and the given parameters, percent-encoded with %20 for spaces."""
    # '+' means a space only under HTML-form rules; %20 means a space to every URL parser.
    present = {key: value for key, value in params.items() if value is not None}
    return f"{base}?{urlencode(present, safe=_SAFE, quote_via=quote)}"


def _utc(value: datetime) -> datetime:
    """Return the same instant in UTC."""
    return value.astimezone(UTC)

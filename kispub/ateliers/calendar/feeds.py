"""Ateliers as calendar data: the .ics of one atelier and the public feeds.

Public output never carries the meeting link or anything about attendees; only an
attendee's own .ics (in their e-mail) and their personal feed have the link, as an
RFC 7986 CONFERENCE property.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from email.utils import parseaddr

from flask import current_app

from kispub.ateliers.calendar.ical import IcalCalendar, IcalEvent, atelier_uid, render_calendar
from kispub.ateliers.models import Atelier
from kispub.ateliers.queries import feed_ateliers
from kispub.core.http import Document
from kispub.core.markdown import markdown_to_text
from kispub.core.text import clean_line, scrub
from kispub.core.urls import absolute_url, site_domain
from kispub.themes.models import Theme

MIMETYPE = "text/calendar"  # Werkzeug adds "; charset=utf-8"


def ical_event(atelier: Atelier, *, with_conference: bool = False) -> IcalEvent:
    """The atelier as a calendar event; the meeting link only when asked for.

    ``scrub``: a row stored before the text rule may hold a bare CR or control characters,
    which would end a content line early or break a client's parser.
    """
    conference = atelier.online_url if with_conference and atelier.online else None
    event = IcalEvent(
        uid=atelier_uid(atelier.id, site_domain()),
        summary=atelier.title,
        description=event_description(atelier),
        url=absolute_url("ateliers.show", slug=atelier.slug),
        starts_at=atelier.starts_at,
        ends_at=atelier.ends_at,
        location=atelier.location_text,
        status=atelier.status.value,
        sequence=atelier.sequence,
        created_at=atelier.created_at,
        updated_at=atelier.updated_at,
        conference_url=conference,
        categories=tuple(theme.name for theme in atelier.themes),
    )
    return scrub(event)


def event_description(atelier: Atelier) -> str:
    """Plain text: the description, then who speaks and who hosts."""
    parts = [markdown_to_text(atelier.description)]
    if atelier.speakers:
        parts.append("Sprekers: " + "; ".join(p.display for p in atelier.speakers))
    if atelier.hosts:
        parts.append("Gastheer/gastvrouw: " + "; ".join(p.display for p in atelier.hosts))
    return "\n\n".join(part for part in parts if part)


def calendar_header(name: str, description: str | None, source: str) -> IcalCalendar:
    """A calendar's own data: name, source and the site as organizer of every event."""
    config = current_app.config
    email = config.get("ATELIER_ORGANIZER_EMAIL") or parseaddr(config["MAIL_FROM"])[1]
    calendar = IcalCalendar(
        name=name,
        description=description,
        url=source,
        organizer_name=config["SITE_NAME"],
        organizer_email=email,
        refresh=timedelta(hours=config["ATELIER_FEED_REFRESH_HOURS"]),
    )
    # One line each: icalendar writes NAME/X-WR-CALNAME without escaping a line break, and
    # the name holds an atelier's title.
    return scrub(calendar, clean_line)


def atelier_ics(atelier: Atelier, *, with_conference: bool = False) -> bytes:
    """The .ics file of one atelier (with the meeting link only for an attendee's e-mail)."""
    source = absolute_url("ateliers.atelier_ics", slug=atelier.slug)
    calendar = calendar_header(f"Kennisatelier: {atelier.title}", None, source)
    return render_calendar(calendar, [ical_event(atelier, with_conference=with_conference)])


def atelier_document(atelier: Atelier) -> Document:
    """The public .ics of one atelier, with its validators."""
    return Document(atelier_ics(atelier), MIMETYPE, atelier.updated_at)


def _document(calendar: IcalCalendar, ateliers: Sequence[Atelier]) -> Document:
    events = [ical_event(a) for a in ateliers]
    last_modified = max((a.updated_at for a in ateliers), default=None)
    return Document(render_calendar(calendar, events), MIMETYPE, last_modified)


def public_feed(ateliers: Sequence[Atelier] | None = None) -> Document:
    """The feed of all ateliers, to subscribe to (``ateliers``: those of feed_ateliers())."""
    calendar = calendar_header(
        "KIS kennisateliers",
        "Kennisateliers van het Kennisplatform Integratie & Samenleving",
        absolute_url("ateliers.feed"),
    )
    return _document(calendar, feed_ateliers() if ateliers is None else ateliers)


def theme_feed(theme: Theme, ateliers: Sequence[Atelier] | None = None) -> Document:
    """The feed of the ateliers on one theme (``ateliers``: those of feed_ateliers(theme))."""
    calendar = calendar_header(
        f"KIS kennisateliers: {theme.name}",
        f"Kennisateliers over {theme.name} van het Kennisplatform Integratie & Samenleving",
        theme_feed_url(theme),
    )
    return _document(calendar, feed_ateliers(theme) if ateliers is None else ateliers)


def theme_feed_url(theme: Theme) -> str:
    """Where the theme's feed lives."""
    return absolute_url("ateliers.theme_feed", slug=theme.slug)

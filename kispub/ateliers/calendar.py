"""Ateliers as calendar data: the .ics of one atelier, the public feeds and personal feeds.

Public output never carries the meeting link or anything about attendees; only an
attendee's own .ics (in their e-mail) and their personal feed have the link, as an
RFC 7986 CONFERENCE property.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.utils import parseaddr

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from kispub.accounts.models import User
from kispub.ateliers.calendar_links import google_calendar_url, outlook_calendar_url, webcal_url
from kispub.ateliers.ical import IcalCalendar, IcalEvent, atelier_uid, render_calendar
from kispub.ateliers.models import Atelier, Registration, RegistrationStatus
from kispub.core import clock
from kispub.core.http import Document
from kispub.core.markdown import markdown_to_text
from kispub.core.urls import absolute_url, site_domain
from kispub.extensions import db
from kispub.themes.models import Theme

MIMETYPE = "text/calendar"  # Werkzeug adds "; charset=utf-8"
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


def ical_event(atelier: Atelier, *, with_conference: bool = False) -> IcalEvent:
    """The atelier as a calendar event; the meeting link only when asked for."""
    conference = atelier.online_url if with_conference and atelier.online else None
    return IcalEvent(
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


def event_description(atelier: Atelier) -> str:
    """Plain text: the description, then who speaks and who hosts."""
    parts = [markdown_to_text(atelier.description)]
    if atelier.speakers:
        parts.append("Sprekers: " + "; ".join(p.display for p in atelier.speakers))
    if atelier.hosts:
        parts.append("Gastheer/gastvrouw: " + "; ".join(p.display for p in atelier.hosts))
    return "\n\n".join(part for part in parts if part)


def _calendar(name: str, description: str | None, source: str) -> IcalCalendar:
    config = current_app.config
    email = config.get("ATELIER_ORGANIZER_EMAIL") or parseaddr(config["MAIL_FROM"])[1]
    return IcalCalendar(
        name=name,
        description=description,
        url=source,
        organizer_name=config["SITE_NAME"],
        organizer_email=email,
        refresh=timedelta(hours=config["ATELIER_FEED_REFRESH_HOURS"]),
    )


def atelier_ics(atelier: Atelier, *, with_conference: bool = False) -> bytes:
    """The .ics file of one atelier (with the meeting link only for an attendee's e-mail)."""
    source = absolute_url("ateliers.atelier_ics", slug=atelier.slug)
    calendar = _calendar(f"Kennisatelier: {atelier.title}", None, source)
    return render_calendar(calendar, [ical_event(atelier, with_conference=with_conference)])


def atelier_document(atelier: Atelier) -> Document:
    """The public .ics of one atelier, with its validators."""
    return Document(atelier_ics(atelier), MIMETYPE, atelier.updated_at)


def _feed_ateliers(theme: Theme | None, now: datetime | None) -> list[Atelier]:
    """Upcoming ateliers and those that ended within the configured number of days."""
    days = current_app.config["ATELIER_FEED_PAST_DAYS"]
    since = (now or clock.now()) - timedelta(days=days)
    statement = select(Atelier).where(Atelier.ends_at >= since)
    if theme is not None:
        statement = statement.where(Atelier.themes.any(Theme.id == theme.id))
    options = (selectinload(Atelier.themes), selectinload(Atelier.people))
    return list(db.session.scalars(statement.options(*options)))


def _document(calendar: IcalCalendar, ateliers: Sequence[Atelier]) -> Document:
    events = [ical_event(a) for a in ateliers]
    last_modified = max((a.updated_at for a in ateliers), default=None)
    return Document(render_calendar(calendar, events), MIMETYPE, last_modified)


def public_feed(now: datetime | None = None) -> Document:
    """The feed of all ateliers, to subscribe to."""
    calendar = _calendar(
        "KIS kennisateliers",
        "Kennisateliers van het Kennisplatform Integratie & Samenleving",
        absolute_url("ateliers.feed"),
    )
    return _document(calendar, _feed_ateliers(None, now))


def theme_feed(theme: Theme, now: datetime | None = None) -> Document:
    """The feed of the ateliers on one theme."""
    calendar = _calendar(
        f"KIS kennisateliers: {theme.name}",
        f"Kennisateliers over {theme.name} van het Kennisplatform Integratie & Samenleving",
        theme_feed_url(theme),
    )
    return _document(calendar, _feed_ateliers(theme, now))


def theme_feed_url(theme: Theme) -> str:
    """Where the theme's feed lives."""
    return absolute_url("ateliers.theme_feed", slug=theme.slug)


def member_ateliers(user: User) -> list[Atelier]:
    """The ateliers the member holds a seat at (registered while logged in, or by address)."""
    statement = (
        select(Atelier)
        .join(Registration, Registration.atelier_id == Atelier.id)
        .where(
            Registration.status == RegistrationStatus.REGISTERED,
            or_(Registration.user_id == user.id, Registration.email == user.email.lower()),
        )
        .distinct()
        .options(selectinload(Atelier.themes), selectinload(Atelier.people))
    )
    return list(db.session.scalars(statement))


def personal_feed(user: User, token: str) -> Document:
    """A member's own feed: their ateliers, with the meeting link."""
    calendar = _calendar(
        "Mijn kennisateliers (KIS)",
        "De kennisateliers waarvoor u bent aangemeld",
        absolute_url("ateliers.personal_feed", user_id=user.id, token=token),
    )
    events = [ical_event(a, with_conference=True) for a in member_ateliers(user)]
    # No Last-Modified: registering for an older atelier, or cancelling, changes this feed
    # without any newer timestamp, and a client asking If-Modified-Since would miss it.
    # The ETag (a hash of the body) catches every change.
    return Document(render_calendar(calendar, events), MIMETYPE)


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

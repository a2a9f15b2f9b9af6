"""A member's personal calendar feed: their own ateliers, with the meeting link.

Its address carries a token derived from a secret the member can renew or revoke
(``services.feeds``); the address alone gives access, so nothing else is checked.
"""

from __future__ import annotations

from kispub.accounts.models import User
from kispub.ateliers.calendar.feeds import MIMETYPE, calendar_header, ical_event
from kispub.ateliers.calendar.ical import render_calendar
from kispub.ateliers.queries import member_ateliers, personal_feed_of
from kispub.ateliers.tokens import feed_token, feed_token_matches
from kispub.core.http import Document
from kispub.core.urls import absolute_url
from kispub.extensions import db


def feed_url(user: User) -> str | None:
    """The member's secret feed address, or None when they have none."""
    feed = personal_feed_of(user.id)
    if feed is None:
        return None
    token = feed_token(user.id, feed.secret)
    return absolute_url("ateliers.personal_feed", user_id=user.id, token=token)


def personal_feed_document(user_id: int, token: str) -> Document | None:
    """The feed for a valid, unrevoked address of an active member, else None."""
    feed = personal_feed_of(user_id)
    if feed is None or not feed_token_matches(token, user_id, feed.secret):
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        return None
    return personal_feed(user, token)


def personal_feed(user: User, token: str) -> Document:
    """A member's own feed: their ateliers, with the meeting link."""
    calendar = calendar_header(
        "Mijn kennisateliers (KIS)",
        "De kennisateliers waarvoor u bent aangemeld",
        absolute_url("ateliers.personal_feed", user_id=user.id, token=token),
    )
    events = [ical_event(a, with_conference=True) for a in member_ateliers(user)]
    # No Last-Modified: registering for an older atelier, or cancelling, changes this feed
    # without any newer timestamp, and a client asking If-Modified-Since would miss it.
    # The ETag (a hash of the body) catches every change.
    return Document(render_calendar(calendar, events), MIMETYPE)

"""What the pages show, gathered in a few queries per page into frozen objects.

Templates get one of these and show it; they do not query or decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_login import current_user

from kispub.accounts.models import User
from kispub.ateliers import queries
from kispub.ateliers.calendar.feeds import theme_feed_url
from kispub.ateliers.calendar.links import CalendarLinks, calendar_links, webcal_url
from kispub.ateliers.calendar.personal import feed_url
from kispub.ateliers.jsonld import event_jsonld
from kispub.ateliers.links import KIND, related_items
from kispub.ateliers.models import Atelier, Registration, RegistrationStatus
from kispub.ateliers.seats import (
    RegistrationState,
    latest_seats,
    places_left,
    registered_counts,
    registration_state,
)
from kispub.core import clock
from kispub.core.links import LinkedItem, content_kinds, linking_items, unique_by_url
from kispub.core.preview import preview_expires_at, preview_token
from kispub.core.urls import absolute_url
from kispub.themes.models import Theme
from kispub.themes.services import all_themes, theme_by_slug

PAST_PER_PAGE = 20
MAX_PAGE = 10_000  # beyond this an offset only risks overflowing the database's integer
# The heading over linked content of a kind; other kinds are headed by their label.
RELATED_HEADINGS = {"episode": "Luister ook", "dossier": "Lees ook"}


class UnknownTheme(LookupError):
    """The theme filter names a theme that does not exist."""


@dataclass(frozen=True)
class Listing:
    """The list page: upcoming and past ateliers, with free places."""

    themes: list[Theme]
    theme: Theme | None
    upcoming: list[Atelier]
    past: list[Atelier]
    page: int
    has_next: bool
    places: dict[int, int | None]
    feed_url: str  # the whole feed, or the theme's
    feed_webcal: str


@dataclass(frozen=True)
class RelatedSection:
    """Content of one other channel that the atelier links to."""

    kind: str
    heading: str
    items: list[LinkedItem]


@dataclass(frozen=True)
class AtelierPage:
    """One atelier's page."""

    atelier: Atelier
    places: int | None
    state: RegistrationState
    links: CalendarLinks
    jsonld: dict[str, Any]
    related: tuple[RelatedSection, ...]
    dossiers: list[LinkedItem]  # the dossiers that include the atelier
    own_registration: Registration | None


@dataclass(frozen=True)
class MemberPage:
    """A member's registrations and their personal calendar feed."""

    registrations: list[Registration]
    feed_url: str | None
    feed_webcal: str | None


@dataclass(frozen=True)
class Overview:
    """The editors' list: every atelier with its seats taken and waiting list."""

    ateliers: list[Atelier]
    counts: dict[int, queries.Attendance]


def listing(theme_slug: str | None, page: int) -> Listing:
    """Upcoming ateliers and one page of past ones, optionally on one theme."""
    theme = None
    if theme_slug:
        theme = theme_by_slug(theme_slug)
        if theme is None:
            raise UnknownTheme(theme_slug)
    page = min(max(page, 1), MAX_PAGE)
    upcoming = queries.upcoming_ateliers(theme)
    past, has_next = queries.past_ateliers(theme, page, PAST_PER_PAGE)
    counts = registered_counts([a.id for a in upcoming])
    places = {a.id: places_left(a, counts[a.id]) for a in upcoming}
    feed = theme_feed_url(theme) if theme else absolute_url("ateliers.feed")
    return Listing(
        all_themes(), theme, upcoming, past, page, has_next, places, feed, webcal_url(feed)
    )


def atelier_page(slug: str) -> AtelierPage | None:
    """Everything the atelier page shows; the visitor's own registration when logged in."""
    atelier = queries.public_atelier_by_slug(slug)
    if atelier is None:
        return None
    return _page(atelier)


def preview_page(atelier_id: int) -> AtelierPage | None:
    """The page of any atelier (a draft too) for a preview link; None when it is gone."""
    atelier = queries.get_atelier(atelier_id)
    return None if atelier is None else _page(atelier)


def _page(atelier: Atelier) -> AtelierPage:
    taken = registered_counts([atelier.id])[atelier.id]
    places = places_left(atelier, taken)
    user = current_user
    own = queries.member_registration(atelier, user) if user.is_authenticated else None
    return AtelierPage(
        atelier=atelier,
        places=places,
        state=registration_state(atelier, taken),
        links=calendar_links(atelier),
        jsonld=event_jsonld(atelier, places),
        related=_related(atelier),
        dossiers=unique_by_url(linking_items(KIND, atelier.id, "dossier")),
        own_registration=own,
    )


def _related(atelier: Atelier) -> tuple[RelatedSection, ...]:
    kinds = content_kinds()
    return tuple(
        RelatedSection(kind, RELATED_HEADINGS.get(kind, kinds[kind].label), items)
        for kind, items in related_items(atelier).items()
        if items
    )


def member_page(user: User) -> MemberPage:
    """The member's own page."""
    url = feed_url(user)
    registrations = queries.member_registrations(user)
    return MemberPage(registrations, url, webcal_url(url) if url else None)


def overview() -> Overview:
    """Every atelier for the editors, latest first, with attendance in one query."""
    ateliers = queries.all_ateliers()
    return Overview(ateliers, queries.attendance_counts([a.id for a in ateliers]))


# -- the editors' pages ------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewLink:
    """A shareable link to an unpublished atelier's page, and when it stops working."""

    url: str
    expires_at: datetime


def preview_link(atelier: Atelier) -> PreviewLink | None:
    """A fresh preview link for a draft or scheduled atelier; None once it is public."""
    if atelier.is_public(clock.now()):
        return None
    token = preview_token(KIND, atelier.id)
    return PreviewLink(absolute_url("ateliers.preview", token=token), preview_expires_at())


@dataclass(frozen=True)
class CancelPage:
    """What cancelling will do: who gets an e-mail."""

    atelier: Atelier
    registered: list[Registration]
    waitlisted: list[Registration]


def cancel_page(atelier: Atelier) -> CancelPage:
    """Everyone registered or waiting, who will hear of the cancellation."""
    people = queries.attendees(atelier.id)
    registered = [r for r in people if r.status is RegistrationStatus.REGISTERED]
    waitlisted = [r for r in people if r.status is RegistrationStatus.WAITLISTED]
    return CancelPage(atelier, registered, waitlisted)


@dataclass(frozen=True)
class CapacityPage:
    """What fewer places will do: who goes back to the waiting list, in their new order."""

    atelier: Atelier
    capacity: int
    registered: int
    moving: list[Registration]


def capacity_page(atelier: Atelier, capacity: int) -> CapacityPage:
    """The registrations that lowering to ``capacity`` moves back (see ``lifecycle``)."""
    registered = registered_counts([atelier.id])[atelier.id]
    moving = latest_seats(atelier.id, max(registered - capacity, 0))
    moving.reverse()
    return CapacityPage(atelier, capacity, registered, moving)

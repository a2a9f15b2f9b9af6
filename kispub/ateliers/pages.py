"""What the pages show, gathered in a few queries per page into frozen objects.

Templates get one of these and show it; they do not query or decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_login import current_user

from kispub.accounts.models import User
from kispub.ateliers import queries
from kispub.ateliers.calendar.feeds import theme_feed_url
from kispub.ateliers.calendar.links import CalendarLinks, calendar_links, webcal_url
from kispub.ateliers.calendar.personal import feed_url
from kispub.ateliers.jsonld import event_jsonld
from kispub.ateliers.links import KIND, related_items
from kispub.ateliers.models import Atelier, Registration
from kispub.ateliers.seats import (
    RegistrationState,
    places_left,
    registered_counts,
    registration_state,
)
from kispub.core.links import LinkedItem, content_kinds, linking_items, unique_by_url
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
    atelier = queries.atelier_by_slug(slug)
    if atelier is None:
        return None
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

"""What the public pages show, gathered in a few queries per page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_login import current_user

from kispub.ateliers import services
from kispub.ateliers.calendar import CalendarLinks, calendar_links, theme_feed_url
from kispub.ateliers.calendar_links import webcal_url
from kispub.ateliers.jsonld import event_jsonld
from kispub.ateliers.models import Atelier, Registration
from kispub.ateliers.registration import member_registration
from kispub.ateliers.seats import places_left, registered_counts, registration_state
from kispub.core.links import LinkedItem
from kispub.core.urls import absolute_url
from kispub.themes.models import Theme
from kispub.themes.services import all_themes, theme_by_slug

PAST_PER_PAGE = 20
MAX_PAGE = 10_000  # beyond this an offset only risks overflowing the database's integer


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
class AtelierPage:
    """One atelier's page."""

    atelier: Atelier
    places: int | None
    state: str
    links: CalendarLinks
    jsonld: dict[str, Any]
    related: dict[str, list[LinkedItem]]
    own_registration: Registration | None


def listing(theme_slug: str | None, page: int) -> Listing:
    """Upcoming ateliers and one page of past ones, optionally on one theme."""
    theme = None
    if theme_slug:
        theme = theme_by_slug(theme_slug)
        if theme is None:
            raise UnknownTheme(theme_slug)
    page = min(max(page, 1), MAX_PAGE)
    upcoming = services.upcoming_ateliers(theme)
    past, has_next = services.past_ateliers(theme, page, PAST_PER_PAGE)
    counts = registered_counts([a.id for a in upcoming])
    places = {a.id: places_left(a, counts[a.id]) for a in upcoming}
    feed = theme_feed_url(theme) if theme else absolute_url("ateliers.feed")
    return Listing(
        all_themes(), theme, upcoming, past, page, has_next, places, feed, webcal_url(feed)
    )


def atelier_page(slug: str) -> AtelierPage | None:
    """Everything the atelier page shows; the visitor's own registration when logged in."""
    atelier = services.atelier_by_slug(slug)
    if atelier is None:
        return None
    taken = registered_counts([atelier.id])[atelier.id]
    places = places_left(atelier, taken)
    own = member_registration(atelier, current_user) if current_user.is_authenticated else None
    return AtelierPage(
        atelier=atelier,
        places=places,
        state=registration_state(atelier, taken),
        links=calendar_links(atelier),
        jsonld=event_jsonld(atelier, places),
        related=services.related_items(atelier),
        own_registration=own,
    )

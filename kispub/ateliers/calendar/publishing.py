"""The public calendars as files: the feed of all ateliers and one per theme.

:mod:`kispub.core.public` runs :func:`publish_calendars` after every change to an atelier, a
person on it or a theme, when a scheduled atelier falls due, and once a minute, which also
drops ateliers that ended longer ago than the feeds keep them. The calendars are small, so
each run renders them all; a file is rewritten only when its bytes change. One atelier's
.ics and a member's personal feed stay with the app (a download, and a secret address).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from kispub.ateliers.calendar import feeds
from kispub.ateliers.models import Atelier, AtelierPublication
from kispub.ateliers.queries import feed_ateliers
from kispub.core import public
from kispub.themes.services import all_themes

FEED_PATH = "kennisateliers.ics"
FEED_MAX_AGE = 300  # seconds calendar apps and caches may keep a public calendar
THEME_FOLDER = "kennisateliers/thema"


def theme_feed_path(slug: str) -> str:
    """A theme's calendar: its URL path, which is its place in the public folder."""
    return f"{THEME_FOLDER}/{slug}.ics"


def publish_calendars(rebuild: bool) -> None:
    """Write the public calendars that changed and remove those of deleted themes.

    ``rebuild`` changes nothing here: every run renders every calendar.
    """
    ateliers = feed_ateliers()
    public.write(FEED_PATH, feeds.public_feed(ateliers).body)
    on_theme: dict[int, list[Atelier]] = defaultdict(list)
    for atelier in ateliers:
        for theme in atelier.themes:
            on_theme[theme.id].append(atelier)
    wanted = set()
    for theme in all_themes():
        document = feeds.theme_feed(theme, on_theme[theme.id])
        public.write(theme_feed_path(theme.slug), document.body)
        wanted.add(f"{theme.slug}.ics")
    for name in public.names(THEME_FOLDER) - wanted:
        public.remove(f"{THEME_FOLDER}/{name}")


def falls_due_at(row: object) -> datetime | None:
    """When a changed atelier enters the calendars by itself: a scheduled publication."""
    if isinstance(row, Atelier) and row.publication is AtelierPublication.PUBLISHED:
        return row.publish_at
    return None

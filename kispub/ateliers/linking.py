"""How other parts of the site show ateliers: theme pages and links from other channels."""

from __future__ import annotations

from collections.abc import Sequence

from flask import url_for

from kispub.ateliers.models import Atelier, AtelierStatus
from kispub.ateliers.services import ateliers_by_ids, past_ateliers, upcoming_ateliers
from kispub.core.dates import long_date
from kispub.core.links import LinkedItem
from kispub.core.urls import absolute_url
from kispub.themes.models import Theme
from kispub.themes.registry import ThemeItem, ThemeSection

THEME_SECTION_SIZE = 5


def _meta(atelier: Atelier) -> str:
    when = long_date(atelier.starts_at)
    if atelier.status is AtelierStatus.SCHEDULED:
        return when
    return f"{when} ({atelier.status.label.lower()})"


def theme_section(theme: Theme) -> ThemeSection | None:
    """The theme page's block: upcoming ateliers on the theme, then the latest past ones."""
    shown = upcoming_ateliers(theme)[:THEME_SECTION_SIZE]
    if len(shown) < THEME_SECTION_SIZE:
        past, _ = past_ateliers(theme, per_page=THEME_SECTION_SIZE - len(shown))
        shown += past
    items = tuple(
        ThemeItem(title=a.title, url=url_for("ateliers.show", slug=a.slug), meta=_meta(a))
        for a in shown
    )
    return ThemeSection("Kennisateliers", items, url_for("ateliers.index", thema=theme.slug))


def resolve_ateliers(ids: Sequence[int]) -> list[LinkedItem]:
    """Ateliers as another channel lists them (an episode's related ateliers).

    Absolute URLs, so that a caller outside a request (a feed, a command) can use them too.
    """
    return [
        LinkedItem("atelier", a.id, a.title, absolute_url("ateliers.show", slug=a.slug), _meta(a))
        for a in ateliers_by_ids(ids)
    ]

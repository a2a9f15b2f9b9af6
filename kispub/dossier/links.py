"""Where dossier content lives, and what the channel offers other channels.

The "dossier" content kind (an atelier links to dossier items; an episode or atelier page
says which dossier includes it), the dossier's block on theme pages, and the address of each
item as a list shows it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import url_for

from kispub.core import clock
from kispub.core.dates import day_date
from kispub.core.links import LinkedItem
from kispub.core.urls import absolute_url, base_url
from kispub.dossier import queries
from kispub.dossier.models import DossierItem, ItemKind
from kispub.dossier.services.editing import KIND
from kispub.themes.models import Theme
from kispub.themes.registry import ThemeItem, ThemeSection

THEME_SECTION_SIZE = 5


def dossier_path(slug: str, **filters: str | None) -> str:
    """A dossier's page, with filters: the coronadossier has its short address."""
    args: dict[str, Any] = {name: value for name, value in filters.items() if value}
    if slug == "coronadossier":
        return url_for("dossier.coronadossier", **args)
    return url_for("dossier.show", slug=slug, **args)


def feed_path(slug: str, **filters: str | None) -> str:
    """A dossier's Atom feed, with the page's filters (the coronadossier's beside its page)."""
    args: dict[str, Any] = {name: value for name, value in filters.items() if value}
    if slug == "coronadossier":
        return url_for("dossier.coronadossier_feed", **args)
    return url_for("dossier.feed", slug=slug, **args)


def absolute(url: str) -> str:
    """A path of this site as a full URL (an outside URL stays as it is)."""
    return base_url() + url if url.startswith("/") else url


def item_url(item: DossierItem) -> str:
    """Where a list sends a reader: the item's page or the outside address. An item that
    stands for an episode or atelier goes to the dossier here; the dossier page itself
    resolves those all at once (``pages``)."""
    if item.kind is ItemKind.EXTERNAL and item.external_url:
        return item.external_url
    if item.kind.link_kind is not None:
        return dossier_path(item.dossier.slug)
    return url_for("dossier.item", slug=item.dossier.slug, item_slug=item.slug)


def resolve_items(ids: Sequence[int]) -> list[LinkedItem]:
    """Public dossier items as other channels show them. An item that stands for an episode
    or atelier resolves to its dossier, so that page can say "Opgenomen in: Coronadossier"."""
    return [
        LinkedItem(
            kind=KIND,
            id=item.id,
            title=item.dossier.title if item.kind.link_kind else item.title,
            url=_absolute_dossier_url(item.dossier.slug)
            if item.kind.link_kind
            else _absolute_item_url(item),
            meta="" if item.kind.link_kind else f"{item.dossier.title} · {item.kind.label}",
        )
        for item in queries.public_items_by_ids(ids, clock.now())
    ]


def _absolute_dossier_url(slug: str) -> str:
    if slug == "coronadossier":
        return absolute_url("dossier.coronadossier")
    return absolute_url("dossier.show", slug=slug)


def _absolute_item_url(item: DossierItem) -> str:
    if item.kind is ItemKind.EXTERNAL and item.external_url:
        return item.external_url
    return absolute_url("dossier.item", slug=item.dossier.slug, item_slug=item.slug)


def item_choices() -> list[LinkedItem]:
    """Every item an editor can link to, drafts too, newest first."""
    return [
        LinkedItem(
            kind=KIND,
            id=item.id,
            title=item.title,
            url=_absolute_dossier_url(item.dossier.slug),
            meta=f"{item.dossier.title} · {item.kind.label}",
        )
        for item in queries.every_item()
        if item.kind.link_kind is None  # an item that stands for an episode adds nothing
    ]


def theme_section(theme: Theme) -> ThemeSection | None:
    """The theme page's block: the newest dossier items on the theme."""
    items = tuple(
        ThemeItem(
            title=item.title,
            url=item_url(item),
            summary=item.summary,
            meta=f"{item.kind.label} · {day_date(item.dated_on)} · {item.dossier.title}",
        )
        for item in queries.items_on_theme(theme, clock.now(), THEME_SECTION_SIZE)
    )
    return ThemeSection("Dossiers", items) if items else None

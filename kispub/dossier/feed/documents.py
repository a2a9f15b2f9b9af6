"""From a dossier and the reader's filters to its Atom document, with validators.

The feed shows what the page shows: the public items (an item standing for an episode or
atelier only once that is public), of the filtered list when filters are on, the
``FEED_SIZE`` newest by their date. Built per request (one query for the items, one each
for their themes, files and linked targets): ``conditional_document`` answers 304 by ETag.
"""

from __future__ import annotations

from datetime import datetime

from kispub.core import clock
from kispub.core.http import Document
from kispub.core.urls import base_url, site_domain
from kispub.dossier import queries
from kispub.dossier.feed.atom import ATOM_MIMETYPE, AtomEntry, AtomFeed, Category, render_atom
from kispub.dossier.links import absolute, dossier_path, feed_path, item_url
from kispub.dossier.models import Dossier, DossierItem
from kispub.dossier.pages import filter_args, filter_label, linked_urls
from kispub.dossier.queries import Filters

FEED_SIZE = 20
FEED_MAX_AGE = 300  # seconds; a scheduled item shows within this after its time
AUTHOR = "KIS"
# Tag URIs (RFC 4151) keep ids stable when a slug or the site's address changes path.
TAG_DATE = "2020"


def feed_document(slug: str, filters: Filters) -> Document | None:
    """The Atom document of the dossier's (filtered) list; None: no such public dossier."""
    now = clock.now()
    dossier = queries.dossier_by_slug(slug, now)
    if dossier is None:
        return None
    items = queries.dossier_items(dossier.id, now)
    targets = linked_urls(items)
    shown = [
        item
        for item in queries.newest_first(items)
        if (item.kind.link_kind is None or item.id in targets) and queries.matches(item, filters)
    ][:FEED_SIZE]
    entries = [feed_entry(item, targets.get(item.id)) for item in shown]
    updated = max([dossier.updated_at, *(entry.updated for entry in entries)])
    body = render_atom(atom_feed(dossier, filters, updated), entries)
    return Document(body, ATOM_MIMETYPE, updated)


def atom_feed(dossier: Dossier, filters: Filters, updated: datetime) -> AtomFeed:
    """The feed's own data: "Coronadossier" or "Coronadossier: Artikelen over Participatie"."""
    chosen = filter_args(filters)
    query = "&".join(f"{name}={value}" for name, value in chosen.items())
    title = f"{dossier.title}: {filter_label(filters)}" if filters.active else dossier.title
    return AtomFeed(
        id=f"{_tag()}:dossier:{dossier.id}" + (f"?{query}" if query else ""),
        title=title,
        subtitle=dossier.summary,
        self_url=absolute(feed_path(dossier.slug, **chosen)),
        page_url=absolute(dossier_path(dossier.slug, **chosen)),
        updated=updated,
        author_name=AUTHOR,
        author_uri=base_url() + "/",
    )


def feed_entry(item: DossierItem, target_url: str | None = None) -> AtomEntry:
    """An item as an entry; ``target_url``: the page of the episode or atelier it stands for."""
    assert item.published_at is not None  # only public items are in a feed
    kind = Category(item.kind.value, item.kind.label, f"{_tag()}:dossier:soort")
    themes = tuple(Category(t.slug, t.name, f"{_tag()}:thema") for t in item.themes)
    return AtomEntry(
        id=f"{_tag()}:dossier:item:{item.id}",
        title=item.title,
        link=absolute(target_url or item_url(item)),
        summary=item.summary,
        published=item.published_at,
        # A scheduled item saved before its time first shows at its time.
        updated=max(item.updated_at, item.published_at),
        categories=(kind, *themes),
    )


def _tag() -> str:
    return f"tag:{site_domain()},{TAG_DATE}"

"""What the dossier pages show, gathered in a few queries per page into frozen objects.

Templates get one of these and show it; they do not query or decide.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import url_for
from flask_babel import to_user_timezone

from kispub.core import clock
from kispub.core.formatting import whole_number
from kispub.core.links import content_kinds
from kispub.core.text import is_slug
from kispub.dossier import queries
from kispub.dossier.files.attachments import Attachment, Attachments, image_url, lead_image_url
from kispub.dossier.links import dossier_path, feed_path
from kispub.dossier.models import CountKind, Dossier, DossierFile, DossierItem, ItemKind
from kispub.dossier.queries import Filters
from kispub.themes.services import all_themes, theme_by_slug

HISTORY_SHOWN = 50


class UnknownFilter(LookupError):
    """A filter names a theme or type that does not exist."""


@dataclass(frozen=True)
class Entry:
    """An item as a list shows it."""

    item: DossierItem
    url: str
    external: bool  # the link leaves the site
    count_label: str | None  # "bekijken artikel: 2.734", as the annual report puts it
    attachment: Attachment | None = None  # the item's file (already loaded with the item)


@dataclass(frozen=True)
class GroupSection:
    """A group of the dossier with its items in the editors' order."""

    anchor: str
    title: str
    description: str
    entries: list[Entry]


@dataclass(frozen=True)
class Choice:
    """One value of a filter, with how many items it leaves."""

    label: str
    count: int
    url: str
    current: bool


@dataclass(frozen=True)
class HistoryLine:
    """A line of "Wijzigingen op deze pagina"."""

    at: datetime
    text: str


@dataclass(frozen=True)
class AlternateFeed:
    """An Atom feed the page offers (``<link rel="alternate">`` and a visible link)."""

    title: str
    url: str


@dataclass(frozen=True)
class DossierPage:
    """A dossier: introduction, featured cards, groups or a filtered list, filters, history."""

    dossier: Dossier
    url: str
    archived: bool
    preview: bool  # an editor looking at unpublished content
    featured: list[Entry]
    groups: list[GroupSection]
    filtered: list[Entry] | None  # the flat, newest-first list when a filter is on
    filters: Filters
    filter_label: str  # "Artikelen over Participatie", for headings and the feed title
    theme_choices: list[Choice]
    kind_choices: list[Choice]
    history: list[HistoryLine]
    views_label: str | None  # the dossier page's own count
    total: int
    # The dossier's feed, then (with filters on) the filtered list's: the last is this list's.
    feeds: tuple[AlternateFeed, ...] = ()
    alerts_url: str = ""  # "Ontvang e-mail bij nieuwe items", with the same filters
    lead_image_url: str | None = None

    @property
    def list_feed(self) -> AlternateFeed | None:
        return self.feeds[-1] if self.feeds else None


@dataclass(frozen=True)
class DossierHead:
    """What a public dossier page shows around its list (the list is a cached fragment)."""

    dossier: Dossier
    url: str
    archived: bool
    preview: bool
    filters: Filters
    filter_label: str
    # What the list depends on besides the filters, read from the database on each request:
    # the list is rebuilt when it changes (see kispub.core.fragments).
    version: tuple[object, ...]
    feeds: tuple[AlternateFeed, ...] = ()  # as DossierPage's, for <link rel="alternate">
    lead_image_url: str | None = None

    @property
    def listing_key(self) -> tuple[object, ...]:
        return ("dossier", self.dossier.id, self.filters, *self.version)


@dataclass(frozen=True)
class ItemPage:
    """An item with a page of its own (article, publication, guide, infographic)."""

    dossier: Dossier
    dossier_url: str
    item: DossierItem
    file: DossierFile | None
    count_label: str | None
    preview: bool
    attachment: Attachment | None = None  # the file, as a download with its details
    image_url: str | None = None  # an infographic's image, shown on its page


def dossier_url(dossier: Dossier, **filters: str | None) -> str:
    """The dossier's page with filters (the coronadossier at its short address)."""
    return dossier_path(dossier.slug, **filters)


def parse_filters(theme: str | None, kind: str | None) -> Filters:
    """The page's query values as filters; UnknownFilter for a value that names nothing."""
    found = theme_by_slug(theme) if theme else None
    if theme and found is None:
        raise UnknownFilter(theme)
    chosen = _kind(kind)
    if found is None:
        return Filters(kind=chosen)
    return Filters(theme=found.slug, kind=chosen, theme_name=found.name)


def _kind(kind: str | None) -> ItemKind | None:
    try:
        return ItemKind(kind) if kind else None
    except ValueError as error:
        raise UnknownFilter(kind) from error


def dossier_head(slug: str, theme: str | None, kind: str | None) -> DossierHead | None:
    """A public dossier without its list, and the page's filters (UnknownFilter for a query
    value that names nothing): one small query, the theme's lookup included."""
    chosen = _kind(kind)
    if theme is not None and not is_slug(theme):
        raise UnknownFilter(theme)
    now = clock.now()
    head = queries.public_head(slug, now, theme or None)
    if head is None:
        return None
    if theme and head.theme_name is None:
        raise UnknownFilter(theme)
    filters = Filters(theme=theme or None, kind=chosen, theme_name=head.theme_name)
    dossier = head.dossier
    return DossierHead(
        dossier=dossier,
        url=dossier_url(dossier),
        archived=dossier.is_archived(to_user_timezone(now).date()),  # Amsterdam's day
        preview=False,
        filters=filters,
        filter_label=filter_label(filters),
        version=(dossier.revision, head.public_items),
        feeds=_feeds(dossier, filters),
        lead_image_url=lead_image_url(dossier),
    )


def dossier_page(slug: str, filters: Filters, *, preview: bool = False) -> DossierPage | None:
    """The dossier's page; with ``preview``, drafts and scheduled items are shown too."""
    now = clock.now()
    dossier = queries.dossier_by_slug(slug, None if preview else now)
    if dossier is None:
        return None
    everything = queries.dossier_items(dossier.id, None if preview else now)
    targets = linked_urls(everything)
    items = [i for i in everything if preview or i.kind.link_kind is None or i.id in targets]
    entry = _Entries(dossier, queries.count_totals(dossier.id), targets)
    listed = [i for i in queries.newest_first(items) if queries.matches(i, filters)]
    return DossierPage(
        dossier=dossier,
        url=dossier_url(dossier),
        archived=dossier.is_archived(to_user_timezone(now).date()),  # Amsterdam's day
        preview=preview,
        # The whole page, or only the list the filters choose: entries are built for what
        # is shown (500 items, one theme: a few dozen entries).
        featured=[] if filters.active else _featured(items, entry),
        groups=[] if filters.active else _groups(dossier, items, entry),
        filtered=[entry(i) for i in listed] if filters.active else None,
        filters=filters,
        filter_label=filter_label(filters),
        theme_choices=_theme_choices(dossier, items, filters),
        kind_choices=_kind_choices(dossier, items, filters),
        history=_history(dossier, items, now),
        views_label=_count_label("themapagina", entry.totals.get((None, CountKind.VIEW))),
        total=len(items),
        feeds=_feeds(dossier, filters),
        alerts_url=url_for("dossier_alerts.subscribe", slug=dossier.slug, **filter_args(filters)),
        lead_image_url=lead_image_url(dossier),
    )


def item_page(slug: str, item_slug: str, *, preview: bool = False) -> ItemPage | None:
    """An item's own page, when it has one."""
    now = clock.now()
    dossier = queries.dossier_by_slug(slug, None if preview else now)
    if dossier is None:
        return None
    item = queries.item_by_slug(dossier.id, item_slug, None if preview else now)
    if item is None or not has_page(item):
        return None
    entry = _Entries(dossier, queries.count_totals(dossier.id), {})
    built = entry(item)
    shows_image = item.file is not None and item.kind is ItemKind.INFOGRAPHIC
    return ItemPage(
        dossier=dossier,
        dossier_url=dossier_url(dossier),
        item=item,
        file=item.file,
        count_label=built.count_label,
        preview=preview,
        attachment=built.attachment,
        image_url=image_url(item, item.file) if shows_image and item.file else None,
    )


def has_page(item: DossierItem) -> bool:
    """HTML items and infographics (image and text alternative) have a page of their own."""
    return item.kind.has_body or item.kind is ItemKind.INFOGRAPHIC


def filter_label(filters: Filters) -> str:
    """ "Infographics over Participatie", "Alle items"."""
    what = filters.kind.plural if filters.kind else "Alle items"
    if filters.theme is None:
        return what
    return f"{what} over {filters.theme_name or filters.theme}"


# -- building blocks ---------------------------------------------------------------------


def filter_args(filters: Filters) -> dict[str, Any]:
    """The filters as the page's query values."""
    chosen = {"thema": filters.theme, "type": filters.kind.value if filters.kind else None}
    return {name: value for name, value in chosen.items() if value}


def _feeds(dossier: Dossier, filters: Filters) -> tuple[AlternateFeed, ...]:
    whole = AlternateFeed(dossier.title, feed_path(dossier.slug))
    if not filters.active:
        return (whole,)
    title = f"{dossier.title}: {filter_label(filters)}"
    return whole, AlternateFeed(title, feed_path(dossier.slug, **filter_args(filters)))


def linked_urls(items: Sequence[DossierItem]) -> dict[int, str]:
    """Per item that stands for an episode or atelier its channel shows, that page's
    address: one call per kind, whatever the number of items."""
    kinds = content_kinds()
    urls: dict[int, str] = {}
    for kind in (ItemKind.EPISODE, ItemKind.ATELIER):
        linked = [i for i in items if i.kind is kind and i.link_id is not None]
        entry = kinds.get(kind.link_kind or "")
        if not linked or entry is None:
            continue
        found = {
            target.id: target.url for target in entry.resolve([i.link_id or 0 for i in linked])
        }
        urls.update((i.id, found[i.link_id]) for i in linked if i.link_id in found)
    return urls


class _Entries:
    """Builds each item's Entry once, with the addresses the page needs built once too."""

    def __init__(
        self,
        dossier: Dossier,
        totals: dict[tuple[int | None, CountKind], int],
        linked_urls: dict[int, str],
    ) -> None:
        self.totals = totals
        self._linked = linked_urls
        # An item's page is the dossier's item address with its slug (a slug needs no
        # quoting): one url_for per page instead of one per item.
        self._item_base = url_for("dossier.item", slug=dossier.slug, item_slug="x")[:-1]
        self._dossier_url = dossier_url(dossier)
        self._attachments = Attachments(dossier)
        self._built: dict[int, Entry] = {}

    def __call__(self, item: DossierItem) -> Entry:
        if item.id not in self._built:
            self._built[item.id] = self._build(item)
        return self._built[item.id]

    def _build(self, item: DossierItem) -> Entry:
        external = item.kind is ItemKind.EXTERNAL
        if external:
            url = item.external_url or self._dossier_url
        elif item.kind.link_kind is not None:
            url = self._linked.get(item.id, self._dossier_url)
        else:
            url = self._item_base + item.slug
        attachment = self._attachments(item, item.file) if item.kind.may_have_file else None
        return Entry(item, url, external, self._count(item), attachment)

    def _count(self, item: DossierItem) -> str | None:
        """ "bekijken artikel: 2.734" or "download infographic: 1.822"; None for what is
        counted elsewhere (episodes, ateliers) or not at all (outside links)."""
        if item.kind.link_kind is not None or item.kind is ItemKind.EXTERNAL:
            return None
        counted = CountKind.DOWNLOAD if item.file is not None else CountKind.VIEW
        prefix = "download" if counted is CountKind.DOWNLOAD else "bekijken"
        return _count_label(
            f"{prefix} {item.kind.label.lower()}", self.totals.get((item.id, counted))
        )


def _count_label(what: str, count: int | None) -> str:
    return f"{what}: {whole_number(count or 0)}"


def _featured(items: list[DossierItem], entry: _Entries) -> list[Entry]:
    featured = sorted(
        (i for i in items if i.featured_position), key=lambda i: i.featured_position or 0
    )
    return [entry(i) for i in featured]


def _groups(dossier: Dossier, items: list[DossierItem], entry: _Entries) -> list[GroupSection]:
    sections = [
        GroupSection(
            anchor=group.slug,
            title=group.title,
            description=group.description,
            entries=[entry(i) for i in items if i.group_id == group.id],
        )
        for group in dossier.groups
    ]
    loose = [entry(i) for i in items if i.group_id is None]
    if loose:
        sections.append(GroupSection("overig", "Overig", "", loose))
    return [section for section in sections if section.entries]


def _theme_choices(dossier: Dossier, items: list[DossierItem], filters: Filters) -> list[Choice]:
    counts = queries.theme_counts(items, filters.kind)
    kind = filters.kind.value if filters.kind else None
    everything = sum(1 for i in items if kind is None or i.kind is filters.kind)
    choices = [
        Choice("Alle thema's", everything, dossier_url(dossier, type=kind), not filters.theme)
    ]
    choices += [
        Choice(
            theme.name,
            counts[theme.slug],
            dossier_url(dossier, thema=theme.slug, type=kind),
            filters.theme == theme.slug,
        )
        for theme in all_themes()
        if counts[theme.slug] or filters.theme == theme.slug
    ]
    return choices


def _kind_choices(dossier: Dossier, items: list[DossierItem], filters: Filters) -> list[Choice]:
    counts = queries.kind_counts(items, filters.theme)
    everything = sum(counts.values())
    choices = [
        Choice(
            "Alle soorten", everything, dossier_url(dossier, thema=filters.theme), not filters.kind
        )
    ]
    choices += [
        Choice(
            kind.plural,
            counts[kind],
            dossier_url(dossier, thema=filters.theme, type=kind.value),
            filters.kind is kind,
        )
        for kind in ItemKind
        if counts[kind] or filters.kind is kind
    ]
    return choices


def _history(dossier: Dossier, items: list[DossierItem], now: datetime) -> list[HistoryLine]:
    """Editors' notes and every item's first publication, newest first."""
    lines = [HistoryLine(change.changed_at, change.note) for change in queries.changes(dossier.id)]
    lines += [
        HistoryLine(item.published_at, f"{item.kind.label} toegevoegd: {item.title}")
        for item in items
        if item.published_at is not None and item.published_at <= now
    ]
    if dossier.published_at is not None and dossier.published_at <= now:
        lines.append(HistoryLine(dossier.published_at, "Eerste publicatie."))
    return sorted(lines, key=lambda line: line.at, reverse=True)[:HISTORY_SHOWN]

"""Atom (RFC 4287) for a dossier or a filtered list of it, from plain frozen values.

Nothing here reads the database or the clock: the same values give the same bytes, so the
document's ETag changes only when what the feed shows changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from feedgen.feed import FeedGenerator

from kispub.core.text import scrub

ATOM_MIMETYPE = "application/atom+xml"


@dataclass(frozen=True)
class Category:
    """An atom:category: ``term`` for machines, ``label`` for people."""

    term: str
    label: str
    scheme: str


@dataclass(frozen=True)
class AtomEntry:
    """One item as the feed shows it; every URL absolute."""

    id: str
    title: str
    link: str
    summary: str
    published: datetime
    updated: datetime
    categories: tuple[Category, ...] = ()


@dataclass(frozen=True)
class AtomFeed:
    """The feed itself: ``self_url`` is its own address, ``page_url`` the page it mirrors."""

    id: str
    title: str
    subtitle: str
    self_url: str
    page_url: str
    updated: datetime
    author_name: str
    author_uri: str
    language: str = "nl"


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("Atom dates are timezone-aware")
    return value.astimezone(UTC)


def _require_absolute(url: str) -> None:
    # Feed readers resolve nothing against the page the feed was found on.
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"a feed URL is absolute: {url!r}")


def render_atom(feed: AtomFeed, entries: Sequence[AtomEntry]) -> bytes:
    """The Atom document (UTF-8) with the entries in the order given."""
    # Rows stored before the text rule may hold what XML cannot carry; lxml would refuse.
    feed, entries = scrub(feed), scrub(list(entries))
    for url in (feed.self_url, feed.page_url, feed.author_uri, *(e.link for e in entries)):
        _require_absolute(url)
    generator = FeedGenerator()
    generator.id(feed.id)
    generator.title(feed.title)
    if feed.subtitle:
        generator.subtitle(feed.subtitle)
    generator.link(href=feed.self_url, rel="self", type=ATOM_MIMETYPE)
    generator.link(href=feed.page_url, rel="alternate", type="text/html")
    generator.author({"name": feed.author_name, "uri": feed.author_uri})
    generator.language(feed.language)
    generator.generator("kispub")
    # From the data, never "now" (feedgen's default): the same feed gives the same bytes.
    generator.updated(_utc(feed.updated))
    for entry in entries:
        _add_entry(generator, entry)
    return bytes(generator.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True))


def _add_entry(generator: FeedGenerator, entry: AtomEntry) -> None:
    item = generator.add_entry(order="append")
    item.id(entry.id)
    item.title(entry.title)
    item.link(href=entry.link, rel="alternate")
    if entry.summary:
        item.summary(entry.summary, type="text")
    item.published(_utc(entry.published))
    item.updated(_utc(entry.updated))
    for category in entry.categories:
        item.category(term=category.term, label=category.label, scheme=category.scheme)

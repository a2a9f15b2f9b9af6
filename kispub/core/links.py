"""Links between content of different channels, without channels importing each other.

An atelier can point at podcast episodes and dossier items; the episode page then shows
the ateliers that point at it. The link table stores (kind, id) pairs; each channel
registers a resolver that turns ids of its own kind into displayable items.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app
from sqlalchemy import Index, String, UniqueConstraint, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import BindParameter

from kispub.core.database import write_transaction
from kispub.core.pagecache import AnySelect
from kispub.extensions import Model, db


class ContentLink(Model):
    """A directed link from one piece of content to another."""

    __tablename__ = "content_link"
    # The unique constraint doubles as the index for the forward direction.
    __table_args__ = (
        UniqueConstraint("source_kind", "source_id", "target_kind", "target_id"),
        Index("ix_content_link_target", "target_kind", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_kind: Mapped[str] = mapped_column(String(30))
    source_id: Mapped[int] = mapped_column()
    target_kind: Mapped[str] = mapped_column(String(30))
    target_id: Mapped[int] = mapped_column()


@dataclass(frozen=True)
class LinkedItem:
    """A piece of content as another channel's page shows it."""

    kind: str
    id: int
    title: str
    url: str
    meta: str = ""


# Given ids of its kind, a resolver returns the items that exist and are public, in any order.
Resolver = Callable[[Sequence[int]], list[LinkedItem]]
# Every item of a kind an editor may link to (drafts and scheduled ones too), newest first.
Choices = Callable[[], list[LinkedItem]]


@dataclass(frozen=True)
class ContentKind:
    """A kind of content a channel offers to the others."""

    kind: str
    label: str  # plural, for a form field: "Podcastafleveringen"
    resolve: Resolver
    choices: Choices | None = None


def register_content_kind(
    app: Flask, kind: str, resolver: Resolver, *, label: str = "", choices: Choices | None = None
) -> None:
    """Let other channels link to content of ``kind`` (called from a channel's init_app)."""
    entry = ContentKind(kind, label or kind, resolver, choices)
    app.extensions.setdefault("kispub_content_kinds", {})[kind] = entry


def content_kinds() -> dict[str, ContentKind]:
    """The registered kinds, in registration order."""
    return dict(current_app.extensions.get("kispub_content_kinds", {}))


def link_choices(kind: str) -> list[LinkedItem]:
    """What an editor can pick for ``kind``; empty when its channel is not installed."""
    entry = content_kinds().get(kind)
    return entry.choices() if entry is not None and entry.choices is not None else []


def set_links(
    source_kind: str, source_id: int, target_kind: str, target_ids: Iterable[int]
) -> None:
    """Replace the links from one item to items of ``target_kind``."""
    with write_transaction() as session:
        session.execute(
            delete(ContentLink).where(
                ContentLink.source_kind == source_kind,
                ContentLink.source_id == source_id,
                ContentLink.target_kind == target_kind,
            )
        )
        for target_id in dict.fromkeys(target_ids):
            session.add(
                ContentLink(
                    source_kind=source_kind,
                    source_id=source_id,
                    target_kind=target_kind,
                    target_id=target_id,
                )
            )


def linked_ids(source_kind: str, source_id: int, target_kind: str) -> list[int]:
    """Ids of ``target_kind`` items the source links to."""
    statement = select(ContentLink.target_id).where(
        ContentLink.source_kind == source_kind,
        ContentLink.source_id == source_id,
        ContentLink.target_kind == target_kind,
    )
    return list(db.session.scalars(statement.order_by(ContentLink.id)))


def linked_items(source_kind: str, source_id: int, target_kind: str) -> list[LinkedItem]:
    """The items the source links to, resolved by their channel (empty if it is not installed)."""
    return _resolve(target_kind, linked_ids(source_kind, source_id, target_kind))


def linking_items(target_kind: str, target_id: int, source_kind: str) -> list[LinkedItem]:
    """The items of ``source_kind`` that link to the target (the reverse direction)."""
    statement = select(ContentLink.source_id).where(
        ContentLink.target_kind == target_kind,
        ContentLink.target_id == target_id,
        ContentLink.source_kind == source_kind,
    )
    return _resolve(source_kind, list(db.session.scalars(statement.order_by(ContentLink.id))))


def unique_by_url(items: Iterable[LinkedItem]) -> list[LinkedItem]:
    """The items without repeats of the same page (two items of one dossier name it once)."""
    first: dict[str, LinkedItem] = {}
    for item in items:
        first.setdefault(item.url, item)
    return list(first.values())


def _resolve(kind: str, ids: list[int]) -> list[LinkedItem]:
    entry = content_kinds().get(kind)
    if entry is None or not ids:
        return []
    found = {item.id: item for item in entry.resolve(ids)}
    return [found[i] for i in ids if i in found]


def content_version(_now: BindParameter[datetime]) -> list[AnySelect]:
    """The links' part of the public pages' content version (kispub/core/pagecache.py):
    setting an item's links replaces its rows, which moves the count or the largest id."""
    return [select(func.count(), func.max(ContentLink.id)).select_from(ContentLink)]

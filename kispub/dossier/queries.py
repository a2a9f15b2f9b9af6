"""Reading dossiers and their items; nothing here writes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, case, func, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.sql.elements import BindParameter

from kispub.core.pagecache import AnySelect
from kispub.dossier.models import (
    CountKind,
    Dossier,
    DossierChange,
    DossierCountDay,
    DossierGroup,
    DossierItem,
    ItemKind,
    dossier_item_theme,
)
from kispub.extensions import db
from kispub.themes.models import Theme

MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class Filters:
    """The reader's choice on a dossier page: a theme slug and an item kind, or neither."""

    theme: str | None = None
    kind: ItemKind | None = None
    theme_name: str | None = None  # the theme's name, for headings

    @property
    def active(self) -> bool:
        return self.theme is not None or self.kind is not None


def dossier_by_slug(slug: str, now: datetime | None, *, with_groups: bool = True) -> Dossier | None:
    """The dossier with this slug (and its groups); with ``now``, only when it is public."""
    statement = select(Dossier).where(Dossier.slug == slug)
    if now is not None:
        statement = statement.where(Dossier.published_at <= now)
    if with_groups:
        statement = statement.options(selectinload(Dossier.groups))
    return db.session.scalars(statement).first()


@dataclass(frozen=True)
class PublicHead:
    """A public dossier (without its groups), how many of its items are public by now, and
    the chosen theme's name (None when no theme was asked for or the slug names none)."""

    dossier: Dossier
    public_items: int
    theme_name: str | None


def public_head(slug: str, now: datetime, theme_slug: str | None) -> PublicHead | None:
    """All a page needs to know whether its cached list is still current, in one query."""
    row = db.session.execute(_head_statement(), {"slug": slug, "now": now, "theme": theme_slug})
    found = row.first()
    return None if found is None else PublicHead(found[0], found[1] or 0, found[2])


@cache
def _head_statement() -> Select[Any]:
    # Built once: every public dossier page runs it, and building is most of its cost.
    now = bindparam("now", type_=Dossier.published_at.type)
    count = (
        select(func.count(DossierItem.id))
        .where(DossierItem.dossier_id == Dossier.id, DossierItem.published_at <= now)
        .scalar_subquery()
    )
    theme = select(Theme.name).where(Theme.slug == bindparam("theme")).scalar_subquery()
    return select(Dossier, count, theme).where(
        Dossier.slug == bindparam("slug"), Dossier.published_at <= now
    )


def get_dossier(dossier_id: int) -> Dossier | None:
    """The dossier with this id (None for an id no database integer can hold)."""
    return db.session.get(Dossier, dossier_id) if 0 < dossier_id <= MAX_ID else None


def public_dossiers(now: datetime) -> list[Dossier]:
    """Every published dossier, newest first."""
    statement = select(Dossier).where(Dossier.published_at <= now)
    return list(db.session.scalars(statement.order_by(Dossier.published_at.desc())))


def all_dossiers() -> list[Dossier]:
    """Every dossier, drafts too, newest first (for editors)."""
    return list(db.session.scalars(select(Dossier).order_by(Dossier.created_at.desc())))


def _items(dossier_id: int, now: datetime | None) -> Select[DossierItem]:
    statement = select(DossierItem).where(DossierItem.dossier_id == dossier_id)
    if now is not None:
        statement = statement.where(DossierItem.published_at <= now)
    # The one-to-one file joins in; themes (many per item) come in one more query.
    return statement.options(selectinload(DossierItem.themes), joinedload(DossierItem.file))


def dossier_items(dossier_id: int, now: datetime | None) -> list[DossierItem]:
    """A dossier's items, in their group's order; with ``now``, only the public ones.

    One query for the items, one each for their themes and files, whatever their number.
    """
    statement = _items(dossier_id, now).order_by(
        DossierItem.position, DossierItem.dated_on.desc(), DossierItem.id.desc()
    )
    return list(db.session.scalars(statement))


def newest_first(items: Sequence[DossierItem]) -> list[DossierItem]:
    """Items by their date, newest first (ties: the later created first)."""
    return sorted(items, key=lambda item: (item.dated_on, item.id), reverse=True)


def matches(item: DossierItem, filters: Filters) -> bool:
    """Whether the item is in the list the filters choose."""
    if filters.kind is not None and item.kind is not filters.kind:
        return False
    return filters.theme is None or any(t.slug == filters.theme for t in item.themes)


def theme_counts(items: Sequence[DossierItem], kind: ItemKind | None) -> Counter[str]:
    """Per theme slug, how many of the items (of ``kind``, when given) are on it."""
    counts: Counter[str] = Counter()
    for item in items:
        if kind is None or item.kind is kind:
            counts.update(theme.slug for theme in item.themes)
    return counts


def kind_counts(items: Sequence[DossierItem], theme: str | None) -> Counter[ItemKind]:
    """Per kind, how many of the items (on ``theme``, when given) there are."""
    return Counter(item.kind for item in items if matches(item, Filters(theme=theme)))


def item_by_slug(dossier_id: int, slug: str, now: datetime | None) -> DossierItem | None:
    """One item of the dossier; with ``now``, only when it is public."""
    statement = _items(dossier_id, now).where(DossierItem.slug == slug)
    return db.session.scalars(statement).first()


def get_item(item_id: int) -> DossierItem | None:
    """The item with this id (None for an id no database integer can hold)."""
    return db.session.get(DossierItem, item_id) if 0 < item_id <= MAX_ID else None


def public_items_by_ids(ids: Sequence[int], now: datetime) -> list[DossierItem]:
    """The public items (of public dossiers) with these ids, in any order."""
    statement = (
        select(DossierItem)
        .join(Dossier)
        .where(DossierItem.id.in_(ids), DossierItem.published_at <= now)
        .where(Dossier.published_at <= now)
        .options(selectinload(DossierItem.dossier))
    )
    return list(db.session.scalars(statement))


def every_item() -> list[DossierItem]:
    """Every item of every dossier, drafts too, newest first (for editors' pickers)."""
    statement = select(DossierItem).options(selectinload(DossierItem.dossier))
    return list(db.session.scalars(statement.order_by(DossierItem.dated_on.desc())))


def items_on_theme(theme: Theme, now: datetime, limit: int) -> list[DossierItem]:
    """The newest public items on a theme, from every public dossier."""
    statement = (
        select(DossierItem)
        .join(Dossier)
        .where(DossierItem.published_at <= now, Dossier.published_at <= now)
        .where(DossierItem.themes.any(Theme.id == theme.id))
        .options(selectinload(DossierItem.dossier))
        .order_by(DossierItem.dated_on.desc(), DossierItem.id.desc())
    )
    return list(db.session.scalars(statement.limit(limit)))


def newest_public_items(now: datetime, limit: int) -> list[DossierItem]:
    """The newest public items of every public dossier (the home page's block), leaving out
    items that stand for an episode or an atelier: the home page shows those channels itself."""
    statement = (
        select(DossierItem)
        .join(Dossier)
        .where(DossierItem.published_at <= now, Dossier.published_at <= now)
        .where(DossierItem.kind.not_in((ItemKind.EPISODE, ItemKind.ATELIER)))
        .options(selectinload(DossierItem.dossier))
        .order_by(DossierItem.dated_on.desc(), DossierItem.id.desc())
    )
    return list(db.session.scalars(statement.limit(limit)))


def changes(dossier_id: int) -> list[DossierChange]:
    """The editors' notes for "Wijzigingen op deze pagina", newest first."""
    statement = select(DossierChange).where(DossierChange.dossier_id == dossier_id)
    return list(db.session.scalars(statement.order_by(DossierChange.changed_at.desc())))


def count_totals(dossier_id: int) -> dict[tuple[int | None, CountKind], int]:
    """All-time totals per (item id or None for the dossier page, kind), in one query."""
    statement = (
        select(DossierCountDay.item_id, DossierCountDay.kind, func.sum(DossierCountDay.count))
        .where(DossierCountDay.dossier_id == dossier_id)
        .group_by(DossierCountDay.item_id, DossierCountDay.kind)
    )
    return {(item_id, kind): int(total) for item_id, kind, total in db.session.execute(statement)}


def item_counts(now: datetime) -> dict[int, tuple[int, int]]:
    """Per dossier, its number of items and how many of them are public: one query."""
    public = func.sum(case((DossierItem.published_at <= now, 1), else_=0))
    statement = select(DossierItem.dossier_id, func.count(DossierItem.id), public).group_by(
        DossierItem.dossier_id
    )
    return {
        dossier_id: (int(total), int(shown or 0))
        for dossier_id, total, shown in db.session.execute(statement)
    }


def dossier_with_groups(dossier_id: int) -> Dossier | None:
    """A dossier and its groups (for editors, drafts too)."""
    if not 0 < dossier_id <= MAX_ID:
        return None
    statement = (
        select(Dossier).where(Dossier.id == dossier_id).options(selectinload(Dossier.groups))
    )
    return db.session.scalars(statement).first()


def get_group(group_id: int) -> DossierGroup | None:
    """The group with this id (None for an id no database integer can hold)."""
    return db.session.get(DossierGroup, group_id) if 0 < group_id <= MAX_ID else None


def content_version(now: BindParameter[datetime]) -> list[AnySelect]:
    """The dossiers' part of the public pages' content version (kispub/core/pagecache.py):
    what the home and theme pages show of them. Every edit raises a dossier's revision."""
    return [
        select(func.count(), func.max(Dossier.id), func.sum(Dossier.revision),
               func.max(Dossier.updated_at), func.count().filter(Dossier.published_at <= now))
        .select_from(Dossier),
        select(func.count(), func.max(DossierItem.id), func.max(DossierItem.updated_at),
               func.count().filter(DossierItem.published_at <= now))
        .select_from(DossierItem),
        select(func.count(), func.sum(dossier_item_theme.c.theme_id)),
    ]  # fmt: skip

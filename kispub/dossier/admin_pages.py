"""What the editors' pages show, gathered in a few queries into frozen objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import to_user_timezone

from kispub.core import clock
from kispub.core.dates import long_datetime
from kispub.core.links import LinkedItem, link_choices
from kispub.dossier import queries
from kispub.dossier.models import Dossier, DossierGroup, DossierItem, ItemKind

PICKER_SHOWN = 20


@dataclass(frozen=True)
class State:
    """Where something stands for readers: a short word and, when scheduled, when."""

    key: str  # "concept", "ingepland", "gepubliceerd", "archief": a CSS modifier too
    label: str


def state_of(published_at: datetime | None, now: datetime) -> State:
    """Draft, scheduled (with its Amsterdam moment) or published."""
    if published_at is None:
        return State("concept", _("Niet gepubliceerd"))
    if published_at > now:
        return State("ingepland", _("Ingepland: %(moment)s", moment=long_datetime(published_at)))
    return State("gepubliceerd", _("Gepubliceerd"))


@dataclass(frozen=True)
class DossierRow:
    """A dossier in the editors' list."""

    dossier: Dossier
    state: State
    items: int
    public_items: int


@dataclass(frozen=True)
class ItemRow:
    """An item in its group on the dossier's editors' page."""

    item: DossierItem
    state: State
    first: bool
    last: bool


@dataclass(frozen=True)
class GroupRows:
    """A group (None: the items in no group, "Overig") and its items in the page's order."""

    group: DossierGroup | None
    items: list[ItemRow]
    first: bool
    last: bool


@dataclass(frozen=True)
class DossierOverview:
    """A dossier's editors' page: its state, its groups with their items."""

    dossier: Dossier
    state: State
    groups: list[GroupRows]


def dossier_rows() -> list[DossierRow]:
    """Every dossier, drafts too, with its item counts: two queries."""
    now = clock.now()
    counts = queries.item_counts(now)
    return [
        DossierRow(dossier, _dossier_state(dossier, now), *counts.get(dossier.id, (0, 0)))
        for dossier in queries.all_dossiers()
    ]


def dossier_overview(dossier_id: int) -> DossierOverview | None:
    """A dossier with its groups and every item: four queries, whatever their number."""
    dossier = queries.dossier_with_groups(dossier_id)
    if dossier is None:
        return None
    now = clock.now()
    items = queries.dossier_items(dossier.id, None)
    sections: list[tuple[DossierGroup | None, list[DossierItem]]] = [
        (group, [i for i in items if i.group_id == group.id]) for group in dossier.groups
    ]
    loose = [i for i in items if i.group_id is None]
    if loose:
        sections.append((None, loose))
    named = len(dossier.groups)
    return DossierOverview(
        dossier=dossier,
        state=_dossier_state(dossier, now),
        groups=[
            GroupRows(group, _rows(members, now), first=n == 0, last=n == named - 1)
            for n, (group, members) in enumerate(sections)
        ],
    )


def picker_choices(kind: ItemKind, search: str, chosen: int | None) -> list[LinkedItem]:
    """The episodes or ateliers whose title has ``search`` (the newest without a search),
    through the content-kind registry, with the chosen one always among them."""
    if kind.link_kind is None:
        return []
    everything = link_choices(kind.link_kind)
    words = search.casefold().split()
    found = [c for c in everything if all(word in c.title.casefold() for word in words)]
    shown = found[:PICKER_SHOWN]
    if chosen is not None and all(c.id != chosen for c in shown):
        shown += [c for c in everything if c.id == chosen]
    return shown


def _rows(items: list[DossierItem], now: datetime) -> list[ItemRow]:
    last = len(items) - 1
    return [
        ItemRow(item, state_of(item.published_at, now), first=n == 0, last=n == last)
        for n, item in enumerate(items)
    ]


def _dossier_state(dossier: Dossier, now: datetime) -> State:
    state = state_of(dossier.published_at, now)
    if state.key == "gepubliceerd" and dossier.is_archived(to_user_timezone(now).date()):
        return State("archief", "Gepubliceerd, archief")
    return state

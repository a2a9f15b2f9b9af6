"""The editors' order: groups within a dossier, items within their group."""

from __future__ import annotations

import enum
from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import select

from kispub.core.database import write_transaction
from kispub.dossier.models import DossierGroup, DossierItem
from kispub.dossier.services.editing import DossierError, touch_dossier
from kispub.extensions import db


class Direction(enum.StrEnum):
    """Where a group or item moves: one place up or down (the values are the form's)."""

    UP = "omhoog"
    DOWN = "omlaag"


def move_group(group_id: int, direction: Direction) -> bool:
    """Swap a group with its neighbour; False when it is already first (or last)."""
    with write_transaction():
        group = db.session.get(DossierGroup, group_id)
        if group is None:
            raise DossierError(_("Deze groep bestaat niet (meer)."))
        siblings = list(
            db.session.scalars(
                select(DossierGroup)
                .where(DossierGroup.dossier_id == group.dossier_id)
                .order_by(DossierGroup.position, DossierGroup.id)
            )
        )
        moved = _swap(siblings, group, direction)
        if moved:
            touch_dossier(group.dossier_id)
    return moved


def move_item(item_id: int, direction: Direction) -> bool:
    """Swap an item with its neighbour in its group (the order the page shows); False when
    it is already first (or last). Another group is chosen on the item's form."""
    with write_transaction():
        item = db.session.get(DossierItem, item_id)
        if item is None:
            raise DossierError(_("Dit item bestaat niet (meer)."))
        # The public page's order (kispub.dossier.queries.dossier_items), so a move is
        # always one visible place.
        siblings = list(
            db.session.scalars(
                select(DossierItem)
                .where(
                    DossierItem.dossier_id == item.dossier_id,
                    DossierItem.group_id.is_(None)
                    if item.group_id is None
                    else DossierItem.group_id == item.group_id,
                )
                .order_by(DossierItem.position, DossierItem.dated_on.desc(), DossierItem.id.desc())
            )
        )
        moved = _swap(siblings, item, direction)
        if moved:
            touch_dossier(item.dossier_id)
    return moved


def _swap(
    siblings: Sequence[DossierGroup | DossierItem],
    thing: DossierGroup | DossierItem,
    direction: Direction,
) -> bool:
    """Number the siblings 1, 2, 3… in their order with ``thing`` moved one place."""
    index = siblings.index(thing)
    other = index - 1 if direction is Direction.UP else index + 1
    if not 0 <= other < len(siblings):
        return False
    order = list(siblings)
    order[index], order[other] = order[other], order[index]
    for position, sibling in enumerate(order, start=1):
        sibling.position = position
    return True

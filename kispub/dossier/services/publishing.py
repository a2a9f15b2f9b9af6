"""Publishing, unpublishing and deleting: what readers can see, and when.

An item is scheduled by saving it with a ``published_at`` in the future
(``save_item_as_editor``); it appears by itself once that moment has passed.

Each change a reader would notice is noted in the dossier's public history the way GOV.UK
does: the first publication of an item is listed by itself (``pages._history``); taking a
public item away gets a line of its own, since the item's own line then disappears.
"""

from __future__ import annotations

from flask_babel import gettext as _

from kispub.core import clock
from kispub.core.database import write_transaction
from kispub.core.links import set_links
from kispub.dossier.models import Dossier, DossierItem
from kispub.dossier.services.editing import (
    KIND,
    DossierError,
    ItemData,
    feature_item,
    note_change,
    save_item,
    touch_dossier,
)
from kispub.extensions import db


def publish_dossier(dossier_id: int) -> Dossier:
    """Make a draft (or scheduled) dossier public now; a public one stays as it is."""
    with write_transaction():
        dossier = _dossier(dossier_id)
        now = clock.now()
        if not dossier.is_public(now):
            dossier.published_at = now
            touch_dossier(dossier.id)
    return dossier


def unpublish_dossier(dossier_id: int) -> Dossier:
    """Take a dossier offline: a draft again, for editors only (with its preview)."""
    with write_transaction():
        dossier = _dossier(dossier_id)
        if dossier.published_at is not None:
            dossier.published_at = None
            touch_dossier(dossier.id)
    return dossier


def unpublish_item(item_id: int) -> DossierItem:
    """Take an item off the public page (it stays, as a draft, for editors).

    It leaves the featured cards too: a featured place is only for what readers can see.
    """
    with write_transaction():
        item = _item(item_id)
        now = clock.now()
        if item.is_public(now):
            note_change(item.dossier_id, f"{item.kind.label} teruggetrokken: {item.title}")
        item.published_at, item.featured_position = None, None
        item.updated_at = now
        touch_dossier(item.dossier_id)
    return item


def delete_item(item_id: int) -> int:
    """Delete an item for good, with its themes, file row and links; returns its dossier."""
    with write_transaction() as session:
        item = _item(item_id)
        dossier_id = item.dossier_id
        if item.is_public(clock.now()):
            note_change(dossier_id, f"{item.kind.label} verwijderd: {item.title}")
        for kind in ("episode", "atelier"):
            set_links(KIND, item.id, kind, [])
        session.delete(item)
        touch_dossier(dossier_id)
    return dossier_id


def save_item_as_editor(
    dossier_id: int, item_id: int | None, data: ItemData, featured_position: int | None
) -> DossierItem:
    """The item form: the item, its publication (now, scheduled or not) and its featured
    place (1 to 3, or none) in one unit; a public item taken back is noted."""
    if featured_position is not None and data.published_at is None:
        raise DossierError(
            _("Alleen een gepubliceerd of ingepland item kan worden uitgelicht."), "featured"
        )
    with write_transaction():
        now = clock.now()
        was_public = item_id is not None and _item(item_id).is_public(now)
        item = save_item(dossier_id, item_id, data)
        if featured_position != item.featured_position:
            feature_item(item.id, featured_position)
        if was_public and not item.is_public(now):  # back to a draft, or scheduled again
            note_change(dossier_id, f"{item.kind.label} teruggetrokken: {item.title}")
    return item


def _dossier(dossier_id: int) -> Dossier:
    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None:
        raise DossierError(_("Dit dossier bestaat niet (meer)."))
    return dossier


def _item(item_id: int) -> DossierItem:
    item = db.session.get(DossierItem, item_id)
    if item is None:
        raise DossierError(_("Dit item bestaat niet (meer)."))
    return item

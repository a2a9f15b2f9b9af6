"""The dossiers' block on the home page: the newest public items of every public dossier."""

from __future__ import annotations

from flask_babel import gettext as _

from kispub.core import clock
from kispub.core.highlights import Highlight, HighlightBlock
from kispub.dossier import queries
from kispub.dossier.links import dossier_path, item_url

SHOWN = 3


def newest_items_block() -> HighlightBlock | None:
    """The newest items by their date; two queries (items, then their dossiers)."""
    items = queries.newest_public_items(clock.now(), SHOWN)
    if not items:
        return None
    cards = tuple(
        Highlight(
            title=item.title,
            url=item_url(item),
            kind_label=item.kind.label,
            moment=item.dated_on,
            summary=item.summary,
            meta=item.dossier.title,
        )
        for item in items
    )
    first = items[0].dossier
    return HighlightBlock(
        key="dossier",
        heading=_("Nieuw in de dossiers"),
        items=cards,
        more_url=dossier_path(first.slug),
        more_label=_("Naar het %(dossier)s", dossier=first.title),
    )

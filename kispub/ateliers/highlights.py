"""The ateliers' block on the home page: the next few kennisateliers."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from kispub.ateliers.models import AtelierStatus
from kispub.ateliers.queries import upcoming_ateliers
from kispub.core.highlights import Highlight, HighlightBlock

SHOWN = 3


def next_ateliers_block() -> HighlightBlock | None:
    """The next ateliers that still take place (not cancelled), soonest first; two queries."""
    coming = [a for a in upcoming_ateliers() if a.status is not AtelierStatus.CANCELLED]
    if not coming:
        return None
    cards = tuple(
        Highlight(
            title=atelier.title,
            url=url_for("ateliers.show", slug=atelier.slug),
            kind_label=_("Kennisatelier"),
            moment=atelier.starts_at,
            with_time=atelier.status is AtelierStatus.SCHEDULED,
            meta=_meta(atelier.status, atelier.location_text),
        )
        for atelier in coming[:SHOWN]
    )
    return HighlightBlock(
        key="ateliers",
        heading=_("Komende kennisateliers"),
        items=cards,
        more_url=url_for("ateliers.index"),
        more_label=_("Alle kennisateliers"),
    )


def _meta(status: AtelierStatus, place: str | None) -> str:
    if status is not AtelierStatus.SCHEDULED:
        return status.label
    return place or ""

"""Ateliers and the rest of the site: what they offer to other channels, what they link to.

The channel offers the content kind "atelier" (an episode page lists the ateliers that
point at it) and a block on theme pages. An atelier links to content of every other
registered kind that offers choices (``kispub.core.links``); which kinds those are is
only known once the app is built, so nothing here names another channel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _

from kispub.ateliers.models import Atelier, DisplayStatus
from kispub.ateliers.queries import (
    all_ateliers,
    past_ateliers,
    public_ateliers_by_ids,
    upcoming_ateliers,
)
from kispub.core.dates import long_date
from kispub.core.links import (
    ContentKind,
    LinkedItem,
    content_kinds,
    link_choices,
    linked_ids,
    linked_items,
)
from kispub.core.urls import absolute_url
from kispub.themes.models import Theme
from kispub.themes.registry import ThemeItem, ThemeSection

KIND = "atelier"
THEME_SECTION_SIZE = 5


def _meta(atelier: Atelier) -> str:
    when = long_date(atelier.starts_at)
    shown = atelier.shown_status
    if shown is DisplayStatus.SCHEDULED:
        return when
    return f"{when} ({shown.label.lower()})"


def theme_section(theme: Theme) -> ThemeSection | None:
    """The theme page's block: upcoming ateliers on the theme, then the latest past ones."""
    shown = upcoming_ateliers(theme)[:THEME_SECTION_SIZE]
    if len(shown) < THEME_SECTION_SIZE:
        past, _more = past_ateliers(theme, per_page=THEME_SECTION_SIZE - len(shown))
        shown += past
    items = tuple(
        ThemeItem(title=a.title, url=url_for("ateliers.show", slug=a.slug), meta=_meta(a))
        for a in shown
    )
    return ThemeSection(_("Kennisateliers"), items, url_for("ateliers.index", thema=theme.slug))


def resolve_ateliers(ids: Sequence[int]) -> list[LinkedItem]:
    """Ateliers as another channel lists them (an episode's related ateliers).

    Absolute URLs, so that a caller outside a request (a feed, a command) can use them too.
    """
    return [
        LinkedItem(KIND, a.id, a.title, absolute_url("ateliers.show", slug=a.slug), _meta(a))
        for a in public_ateliers_by_ids(ids)
    ]


def atelier_choices() -> list[LinkedItem]:
    """Every atelier an editor can link to (a dossier item), latest first; drafts too.

    A link to a draft is kept but shown to visitors only once the atelier is public
    (``resolve_ateliers`` leaves it out until then).
    """
    return [
        LinkedItem(KIND, a.id, a.title, absolute_url("ateliers.show", slug=a.slug), _meta(a))
        for a in all_ateliers()
    ]


def related_kinds() -> dict[str, ContentKind]:
    """The kinds an editor can link an atelier to: every other kind that offers choices."""
    return {
        kind: entry
        for kind, entry in content_kinds().items()
        if kind != KIND and entry.choices is not None
    }


def related_items(atelier: Atelier) -> dict[str, list[LinkedItem]]:
    """What the atelier links to, per other kind, as those channels show it to the public."""
    kinds = (kind for kind in content_kinds() if kind != KIND)
    return {kind: linked_items(KIND, atelier.id, kind) for kind in kinds}


def related_ids(atelier: Atelier) -> dict[str, list[int]]:
    """The ids the atelier links to, per kind (for the editor form)."""
    return {kind: linked_ids(KIND, atelier.id, kind) for kind in related_kinds()}


@dataclass(frozen=True)
class RelatedChoices:
    """One kind an atelier can link to, and everything an editor can pick of it."""

    kind: str
    label: str  # plural: "Podcastafleveringen"
    items: list[LinkedItem]


def related_choices() -> list[RelatedChoices]:
    """Per kind an atelier can link to (none when its channel is not installed), the choices."""
    return [
        RelatedChoices(kind, entry.label, link_choices(kind))
        for kind, entry in related_kinds().items()
    ]

"""Dossier test data: plain functions with overridable defaults, through the services."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from typing import Any

from kispub.dossier.models import Dossier, DossierGroup, DossierItem, ItemKind
from kispub.dossier.services.editing import (
    DossierData,
    GroupData,
    ItemData,
    save_dossier,
    save_group,
    save_item,
)

PUBLISHED = datetime(2020, 4, 1, 8, 0, tzinfo=UTC)  # long before any test's clock
_counter = itertools.count(1)


def make_dossier(**overrides: Any) -> Dossier:
    """A published dossier; ``slug`` "coronadossier" unless told (or taken)."""
    n = next(_counter)
    data = DossierData(
        title=overrides.pop("title", f"Dossier {n}"),
        slug=overrides.pop("slug", f"dossier-{n}"),
        summary=overrides.pop("summary", "Wat KIS weet over het onderwerp."),
        introduction=overrides.pop("introduction", "De **inleiding** van het dossier."),
        published_at=overrides.pop("published_at", PUBLISHED),
        **overrides,
    )
    return save_dossier(None, data)


def make_group(dossier: Dossier, title: str = "Nieuwe migratie", **overrides: Any) -> DossierGroup:
    """A group, placed last in the dossier."""
    return save_group(dossier.id, None, GroupData(title=title, **overrides))


BODIES = {
    ItemKind.ARTICLE: "Een artikel met **vette** tekst.",
    ItemKind.PUBLICATION: "De HTML-versie van de publicatie.",
    ItemKind.GUIDE: "De HTML-versie van de handleiding.",
}


def make_item(dossier: Dossier, kind: ItemKind = ItemKind.ARTICLE, **overrides: Any) -> DossierItem:
    """A published item of ``kind`` with what that kind needs (episodes and ateliers need
    ``link_id``)."""
    n = next(_counter)
    defaults: dict[str, Any] = {
        "title": f"Item {n}",
        "slug": f"item-{n}",
        "summary": f"Samenvatting van item {n}.",
        "dated_on": date(2020, 6, 1),
        "published_at": PUBLISHED,
        "body": BODIES.get(kind, ""),
    }
    if kind is ItemKind.INFOGRAPHIC:
        defaults["text_alternative"] = "Wat de infographic laat zien, in woorden."
    if kind is ItemKind.EXTERNAL:
        defaults["external_url"] = "https://www.example.org/stuk"
    defaults.update(overrides)
    return save_item(dossier.id, None, ItemData(kind=kind, **defaults))

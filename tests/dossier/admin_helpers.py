"""Shared parts of the back-office tests: a dossier with a group and items, form values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kispub.dossier.models import Dossier, DossierGroup, DossierItem, ItemKind
from kispub.extensions import db
from tests.dossier.helpers import make_dossier, make_group, make_item

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # 11:00 in Amsterdam


@dataclass(frozen=True)
class Sample:
    """A dossier with two groups, three items in the first and a draft dossier."""

    dossier: Dossier
    first: DossierGroup
    second: DossierGroup
    items: tuple[DossierItem, ...]

    def url(self, path: str) -> str:
        """``path`` with {dossier}, {group} and {item} filled in."""
        return path.format(dossier=self.dossier.id, group=self.first.id, item=self.items[0].id)


def make_sample() -> Sample:
    dossier = make_dossier(title="Coronadossier", slug="corona")
    first, second = make_group(dossier, "Nieuwe migratie"), make_group(dossier, "Participatie")
    items = tuple(
        make_item(dossier, ItemKind.ARTICLE, title=title, group_id=first.id)
        for title in ("Artikel A", "Artikel B", "Artikel C")
    )
    return Sample(dossier, first, second, items)


def item_form(**overrides: Any) -> dict[str, Any]:
    """A valid submission of the article form (published now)."""
    values: dict[str, Any] = {
        "title": "Thuiswerken en inburgering",
        "slug": "",
        "summary": "Wat thuiswerken betekent voor inburgeraars.",
        "body": "De **tekst** van het artikel.",
        "group_id": "0",
        "dated_on": "2020-06-01",
        "featured_position": "0",
        "publication": "gepubliceerd",
        "publish_at": "",
        "change_note": "",
        "nonce": "een-nonce-van-minstens-16-tekens",
    }
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


def dossier_form(**overrides: Any) -> dict[str, Any]:
    """A valid submission of the dossier form (a draft)."""
    values: dict[str, Any] = {
        "title": "Klimaatdossier",
        "slug": "",
        "summary": "Wat KIS weet over klimaat en integratie.",
        "introduction": "Een *inleiding*.",
        "ends_on": "",
        "publication": "concept",
        "publish_at": "",
        "change_note": "",
        "nonce": "een-nonce-van-minstens-16-tekens",
    }
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


def fresh(thing: Any) -> Any:
    """``thing`` as the database has it now (after a request committed)."""
    db.session.rollback()
    return db.session.get(type(thing), thing.id)

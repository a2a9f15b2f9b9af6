"""The [[dossiers]] section of content files: dossiers with their groups and items, upserted
by slug.

An item's ``file`` and a dossier's ``lead_image`` (paths relative to the content file) go
through the same services as an editor's upload; the same content again changes nothing.

An item that stands for an episode or atelier names it by title (``links_to``), as the
editors' picker shows it: a content file cannot know database ids, and the dossier may not
import the channel that owns the title.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from kispub.core import clock
from kispub.core.links import link_choices
from kispub.dossier import queries
from kispub.dossier.counting import seed_counts
from kispub.dossier.models import CountKind, DossierGroup, ItemKind
from kispub.dossier.services.editing import (
    DossierData,
    GroupData,
    ItemData,
    feature_item,
    item_state,
    save_dossier,
    save_group,
    save_item,
)
from kispub.dossier.services.files import attach_file, set_lead_image
from kispub.extensions import db


def load_dossiers(items: list[dict[str, Any]], base: Path) -> int:
    """Create or update each dossier, its groups and items; returns how many things changed.

    Saving is idempotent, so loading a file twice changes nothing the second time; the count
    is of what the file names.
    """
    changed = 0
    for entry in items:
        existing = queries.dossier_by_slug(entry["slug"], None)
        before = item_state(existing) if existing else None
        dossier = save_dossier(existing.id if existing else None, dossier_data(entry))
        lead_changed = _lead_image(dossier.id, base, entry) if "lead_image" in entry else False
        changed += item_state(dossier) != before or lead_changed
        _seed(dossier.id, None, entry, (dossier.published_at or clock.now()).date())
        groups: dict[str, int] = {}
        for group in entry.get("groups", ()):
            groups[group["slug"]], group_changed = _save_group(dossier.id, group)
            changed += group_changed
        changed += sum(
            _save_item(dossier.id, item, groups, base) for item in entry.get("items", ())
        )
    return changed


def dossier_data(entry: dict[str, Any]) -> DossierData:
    """One [[dossiers]] table as the service's data."""
    return DossierData(
        title=entry["title"],
        slug=entry["slug"],
        summary=entry.get("summary", ""),
        introduction=entry.get("introduction", ""),
        lead_image_alt=entry.get("lead_image_alt", ""),
        published_at=_moment(entry.get("published_at")),
        ends_on=_day(entry, "ends_on") if "ends_on" in entry else None,
    )


def _save_group(dossier_id: int, group: dict[str, Any]) -> tuple[int, bool]:
    """The group's id, and whether saving it changed anything."""
    existing = db.session.scalars(
        select(DossierGroup).where(
            DossierGroup.dossier_id == dossier_id, DossierGroup.slug == group["slug"]
        )
    ).first()
    before = item_state(existing) if existing else None
    data = GroupData(
        title=group["title"], slug=group["slug"], description=group.get("description", "")
    )
    saved = save_group(dossier_id, existing.id if existing else None, data)
    return saved.id, item_state(saved) != before


def _save_item(dossier_id: int, entry: dict[str, Any], groups: dict[str, int], base: Path) -> bool:
    """Save one item (and its place among the featured); whether anything changed."""
    existing = queries.item_by_slug(dossier_id, entry["slug"], None)
    before = item_state(existing) if existing else None
    group = entry.get("group")
    if group is not None and group not in groups:
        raise ValueError(f"{entry['slug']}: onbekende groep {group!r}")
    kind = ItemKind(entry["kind"])
    data = ItemData(
        kind=kind,
        title=entry["title"],
        slug=entry["slug"],
        dated_on=_day(entry, "dated_on"),
        summary=entry.get("summary", ""),
        group_id=groups[group] if group is not None else None,
        theme_slugs=tuple(entry.get("themes", ())),
        body=entry.get("body", ""),
        text_alternative=entry.get("text_alternative", ""),
        external_url=entry.get("url"),
        link_id=_link_id(kind, entry.get("links_to")),
        published_at=_moment(entry.get("published_at", entry["dated_on"])),
    )
    item = save_item(dossier_id, existing.id if existing else None, data)
    if entry.get("featured") != item.featured_position:
        feature_item(item.id, entry.get("featured"))
    _seed(dossier_id, item.id, entry, item.dated_on)
    file_changed = _attach(item.id, base, entry["file"]) if "file" in entry else False
    return item_state(item) != before or file_changed


def _attach(item_id: int, base: Path, name: str) -> bool:
    """Attach the item's file; whether it is new (the same content again is no change)."""
    existing = queries.get_item(item_id)
    before = existing.file.key if existing is not None and existing.file else None
    with (base / name).open("rb") as stream:
        return attach_file(item_id, stream, Path(name).name).key != before


def _lead_image(dossier_id: int, base: Path, entry: dict[str, Any]) -> bool:
    """Give the dossier its lead image; whether it changed."""
    existing = queries.get_dossier(dossier_id)
    before = existing.lead_image_key if existing is not None else None
    with (base / entry["lead_image"]).open("rb") as stream:
        dossier = set_lead_image(
            dossier_id, stream, Path(entry["lead_image"]).name, entry.get("lead_image_alt", "")
        )
    return dossier.lead_image_key != before


def _seed(dossier_id: int, item_id: int | None, entry: dict[str, Any], day: date) -> None:
    """The starting figures (``views``, ``downloads``), as one day's totals: the annual
    report's counts in the demo. Setting them again changes nothing."""
    for key, kind in (("views", CountKind.VIEW), ("downloads", CountKind.DOWNLOAD)):
        if key in entry:
            seed_counts(dossier_id, item_id, kind, day, int(entry[key]))


def _link_id(kind: ItemKind, title: str | None) -> int | None:
    if kind.link_kind is None or title is None:
        return None
    for choice in link_choices(kind.link_kind):
        if choice.title == title:
            return choice.id
    raise ValueError(f"links_to: geen {kind.label.lower()} met de titel {title!r}")


def _day(entry: dict[str, Any], key: str) -> date:
    value = entry[key]
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(f"{key} = {value!r}: verwacht een datum, zoals 2020-04-15")
    return value


def _moment(value: Any) -> datetime | None:
    """A TOML local date-time (Amsterdam), or a date (09:00 Amsterdam that day), or None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        local = value
    elif isinstance(value, date):
        local = datetime(value.year, value.month, value.day, 9, 0)
    else:
        raise ValueError(f"published_at = {value!r}: verwacht een datum met tijd")
    if local.tzinfo is None:
        local = local.replace(tzinfo=ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    return local.astimezone(UTC)

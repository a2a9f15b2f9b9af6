"""The [[ateliers]] section of content files, upserted by slug."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from kispub.ateliers.models import AtelierPublication, AtelierStatus
from kispub.ateliers.queries import atelier_by_slug
from kispub.ateliers.services.editing import AtelierData, parse_people, save_atelier
from kispub.core.localtime import from_amsterdam


def load_ateliers(items: list[dict[str, Any]], base: Path) -> int:
    """Create or update each atelier by slug; returns how many changed.

    Times are Amsterdam wall-clock times (TOML local date-times). Loading sends no e-mail:
    a content file is set-up, not news for attendees. An atelier is published unless its
    table says ``publication = "draft"``; ``publish_at`` schedules it.
    """
    changed = 0
    for item in items:
        existing = atelier_by_slug(item["slug"])
        change = save_atelier(existing.id if existing else None, atelier_data(item))
        changed += change.created or change.changed
    return changed


def atelier_data(item: dict[str, Any]) -> AtelierData:
    """One [[ateliers]] table as the service's data."""
    deadline = item.get("registration_deadline")
    publish_at = item.get("publish_at")
    return AtelierData(
        title=item["title"],
        slug=item["slug"],
        description=item.get("description", ""),
        theme_slugs=tuple(item.get("themes", ())),
        starts_at=_moment(item, "starts_at"),
        ends_at=_moment(item, "ends_at"),
        venue_name=item.get("venue_name"),
        venue_address=item.get("venue_address"),
        online=bool(item.get("online", False)),
        online_url=item.get("online_url"),
        capacity=item.get("capacity"),
        registration_deadline_at=None
        if deadline is None
        else _moment(item, "registration_deadline"),
        status=AtelierStatus(item.get("status", "scheduled")),
        # Published unless the file says publication = "draft" (or gives a later publish_at).
        publication=AtelierPublication(item.get("publication", "published")),
        publish_at=None if publish_at is None else _moment(item, "publish_at"),
        speakers=parse_people(item.get("speakers", ())),
        hosts=parse_people(item.get("hosts", ())),
    )


def _moment(item: dict[str, Any], key: str) -> datetime:
    value = item[key]
    if not isinstance(value, datetime):
        raise ValueError(f"{key} = {value!r}: verwacht een datum met tijd, zoals 2027-03-28T14:00")
    return from_amsterdam(value)

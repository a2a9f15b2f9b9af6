"""Reading and changing themes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.sql.elements import BindParameter

from kispub.core.database import write_transaction
from kispub.core.pagecache import AnySelect
from kispub.core.text import is_slug, slugify
from kispub.extensions import db
from kispub.themes.models import Theme

# KIS's seven themes, then the two the coronadossier adds (from the 2020 report).
DEFAULT_THEMES = (
    "Nieuwe migratie",
    "Sociale stabiliteit",
    "Intercultureel vakmanschap",
    "Onderwijs",
    "Arbeidsmarkt",
    "Jeugd en opvoeding",
    "Emancipatie en zelfbeschikking",
    "Inclusie & toegankelijkheid",
    "Participatie",
)


@dataclass(frozen=True)
class ThemeData:
    """A theme as a content file describes it."""

    name: str
    slug: str | None = None
    description: str = ""


def all_themes() -> list[Theme]:
    """Every theme in display order."""
    return list(db.session.scalars(select(Theme).order_by(Theme.position, Theme.name)))


def theme_by_slug(slug: str) -> Theme | None:
    """The theme with this slug; None for anything that is no slug (a query value, say)."""
    if not is_slug(slug):  # a NUL or other control character would reach the database
        return None
    return db.session.scalars(select(Theme).where(Theme.slug == slug)).first()


def themes_by_slugs(slugs: Iterable[str]) -> list[Theme]:
    """The themes for these slugs; raises ValueError naming any that do not exist."""
    wanted = list(dict.fromkeys(slugs))
    found = {t.slug: t for t in db.session.scalars(select(Theme).where(Theme.slug.in_(wanted)))}
    missing = [slug for slug in wanted if slug not in found]
    if missing:
        raise ValueError(f"Onbekend thema: {', '.join(missing)}")
    return [found[slug] for slug in wanted]


def upsert_themes(themes: Iterable[ThemeData]) -> int:
    """Create or update themes by slug; returns how many rows changed."""
    changed = 0
    with write_transaction() as session:
        existing = {t.slug: t for t in session.scalars(select(Theme))}
        for position, data in enumerate(themes):
            slug = data.slug or slugify(data.name)
            theme = existing.get(slug)
            if theme is None:
                theme = Theme(slug=slug)
                session.add(theme)
                existing[slug] = theme
            values = {"name": data.name, "description": data.description, "position": position}
            if any(getattr(theme, key) != value for key, value in values.items()):
                for key, value in values.items():
                    setattr(theme, key, value)
                changed += 1
    return changed


def ensure_default_themes() -> int:
    """Seed KIS's themes when none exist yet."""
    if db.session.scalars(select(Theme.id)).first() is not None:
        return 0
    return upsert_themes(ThemeData(name) for name in DEFAULT_THEMES)


def content_version(_now: BindParameter[datetime]) -> list[AnySelect]:
    """The themes' part of the public pages' content version (kispub/core/pagecache.py):
    the few theme rows, names and descriptions by their lengths (the loader rewrites them)."""
    lengths = func.length(Theme.name) + func.length(Theme.slug) + func.length(Theme.description)
    return [
        select(
            func.count(), func.max(Theme.id), func.sum(Theme.position), func.sum(lengths)
        ).select_from(Theme)
    ]

"""Loading content files: themes, users and, per channel, what each channel registers.

A content file is TOML (see README, "Content files"). Each top-level array of tables is
handled by the loader registered for its name; loaders upsert by natural key, so loading
the same file twice changes nothing the second time.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from kispub.accounts.models import Role
from kispub.accounts.services import AccountError, NewUser, create_user, find_user_by_email
from kispub.core.database import write_transaction
from kispub.core.text import clean_text
from kispub.themes.services import ThemeData, upsert_themes

Items = list[dict[str, Any]]
# A loader gets the section's items and the folder of the content file (for relative paths)
# and returns how many things it created or changed.
Loader = Callable[[Items, Path], int]


class ContentError(ValueError):
    """The content file is not valid; the message says where."""


@dataclass
class LoadReport:
    """What a load changed, per section."""

    changed: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.changed.values())


def register_loader(app: Flask, section: str, loader: Loader) -> None:
    """Let a channel handle a section of content files; sections load in registration order."""
    app.extensions.setdefault("kispub_loaders", {})[section] = loader


def load_content(path: Path) -> LoadReport:
    """Load a content file in one transaction: an error anywhere leaves the database as it was."""
    try:
        data = _cleaned(tomllib.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ContentError(f"{path}: {error}") from error
    loaders: dict[str, Loader] = current_app.extensions.get("kispub_loaders", {})
    unknown = sorted(set(data) - set(loaders))
    if unknown:
        raise ContentError(f"{path}: onbekende sectie(s): {', '.join(unknown)}")
    report = LoadReport()
    with write_transaction():
        for section, loader in loaders.items():
            items = data.get(section, [])
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                raise ContentError(f"{path}: [[{section}]] moet een lijst van tabellen zijn")
            if items:
                report.changed[section] = _run(loader, section, items, path)
    return report


def _cleaned(value: Any) -> Any:
    """Every string in a parsed file through the text rule (``core.text``), so no loader
    stores what the feed or a calendar cannot carry (TOML's \\u0001 escapes allow it)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    if isinstance(value, dict):
        return {key: _cleaned(item) for key, item in value.items()}
    return value


def _run(loader: Loader, section: str, items: Items, path: Path) -> int:
    try:
        return loader(items, path.parent)
    except (KeyError, TypeError, ValueError) as error:
        raise ContentError(f"{path}: [[{section}]]: {_describe(error)}") from error


def _describe(error: Exception) -> str:
    return f"veld {error} ontbreekt" if isinstance(error, KeyError) else str(error)


def load_themes(items: Items, base: Path) -> int:
    """[[themes]] name, slug (optional), description (optional)."""
    return upsert_themes(
        ThemeData(name=i["name"], slug=i.get("slug"), description=i.get("description", ""))
        for i in items
    )


def load_users(items: Items, base: Path) -> int:
    """[[users]] email, name, role, organisation; never passwords (users set their own)."""
    changed = 0
    for item in items:
        new = NewUser(
            email=item["email"],
            name=item["name"],
            role=Role(item.get("role", "member")),
            organisation=item.get("organisation"),
            made_by_staff=True,
        )
        changed += _upsert_user(new)
    return changed


def _upsert_user(new: NewUser) -> int:
    with write_transaction():
        user = find_user_by_email(new.email)
        if user is None:
            try:
                create_user(new)
            except AccountError as error:
                raise ValueError(str(error)) from error
            return 1
        values = {"name": new.name, "role": new.role, "organisation": new.organisation}
        if all(getattr(user, key) == value for key, value in values.items()):
            return 0
        for key, value in values.items():
            setattr(user, key, value)
        return 1


def init_app(app: Flask) -> None:
    """Register the sections the foundation knows."""
    register_loader(app, "themes", load_themes)
    register_loader(app, "users", load_users)


DEMO_FOLDER = Path(__file__).parent / "demo"


def demo_files() -> list[Path]:
    """The bundled demo content files, in load order (foundation first, then each channel)."""
    return sorted(DEMO_FOLDER.glob("*.toml"))

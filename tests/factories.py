"""Test data builders: plain functions with overridable defaults."""

from __future__ import annotations

import itertools
from typing import Any

from kispub.accounts.models import Role, User
from kispub.accounts.services import NewUser, create_user
from kispub.core.text import slugify
from kispub.themes.models import Theme
from kispub.themes.services import ThemeData, theme_by_slug, upsert_themes

DEFAULT_PASSWORD = "een lang genoeg wachtwoord"
_counter = itertools.count(1)


def make_user(**overrides: Any) -> User:
    """An active user with DEFAULT_PASSWORD; role member unless overridden."""
    n = next(_counter)
    new = NewUser(
        email=overrides.pop("email", f"user{n}@example.org"),
        name=overrides.pop("name", f"Gebruiker {n}"),
        role=Role(overrides.pop("role", Role.MEMBER)),
        organisation=overrides.pop("organisation", "Gemeente Voorbeeld"),
        password=overrides.pop("password", DEFAULT_PASSWORD),
        made_by_staff=True,  # as the CLI and the users page make them: approved members
    )
    if overrides:
        raise TypeError(f"unknown overrides: {sorted(overrides)}")
    return create_user(new)


def make_theme(name: str = "Onderwijs", description: str = "") -> Theme:
    """A theme, created if it does not exist."""
    upsert_themes([ThemeData(name=name, description=description)])
    theme = theme_by_slug(slugify(name))
    assert theme is not None
    return theme

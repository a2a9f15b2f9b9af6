"""How channels contribute to a theme page without the theme package knowing them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

from kispub.themes.models import Theme


@dataclass(frozen=True)
class ThemeItem:
    """One piece of content shown on a theme page."""

    title: str
    url: str
    summary: str = ""
    meta: str = ""


@dataclass(frozen=True)
class ThemeSection:
    """A channel's block on a theme page."""

    title: str
    items: tuple[ThemeItem, ...]
    more_url: str | None = None


SectionProvider = Callable[[Theme], ThemeSection | None]


def register_theme_section(app: Flask, provider: SectionProvider) -> None:
    """Let a channel add a section to every theme page (called from its init_app)."""
    app.extensions.setdefault("kispub_theme_sections", []).append(provider)


def sections_for(theme: Theme) -> list[ThemeSection]:
    """Each registered channel's section for the theme, skipping empty ones."""
    providers = current_app.extensions.get("kispub_theme_sections", [])
    sections = (provider(theme) for provider in providers)
    return [section for section in sections if section is not None and section.items]

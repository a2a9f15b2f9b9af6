"""The back office hub (/beheer/): every channel's back office, with what needs attention.

Channels never import each other, so each registers a section from its own ``init_app``
(as ``channels.py`` and ``core/links.py`` do): a title, where it starts, the lowest role that
may use it, and a function saying what waits there. The hub page asks only the sections the
user may open, and each attention function runs one query or a few, so the page stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from flask import Flask, current_app, url_for

from kispub.accounts.models import Role, User


@dataclass(frozen=True)
class Attention:
    """Something waiting in a back office: "3 aanvragen", linked to where they are handled."""

    label: str  # already translated and counted (ngettext), for example "2 concepten"
    url: str
    count: int


# Returns the items that need attention now; empty when nothing waits. Items with a count of
# zero are dropped by the hub, so a function may return them unconditionally.
AttentionItems = Callable[[], Sequence[Attention]]


@dataclass(frozen=True)
class Section:
    """A back office as the hub lists it."""

    key: str
    title: Callable[[], str]  # called per request: the title in the visitor's language
    endpoint: str
    role: Role
    attention: AttentionItems | None = None
    # Attention functions joined later with ``add_attention`` (a module of the same channel).
    extra: tuple[AttentionItems, ...] = field(default=())


@dataclass(frozen=True)
class SectionPage:
    """A section ready for the template."""

    key: str
    title: str
    url: str
    attention: tuple[Attention, ...]


def register_section(app: Flask, section: Section) -> None:
    """Offer a back office on the hub (called from a channel's ``init_app``)."""
    app.extensions.setdefault("kispub_backoffice", {})[section.key] = section


def add_attention(app: Flask, key: str, items: AttentionItems) -> None:
    """Add one more attention function to an already registered section."""
    sections = app.extensions["kispub_backoffice"]
    known = sections[key]
    sections[key] = Section(
        known.key, known.title, known.endpoint, known.role, known.attention, (*known.extra, items)
    )


def sections() -> list[Section]:
    """Every registered section, in registration order."""
    return list(current_app.extensions.get("kispub_backoffice", {}).values())


def hub_for(user: User) -> list[SectionPage]:
    """The sections the user may use, each with what needs attention."""
    return [
        SectionPage(section.key, section.title(), url_for(section.endpoint), _attention(section))
        for section in sections()
        if user.has_role(section.role)
    ]


def _attention(section: Section) -> tuple[Attention, ...]:
    functions = (section.attention, *section.extra) if section.attention else section.extra
    return tuple(item for items in functions for item in items() if item.count > 0)

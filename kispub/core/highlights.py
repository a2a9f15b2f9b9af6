"""What the home page shows of each channel, without the home page knowing the channels.

A channel registers a provider in its own ``init_app`` (like theme sections and content
kinds); the home page asks every provider for its block, in registration order, and shows
the blocks that have items. A provider runs a fixed, small number of queries, whatever the
amount of content: the home page is the most visited page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from flask import Flask, current_app


@dataclass(frozen=True)
class Highlight:
    """One card: a title that links, its kind ("Podcast"), its date and a short summary."""

    title: str
    url: str
    kind_label: str
    moment: datetime | date | None = None
    with_time: bool = False  # show the time of day too (an atelier's start)
    summary: str = ""
    meta: str = ""  # after the date: a venue, "online", a dossier's name


@dataclass(frozen=True)
class HighlightBlock:
    """A channel's block on the home page: a heading, its cards and a link to all of them."""

    key: str  # a stable id, for the heading's anchor and tests
    heading: str
    items: tuple[Highlight, ...]
    more_url: str | None = None
    more_label: str = ""


HighlightProvider = Callable[[], HighlightBlock | None]


def register_highlights(app: Flask, provider: HighlightProvider) -> None:
    """Let a channel add a block to the home page (called from its init_app)."""
    app.extensions.setdefault("kispub_highlights", []).append(provider)


def highlight_blocks() -> list[HighlightBlock]:
    """Each registered channel's block, skipping empty ones."""
    providers = current_app.extensions.get("kispub_highlights", [])
    blocks = (provider() for provider in providers)
    return [block for block in blocks if block is not None and block.items]

"""The channels the home page and navigation lead to, registered by each channel."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from kispub.accounts.models import Role


@dataclass(frozen=True)
class FeedLink:
    """A feed a channel offers, advertised with <link rel="alternate"> on the home page."""

    mimetype: str
    title: str
    endpoint: str


@dataclass(frozen=True)
class Channel:
    """A channel as the home page presents it."""

    key: str
    title: str
    summary: str
    endpoint: str | None  # None while the channel is not open yet
    members_only: bool = False
    feeds: tuple[FeedLink, ...] = ()


# Channels whose package has not landed yet, shown on the home page as coming. A channel
# that exists declares its own ``CHANNEL`` in its package and is not listed here.
PLANNED: tuple[Channel, ...] = ()


def register_channel(app: Flask, channel: Channel) -> None:
    """Add an open channel, in the order ``create_app`` opens them, before the planned ones."""
    opened = app.extensions.setdefault("kispub_open_channels", [])
    opened.append(channel)
    planned = [known for known in PLANNED if known.key not in {c.key for c in opened}]
    app.extensions["kispub_channels"] = [*opened, *planned]


def channels() -> list[Channel]:
    """The channels in home-page order."""
    return current_app.extensions["kispub_channels"]


def init_app(app: Flask) -> None:
    """Start with every channel as planned; let templates see them."""
    app.extensions.setdefault("kispub_channels", list(PLANNED))
    app.context_processor(lambda: {"channels": channels(), "Role": Role})

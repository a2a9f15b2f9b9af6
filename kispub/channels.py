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


# Shown on the home page until a channel's package registers its real entry.
PLANNED = (
    Channel(
        "podcast",
        "Podcast",
        "Inspirerende denkers en doeners over diversiteitsvraagstukken.",
        None,
    ),
    Channel(
        "ateliers",
        "Kennisateliers",
        "Bijeenkomsten met partners uit het veld over actuele vraagstukken.",
        None,
    ),
    Channel(
        "community",
        "Community",
        "Voor professionals, beleidsmakers en praktijkdeskundigen: praat mee per thema.",
        None,
        members_only=True,
    ),
    Channel(
        "dossier",
        "Coronadossier",
        "Wat KIS publiceerde over de gevolgen van corona.",
        None,
    ),
)


def register_channel(app: Flask, channel: Channel) -> None:
    """Replace the planned entry with the channel's own."""
    channels = app.extensions.setdefault("kispub_channels", list(PLANNED))
    index = next(i for i, known in enumerate(channels) if known.key == channel.key)
    channels[index] = channel


def channels() -> list[Channel]:
    """The channels in home-page order."""
    return current_app.extensions["kispub_channels"]


def init_app(app: Flask) -> None:
    """Start with every channel as planned; let templates see them."""
    app.extensions.setdefault("kispub_channels", list(PLANNED))
    app.context_processor(lambda: {"channels": channels(), "Role": Role})

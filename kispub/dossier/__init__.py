"""Dossiers: curated, themed collections of articles, publications, infographics, episodes and
ateliers (the coronadossier first), HTML first, with private counts, Atom feeds and alerts.

The channel has the layout every channel has: ``views`` (public pages), ``admin`` (the
editors' pages), ``forms``, ``models``, ``services`` (every write), ``queries`` (reads),
``pages`` (what templates get), ``loader`` (the ``[[dossiers]]`` section of content files)
and ``links`` (what it offers other channels).
"""

from __future__ import annotations

from flask import Flask

from kispub.channels import Channel
from kispub.content import register_loader
from kispub.core.links import register_content_kind
from kispub.dossier import counting, links, views
from kispub.dossier.loader import load_dossiers
from kispub.dossier.services.editing import KIND
from kispub.jobs import crontab, register_periodic
from kispub.themes.registry import register_theme_section

CHANNEL = Channel(
    "dossier",
    "Coronadossier",
    "Wat KIS publiceerde over de gevolgen van corona.",
    "dossier.coronadossier",
)


def init_app(app: Flask) -> None:
    """Register the channel's blueprints, content loader, theme section and links."""
    app.register_blueprint(views.bp)
    register_loader(app, "dossiers", load_dossiers)
    register_theme_section(app, links.theme_section)
    register_content_kind(
        app, KIND, links.resolve_items, label="Dossieritems", choices=links.item_choices
    )
    register_periodic(
        app, "dossier-forget-visitors", crontab(minute="3"), counting.forget_old_visitors
    )

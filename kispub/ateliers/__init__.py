"""Kennisateliers: workshop pages, registration and iCalendar feeds."""

from __future__ import annotations

from flask import Flask

from kispub.ateliers import editor_views, views
from kispub.ateliers.cli import ateliers_cli
from kispub.ateliers.content import load_ateliers
from kispub.ateliers.linking import resolve_ateliers, theme_section
from kispub.ateliers.localtime import amsterdam_iso
from kispub.ateliers.registration import purge_attendee_data
from kispub.channels import Channel, FeedLink
from kispub.content import register_loader
from kispub.core.links import register_content_kind
from kispub.jobs import crontab, register_periodic
from kispub.themes.registry import register_theme_section

CHANNEL = Channel(
    "ateliers",
    "Kennisateliers",
    "Bijeenkomsten met partners uit het veld over actuele vraagstukken.",
    "ateliers.index",
    feeds=(FeedLink("text/calendar", "Kennisateliers (agenda)", "ateliers.feed"),),
)


def init_app(app: Flask) -> None:
    """Register the channel's blueprint, content loader, theme section and links."""
    app.register_blueprint(views.bp)
    app.register_blueprint(editor_views.bp)
    register_loader(app, "ateliers", load_ateliers)
    register_theme_section(app, theme_section)
    register_content_kind(app, "atelier", resolve_ateliers)
    app.cli.add_command(ateliers_cli)
    register_periodic(app, "ateliers-purge", crontab(minute="30", hour="2"), purge_attendee_data)
    app.add_template_filter(amsterdam_iso)

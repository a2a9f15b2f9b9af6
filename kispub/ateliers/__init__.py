"""Kennisateliers: workshop pages, registration and iCalendar feeds.

The channel has the layout every channel has: ``views`` (public pages), ``admin`` (the
editors' pages; ``admin_changes`` adds the confirmation pages for cancelling and for fewer
places), ``forms``, ``models``, ``services`` (every write; a package, see its
docstring), ``queries`` (reads), ``pages`` (what templates get), ``loader`` (the
``[[ateliers]]`` section of content files), ``links`` (what it offers other channels and
links to), ``notifications`` (its e-mail) and ``cli``. ``calendar/`` is its iCalendar
engine. Domain helpers: ``seats`` (counting, locking and the waiting list), ``tokens``
(secrets in URLs), ``jsonld`` (schema.org data for the atelier page) and ``export``
(the attendee CSV).
"""

from __future__ import annotations

from flask import Flask

from kispub.ateliers import (
    admin,
    admin_changes,  # noqa: F401 (adds its confirmation pages to admin.bp)
    attendee_admin,
    backoffice,
    queries,
    views,
)
from kispub.ateliers import privacy as ateliers_privacy
from kispub.ateliers.calendar import publishing as calendar_publishing
from kispub.ateliers.cli import ateliers_cli
from kispub.ateliers.highlights import next_ateliers_block
from kispub.ateliers.links import KIND, atelier_choices, resolve_ateliers, theme_section
from kispub.ateliers.loader import load_ateliers
from kispub.ateliers.models import Atelier, AtelierPerson
from kispub.ateliers.services.registration import purge_attendee_data
from kispub.channels import Channel, FeedLink
from kispub.content import register_loader
from kispub.core.highlights import register_highlights
from kispub.core.links import register_content_kind
from kispub.core.localtime import amsterdam_iso
from kispub.core.pagecache import cache_public_page, register_content_version, touch_on_change
from kispub.core.public import register_publisher
from kispub.jobs import crontab, register_periodic
from kispub.themes.models import Theme
from kispub.themes.registry import register_theme_section

CHANNEL = Channel(
    "ateliers",
    "Kennisateliers",
    "Bijeenkomsten met partners uit het veld over actuele vraagstukken.",
    "ateliers.index",
    feeds=(FeedLink("text/calendar", "Kennisateliers (agenda)", "ateliers.feed"),),
)


def init_app(app: Flask) -> None:
    """Register the channel's blueprints, content loader, theme section and links."""
    app.register_blueprint(views.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(attendee_admin.bp)  # adding, removing, promoting, mailing
    backoffice.init_app(app)  # its section on the back office hub
    register_loader(app, "ateliers", load_ateliers)
    register_theme_section(app, theme_section)
    register_highlights(app, next_ateliers_block)
    register_content_kind(
        app, KIND, resolve_ateliers, label="Kennisateliers", choices=atelier_choices
    )
    app.cli.add_command(ateliers_cli)
    register_publisher(
        app,
        "ateliers",
        calendar_publishing.publish_calendars,
        (Atelier, AtelierPerson, Theme),
        calendar_publishing.falls_due_at,
    )
    register_periodic(app, "ateliers-purge", crontab(minute="30", hour="2"), purge_attendee_data)
    app.add_template_filter(amsterdam_iso)
    ateliers_privacy.init_app(app)  # its part of data exports and account erasure (AVG)
    # The list and the pages are the same for every logged-out visitor (kispub/core/pagecache.py).
    register_content_version(app, queries.content_version)
    touch_on_change(Atelier)
    for endpoint in ("ateliers.index", "ateliers.show"):
        cache_public_page(app, endpoint)

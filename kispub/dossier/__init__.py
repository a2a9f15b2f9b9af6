"""Dossiers: curated, themed collections of articles, publications, infographics, episodes and
ateliers (the coronadossier first), HTML first, with private counts, Atom feeds and alerts.

The channel has the layout every channel has: ``views`` (public pages), ``admin`` (the
editors' pages, with ``admin_forms`` and ``admin_pages``), ``models``, ``services``
(every write), ``queries`` (reads), ``pages`` (what templates get), ``loader`` (the
``[[dossiers]]`` section of content files) and ``links`` (what it offers other channels).
``files/`` checks, stores and serves attachments and lead images (``file_admin`` is their
editors' pages, ``file_forms`` their forms, ``services.files`` their writes). ``feed/``
writes the Atom feeds of a dossier and its filtered lists; e-mail alerts are ``alerts``
(their rules), ``alert_views``, ``alert_forms``, ``alert_pages``, ``alert_tokens`` (the
signed links), ``notifications`` (their mail), ``services.alerts`` and
``services.alert_sending`` (the jobs), and ``privacy`` (their part of the AVG export and
erasure).
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from kispub.channels import Channel, FeedLink
from kispub.content import register_loader
from kispub.core.highlights import register_highlights
from kispub.core.links import register_content_kind
from kispub.core.pagecache import register_content_version
from kispub.core.storage import register_media_references
from kispub.dossier import (
    admin,
    alert_views,
    backoffice,
    counting,
    file_admin,
    highlights,
    links,
    queries,
    views,
)
from kispub.dossier import privacy as dossier_privacy
from kispub.dossier.files import references as file_references
from kispub.dossier.files import views as file_views
from kispub.dossier.loader import load_dossiers
from kispub.dossier.services.alert_sending import announce_new_items, send_due_summaries
from kispub.dossier.services.alerts import purge_unconfirmed
from kispub.dossier.services.editing import KIND
from kispub.jobs import crontab, register_periodic
from kispub.themes.registry import register_theme_section

CHANNEL = Channel(
    "dossier",
    "Coronadossier",
    _l("Wat KIS publiceerde over de gevolgen van corona."),
    "dossier.coronadossier",
    feeds=(FeedLink("application/atom+xml", "Coronadossier", "dossier.coronadossier_feed"),),
)


def init_app(app: Flask) -> None:
    """Register the channel's blueprints, content loader, theme section and links."""
    app.register_blueprint(views.bp)
    app.register_blueprint(admin.bp)
    backoffice.init_app(app)  # its section on the back office hub
    app.register_blueprint(file_views.bp)
    app.register_blueprint(file_admin.bp)
    register_media_references(app, file_references.media_keys)
    register_loader(app, "dossiers", load_dossiers)
    register_theme_section(app, links.theme_section)
    register_highlights(app, highlights.newest_items_block)
    register_content_kind(
        app, KIND, links.resolve_items, label="Dossieritems", choices=links.item_choices
    )
    register_periodic(
        app, "dossier-forget-visitors", crontab(minute="3"), counting.forget_old_visitors
    )
    _init_alerts(app)
    # What the home and theme pages show of the dossiers (kispub/core/pagecache.py).
    register_content_version(app, queries.content_version)


def _init_alerts(app: Flask) -> None:
    """E-mail alerts: their pages, the jobs that send them, and their part of the AVG."""
    app.register_blueprint(alert_views.bp)
    # New items go out within five minutes of becoming public (published, or due).
    register_periodic(app, "dossier-alerts-direct", crontab(minute="*/5"), announce_new_items)
    # Hourly: each summary is sent once, in the first run after its hour (site time zone).
    register_periodic(app, "dossier-alerts-summary", crontab(minute="2"), send_due_summaries)
    register_periodic(
        app, "dossier-alerts-purge", crontab(minute="50", hour="3"), purge_unconfirmed
    )
    dossier_privacy.init_app(app)

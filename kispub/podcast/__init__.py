"""Podcast publishing: episodes from audio files, pages, the RSS feed and audio serving."""

from __future__ import annotations

from flask import Flask

from kispub.channels import Channel, FeedLink
from kispub.content import register_loader
from kispub.core import durations
from kispub.core.accesslog import register_log_handler
from kispub.core.highlights import register_highlights
from kispub.core.links import register_content_kind
from kispub.core.pagecache import cache_public_page, register_content_version, touch_on_change
from kispub.core.public import register_publisher
from kispub.core.storage import register_media_references
from kispub.jobs import crontab, register_periodic
from kispub.podcast.models import Episode, Series
from kispub.themes.registry import register_theme_section

SERIES_TITLE = "Inspirerende denkers en doeners over diversiteitsvraagstukken"


CHANNEL = Channel(
    "podcast",
    "Podcast",
    f"{SERIES_TITLE}.",
    "podcast.index",
    feeds=(FeedLink("application/rss+xml", f"Podcast: {SERIES_TITLE}", "podcast.default_feed"),),
)


def init_app(app: Flask) -> None:
    """Register the channel's blueprints, content loader, theme section, links and CLI."""
    from kispub.podcast import (
        admin,
        backoffice,
        cli,
        downloads,
        highlights,
        links,
        loader,
        logcount,
        pages,
        publishing,
        queries,
        views,
    )
    from kispub.podcast.models import Guest

    app.register_blueprint(views.bp)
    app.register_blueprint(admin.bp)
    backoffice.init_app(app)  # its section on the back office hub
    register_loader(app, "podcast_series", loader.load_series)
    register_loader(app, "podcast_episodes", loader.load_episodes)
    register_theme_section(app, links.theme_section)
    register_highlights(app, highlights.latest_episode_block)
    register_content_kind(
        app,
        links.EPISODE_KIND,
        links.resolve_episodes,
        label="Podcastafleveringen",
        choices=links.episode_choices,
    )
    register_media_references(app, queries.media_keys)
    register_publisher(
        app, "podcast", publishing.publish_files, (Series, Episode, Guest), publishing.falls_due_at
    )
    app.cli.add_command(cli.podcast)
    register_log_handler(app, logcount.count_downloads)  # downloads, from the access log
    register_periodic(
        app, "podcast-downloads-rollup", crontab(minute="5"), downloads.rollup_downloads
    )
    # One format for lengths and timestamps alike, as the player shows them (core.durations).
    app.add_template_filter(durations.clock, "podcast_clock")
    app.add_template_filter(durations.clock, "podcast_duration")
    app.add_template_filter(durations.iso_duration, "podcast_iso_duration")
    app.add_template_filter(pages.seconds, "podcast_seconds")
    # Series and episode pages are the same for every logged-out visitor (core/pagecache.py).
    register_content_version(app, queries.content_version)
    touch_on_change(Episode, Series)
    for endpoint in ("podcast.series", "podcast.episode"):
        cache_public_page(app, endpoint)

"""kispub: the publishing platform for Kennisplatform Integratie & Samenleving."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from kispub import ateliers, channels, cli, community, dossier, jobs, models, podcast  # noqa: F401 - models
from kispub.accounts import data_export, passwords, privacy, sessions
from kispub.accounts import services as account_services
from kispub.admin import hub as admin_hub
from kispub.config import (
    PROJECT_ROOT,
    ensure_secret_key,
    ensure_shared_rate_limits,
    load_config,
)
from kispub.core import (
    accesslog,
    bounds,
    dates,
    errors,
    formatting,
    fragments,
    i18n,
    media_gc,
    outbox,
    pagecache,
    public,
    security,
    storage,
)
from kispub.core.markdown import render_markdown
from kispub.core.pagecache import register_content_version
from kispub.extensions import babel, csrf, db, limiter, migrate
from kispub.themes import services as theme_services

MIGRATIONS = Path(__file__).parent / "migrations"
# Every channel is a package with the same layout, a ``CHANNEL`` entry for the home page and
# navigation, and ``init_app(app)`` registering its blueprints, loaders, links and commands.
CHANNELS = (podcast, community, ateliers, dossier)


def _template_folder() -> Path:
    """The templates: inside the package when installed from a wheel, else the checkout's.

    setup.py builds the checkout's top-level templates/ into the wheel as kispub/templates.
    A checkout has no kispub/templates, and is the package that runs whenever it is on
    sys.path (editable install, or `gunicorn wsgi:app` started in it), so fall back to it.
    """
    packaged = Path(__file__).parent / "templates"
    return packaged if packaged.is_dir() else PROJECT_ROOT / "templates"


def create_app(test_config: dict[str, Any] | None = None, *, production: bool = False) -> Flask:
    """Build the application. It never touches the database: run ``flask init-db`` for that."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        # A deployment (or a test's worker process) may keep its instance folder elsewhere.
        instance_path=os.environ.get("KISPUB_INSTANCE_PATH") or None,
        template_folder=str(_template_folder()),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    load_config(app, test_config)
    ensure_secret_key(app, production=production)
    ensure_shared_rate_limits(app, production=production)
    _init_extensions(app)
    cli.init_app(app)  # first: the foundation's content sections load before the channels'
    _register_blueprints(app)
    app.add_template_filter(render_markdown, "markdown")
    if app.config["PROXY_FIX"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    return app


def _init_extensions(app: Flask) -> None:
    bounds.init_app(app)  # converters first: every rule added later uses them
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app)
    i18n.init_app(app)  # after Babel: faster template translations
    passwords.init_app(app)
    sessions.init_app(app)
    storage.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    dates.init_app(app)
    formatting.init_app(app)
    fragments.init_app(app)
    channels.init_app(app)
    jobs.init_app(app)  # before anything registers tasks on the queue
    accesslog.init_app(app)  # before the channels register their log handlers
    outbox.init_app(app)
    media_gc.init_app(app)
    public.init_app(app)  # before the channels register their publishers
    account_services.init_app(app)
    privacy.init_app(app)  # accounts' export sections first, before the channels' own
    data_export.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from kispub.accounts.privacy_views import bp as privacy_bp
    from kispub.accounts.second_step import bp as second_step_bp
    from kispub.accounts.user_admin import bp as user_admin_bp
    from kispub.accounts.views import bp as accounts_bp
    from kispub.admin.views import bp as admin_bp
    from kispub.home.views import bp as home_bp
    from kispub.themes.views import bp as themes_bp

    for blueprint in (
        home_bp,
        accounts_bp,
        second_step_bp,
        user_admin_bp,
        privacy_bp,
        admin_bp,
        themes_bp,
    ):
        app.register_blueprint(blueprint)
    for channel in CHANNELS:
        channels.register_channel(app, channel.CHANNEL)
        channel.init_app(app)
    admin_hub.init_app(app)  # the site's own back offices, listed after the channels'
    register_content_version(app, theme_services.content_version)
    pagecache.init_app(app)  # after the channels: their versions and shared pages

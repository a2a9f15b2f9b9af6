"""Configuration defaults and the order in which they are overridden.

Precedence, lowest first: the defaults below, ``instance/config.py``, ``KISPUB_*``
environment variables, and the ``test_config`` passed to ``create_app``.
"""

from __future__ import annotations

import os
import secrets
import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

from kispub.core.workers import server_thread_count, server_worker_count

# The checkout when running from one; for an installed package, its site-packages folder.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SecretKeyMissing(RuntimeError):
    """Raised at start-up in production when no secret key is configured."""


class RateLimitStorageNotShared(RuntimeError):
    """Raised at start-up in production when several workers would each count alone."""


def defaults(instance_path: str) -> dict[str, Any]:
    """Return the built-in settings; paths are relative to the instance folder."""
    instance = Path(instance_path)
    return {
        "SITE_NAME": "Kennisplatform Integratie & Samenleving",
        "SECRET_KEY": None,  # None: see ensure_secret_key
        "BASE_URL": "http://127.0.0.1:5000",
        # Host headers the app answers; None: BASE_URL's host and the loopback names (see
        # _derive). Any other Host is a 400, so it never reaches an absolute URL.
        "TRUSTED_HOSTS": None,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'kispub.sqlite3'}",
        # pool_size, unless set here, follows the web server's threads (see _size_pool).
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "MEDIA_ROOT": str(_default_media_root(instance)),
        # Feeds, calendars and published audio as files, at their URL paths (core/public.py):
        # nginx serves this folder; without nginx the app serves the same files.
        "PUBLIC_ROOT": str(instance / "public"),
        # Above PODCAST_MAX_AUDIO_BYTES: a 200 MiB upload plus the form around it gets through.
        "MAX_CONTENT_LENGTH": 210 * 1024 * 1024,
        "OUTBOX_DIR": str(instance / "outbox"),
        "MAIL_SERVER": None,
        "MAIL_PORT": 587,
        "MAIL_USE_TLS": True,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_FROM": "KIS <noreply@kis.nl>",
        "MAIL_TIMEOUT": 30,  # seconds an SMTP conversation may stall before it counts as failed
        # The outbox: tries per message, and the first retry's delay in seconds (doubling).
        "MAIL_MAX_ATTEMPTS": 5,
        "MAIL_RETRY_DELAY": 60,
        # A message left "sending" (or queued without a job) this many seconds is re-queued;
        # longer than MAIL_TIMEOUT, so a slow send is not mistaken for a killed worker.
        "OUTBOX_STALE_AFTER": 300,
        # Sent mail is deleted this many days after delivery (it holds addresses and links).
        "OUTBOX_KEEP_DAYS": 30,
        # Background jobs (kispub/jobs.py): Redis when set, else a SQLite file.
        "REDIS_URL": None,
        "JOBS_SQLITE_PATH": str(instance / "jobs.sqlite3"),
        "JOBS_QUEUE_NAME": "kispub",
        "JOBS_IMMEDIATE": False,  # run jobs at once in the calling process (tests)
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Set on every app: Flask-Limiter's one extension object keeps the last app's setting
        # for the next app built in the same process (tests, the CLI) unless each app says it.
        "RATELIMIT_ENABLED": True,
        "LOGIN_RATE_LIMIT": "5 per minute;30 per hour",
        # Reset mails one address may be sent, however many IP addresses ask.
        "PASSWORD_RESET_RATE_LIMIT": "3 per hour;10 per day",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SECURE": None,  # None: follow BASE_URL (see _derive)
        "REMEMBER_COOKIE_SECURE": None,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "SESSION_IDLE_TIMEOUT": timedelta(minutes=30),
        "SESSION_ABSOLUTE_TIMEOUT": timedelta(hours=12),
        "PASSWORD_RESET_MAX_AGE": timedelta(hours=1),
        # Staff's second factor (TOTP): the name authenticator apps show for the account, the
        # minutes a right password waits for the second step, and the codes one account may
        # get wrong (login, enrolment and the account page share the allowance).
        "TOTP_ISSUER": "KIS",
        "TOTP_PENDING_MINUTES": 10,
        "TOTP_RATE_LIMIT": "5 per minute;20 per hour",
        # argon2id; argon2-cffi's RFC 9106 low-memory profile is above OWASP ASVS 5.0's minimum.
        "ARGON2_TIME_COST": 3,
        "ARGON2_MEMORY_COST": 65536,
        "ARGON2_PARALLELISM": 4,
        # Seconds a rendered fragment of a public page (a dossier's list) may be reused.
        "FRAGMENT_CACHE_SECONDS": 60,
        "PROXY_FIX": False,
        # The JSON access log nginx writes (deploy/nginx), and the app too for what it serves
        # itself; the worker counts downloads from it (kispub/core/accesslog.py).
        "ACCESS_LOG": str(instance / "access.log"),
        "WTF_CSRF_TIME_LIMIT": None,
        # Unreferenced media are removed this long after they were last stored (media-gc).
        "MEDIA_GC_GRACE_HOURS": 24,
        # Staged uploads older than this were left by a killed process (media-staging-cleanup).
        "MEDIA_STAGING_MAX_AGE_MINUTES": 60,
        # Podcast: the largest audio upload, and the seconds the audio parser may take per file
        # (a 200 MiB VBR MP3 without a Xing header is counted frame by frame).
        "PODCAST_MAX_AUDIO_BYTES": 200 * 1024 * 1024,
        "PODCAST_PROBE_TIMEOUT": 20.0,
        # Kennisateliers. AVG: attendee data is deleted this many days after an atelier ends.
        "ATELIER_ATTENDEE_RETENTION_DAYS": 90,
        # The public feeds keep ateliers this many days after they ended, then drop them.
        "ATELIER_FEED_PAST_DAYS": 56,
        # How often calendar apps are asked to refetch a feed (REFRESH-INTERVAL).
        "ATELIER_FEED_REFRESH_HOURS": 12,
        # ORGANIZER of every event; None: the address in MAIL_FROM.
        "ATELIER_ORGANIZER_EMAIL": None,
        # Community profile photos: the largest upload in bytes and in pixels (width x height,
        # checked before decoding); every photo is stored as a 256 x 256 WebP.
        "COMMUNITY_AVATAR_MAX_BYTES": 5 * 1024 * 1024,
        "COMMUNITY_AVATAR_MAX_PIXELS": 25_000_000,
        # Members per page of the directory, results per page of the community search.
        "COMMUNITY_DIRECTORY_PAGE_SIZE": 30,
        "COMMUNITY_SEARCH_PAGE_SIZE": 20,
        # Community discussion: list sizes, and what one post may hold.
        "COMMUNITY_THREADS_PER_PAGE": 30,
        "COMMUNITY_POSTS_PER_PAGE": 20,
        "COMMUNITY_TITLE_MAX_LENGTH": 150,  # at most 200, the column's size
        "COMMUNITY_POST_MAX_LENGTH": 20_000,
        # Nothing older than this many days (or than the member's approval) counts as unread.
        "COMMUNITY_UNREAD_DAYS": 90,
        # Posts (new threads and replies) per member, whatever address they come from.
        "COMMUNITY_POST_RATE_LIMIT": "10 per minute;60 per hour",
        # Links per post: fewer in a member's first days after approval (spam arrives early).
        "COMMUNITY_NEW_MEMBER_DAYS": 7,
        "COMMUNITY_NEW_MEMBER_MAX_LINKS": 2,
        "COMMUNITY_MAX_LINKS": 20,
        # How many days a shareable preview link of a draft or scheduled item works.
        "PREVIEW_LINK_DAYS": 7,
        # AVG: where data exports are written (private, never served as media), how many days
        # a ready export can be downloaded, and how many hours apart a person may ask for one.
        "DATA_EXPORT_DIR": str(instance / "exports"),
        "DATA_EXPORT_DAYS": 7,
        "DATA_EXPORT_INTERVAL_HOURS": 24,
        # Community: how long a mailed invitation (and, by default, an invite link) is valid,
        # and how long the link confirming an e-mail address works.
        "COMMUNITY_INVITATION_DAYS": 14,
        "COMMUNITY_VERIFY_HOURS": 48,
        # The public joining forms: POSTs per IP address, and mails per e-mail address
        # however many IP addresses ask (nobody floods a mailbox through us).
        "COMMUNITY_JOIN_RATE_LIMIT": "5 per minute;30 per hour",
        "COMMUNITY_JOIN_MAIL_RATE_LIMIT": "3 per hour;10 per day",
        # Bulk invitations: the largest CSV file, and the most rows one file may invite.
        "COMMUNITY_BULK_MAX_BYTES": 1024 * 1024,
        "COMMUNITY_BULK_MAX_ROWS": 500,
        # Community e-mail: minutes between a notification and its mail (skipped when the
        # member read it meanwhile); the digests' weekday (0 = Monday) and hour, in the site's
        # time zone (BABEL_DEFAULT_TIMEZONE); requests per IP to the unsubscribe links.
        "COMMUNITY_MAIL_DELAY_MINUTES": 10,
        "COMMUNITY_DIGEST_WEEKDAY": 0,
        "COMMUNITY_DIGEST_HOUR": 8,
        "COMMUNITY_UNSUBSCRIBE_RATE_LIMIT": "30 per minute;300 per hour",
        # Notifications: per page of a member's list, and how long read ones are kept.
        "COMMUNITY_NOTIFICATIONS_PER_PAGE": 30,
        "COMMUNITY_NOTIFICATION_KEEP_DAYS": 90,
        # Moderation: reports by this many different members hide a post until a moderator
        # decides; a new member's posts wait for a moderator until this many are published
        # (0: no pre-moderation); entries per page of the moderation log.
        "COMMUNITY_FLAG_HIDE_THRESHOLD": 3,
        "COMMUNITY_PREMODERATE_FIRST_POSTS": 2,
        "COMMUNITY_MODERATION_LOG_PAGE_SIZE": 50,
        # Dossier e-mail alerts: POSTs per IP address to the public alert forms, and
        # confirmation mails per e-mail address however many IP addresses ask; hours the
        # confirmation link works (unconfirmed subscriptions are deleted after it); the hour
        # (site time zone) of the daily and weekly summaries and the weekly one's day
        # (0 = Monday); requests per IP to the unsubscribe links.
        "DOSSIER_ALERT_RATE_LIMIT": "5 per minute;30 per hour",
        "DOSSIER_ALERT_MAIL_RATE_LIMIT": "3 per hour;10 per day",
        "DOSSIER_ALERT_CONFIRM_HOURS": 72,
        "DOSSIER_ALERT_HOUR": 7,
        "DOSSIER_ALERT_WEEKDAY": 0,
        "DOSSIER_UNSUBSCRIBE_RATE_LIMIT": "30 per minute;300 per hour",
        # Dossier files (PDFs, infographics, lead images): the largest upload in bytes, the
        # seconds the sandboxed check of one file may take, and where readers ask for an
        # accessible version of a file (None: the address in MAIL_FROM).
        "DOSSIER_MAX_FILE_BYTES": 50 * 1024 * 1024,
        "DOSSIER_FILE_TIMEOUT": 10.0,
        "DOSSIER_ACCESSIBILITY_EMAIL": None,
    }


def _default_media_root(instance: Path) -> Path:
    """The checkout's media/ in development, else media/ in the instance folder.

    Flask puts the instance folder inside the checkout when the app runs from one, and under
    the environment's prefix (``var/kispub-instance``) when it is installed: media belongs
    with the database and outbox there, never inside site-packages.
    """
    if instance.resolve() == PROJECT_ROOT / "instance":
        return PROJECT_ROOT / "media"
    return instance / "media"


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill ``app.config`` from every source in order of precedence."""
    app.config.from_mapping(defaults(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("KISPUB")
    if test_config:
        app.config.from_mapping(test_config)
    _derive(app)


def _derive(app: Flask) -> None:
    """Settings that follow from others."""
    https = str(app.config["BASE_URL"]).startswith("https://")
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if app.config[key] is None:
            app.config[key] = https
    app.config["PREFERRED_URL_SCHEME"] = "https" if https else "http"
    if app.config["TRUSTED_HOSTS"] is None:
        app.config["TRUSTED_HOSTS"] = trusted_hosts(str(app.config["BASE_URL"]))
    for key in ("SESSION_IDLE_TIMEOUT", "SESSION_ABSOLUTE_TIMEOUT", "PASSWORD_RESET_MAX_AGE"):
        if isinstance(app.config[key], int | float):  # from the environment, in seconds
            app.config[key] = timedelta(seconds=app.config[key])
    _size_pool(app)


# SQLAlchemy's own default pool size, and the connections kept beyond one per server thread
# for the process's other threads (the job queue's, a thread a library starts).
POOL_SIZE_MINIMUM = 5
POOL_HEADROOM = 2


def _size_pool(app: Flask) -> None:
    """Keep a pooled connection for every thread the web server runs in this process.

    A request in a thread past the pool's size opens (and closes) a connection of its own,
    which costs more than most requests: with 8 gunicorn threads and the default pool of 5,
    a cached feed fell to half its speed. Both file SQLite and PostgreSQL use SQLAlchemy's
    QueuePool; in-memory SQLite gets a StaticPool (one shared connection, no size), and an
    explicit ``pool_size`` or ``poolclass`` in SQLALCHEMY_ENGINE_OPTIONS is left alone.
    """
    options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    url = str(app.config["SQLALCHEMY_DATABASE_URI"])
    if "pool_size" in options or "poolclass" in options or _in_memory_sqlite(url):
        return
    options["pool_size"] = max(POOL_SIZE_MINIMUM, server_thread_count() + POOL_HEADROOM)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _in_memory_sqlite(url: str) -> bool:
    if not url.startswith("sqlite"):
        return False
    database = url.partition("://")[2].lstrip("/").split("?", 1)[0]
    return database in ("", ":memory:") or "mode=memory" in url


# Loopback names are always answered: health checks and the benchmark call the app directly,
# and a link built for "localhost" sends a visitor to their own machine, never to a stranger.
# (Werkzeug cannot match IPv6 literals in its list: use a name for ::1.)
LOOPBACK_HOSTS = ("localhost", "127.0.0.1")


def trusted_hosts(base_url: str) -> list[str]:
    """The Host headers answered by default: the base URL's host and the loopback names."""
    host = urlsplit(base_url).hostname
    return list(dict.fromkeys([*([host] if host else []), *LOOPBACK_HOSTS]))


def ensure_secret_key(app: Flask, *, production: bool) -> None:
    """Use the configured key; generate one into instance/ in development; refuse in production."""
    if app.config.get("SECRET_KEY"):
        return
    if production and not app.debug:
        raise SecretKeyMissing(
            "KISPUB_SECRET_KEY is not set. Set it in the environment or in instance/config.py "
            "(SECRET_KEY = '...'); generate one with: python -c 'import secrets; "
            "print(secrets.token_hex(32))'"
        )
    key_file = Path(app.instance_path) / "secret_key"
    key_file.parent.mkdir(parents=True, exist_ok=True)
    try:
        # Created readable by the owner only, and only once: `make run` starts the web server
        # and the worker together, and both must end up with the same key.
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    app.config["SECRET_KEY"] = _read_key(key_file)


def _read_key(key_file: Path) -> str:
    """The key, waiting a moment if another process has created the file but not written it."""
    for _attempt in range(50):
        key = key_file.read_text().strip()
        if key:
            return key
        time.sleep(0.02)
    raise SecretKeyMissing(f"{key_file} is empty; delete it and start again.")


def ensure_shared_rate_limits(app: Flask, *, production: bool) -> None:
    """Refuse in-memory throttling counts in production when several worker processes run.

    Each process would keep its own counts, multiplying every limit by the number of
    workers (and resetting it whenever one restarts).
    """
    if not production or not str(app.config["RATELIMIT_STORAGE_URI"]).startswith("memory://"):
        return
    workers = server_worker_count()
    if workers > 1:
        raise RateLimitStorageNotShared(
            f"The web server runs {workers} worker processes, but login throttling keeps its "
            "counts in each process's memory (KISPUB_RATELIMIT_STORAGE_URI=memory://), so "
            "every limit would be multiplied. Point all workers at one Redis, e.g. "
            "KISPUB_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0 (a database number the "
            "job queue does not use), or run a single worker process."
        )

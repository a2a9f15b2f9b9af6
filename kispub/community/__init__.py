"""The KIS community: members discuss per theme; nobody else sees a word of it.

The channel has the layout every channel has, with packages where it is large: ``views/``
(members' pages, the joining pages; ``views/__init__`` says which blueprint guards what),
``admin`` (moderators' pages), ``forms``, ``models``, ``services/`` (every write),
``queries`` (reads), ``pages`` (what templates get), ``loader`` (the
``[[community_threads]]`` section), ``notifications`` (its e-mail) and ``access`` (the one
door every members' route passes).
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from kispub.accounts.services import register_new_account_hook
from kispub.channels import Channel
from kispub.community import (  # noqa: F401 - routes, DDL events (full text, append-only log)
    admin,
    admin_moderation,
    admin_sanctions,
    appendonly,
    backoffice,
    digest,
    directory,
    fulltext,
    mailing,
    notices,
    views,
)
from kispub.community import privacy as community_privacy
from kispub.community.loader import load_community_members, load_community_threads
from kispub.community.services.joining import remind_moderators
from kispub.community.services.members import approve_staff_account
from kispub.community.services.notifying import fan_out_post, purge_read_notifications
from kispub.content import register_loader
from kispub.core.storage import register_media_references
from kispub.jobs import crontab, register_periodic, register_task

CHANNEL = Channel(
    "community",
    "Community",
    _l("Voor professionals, beleidsmakers en praktijkdeskundigen: praat mee per thema."),
    "community.index",
    members_only=True,
)


def init_app(app: Flask) -> None:
    """Register the blueprints, the hook that makes staff-made accounts members, the content
    sections, the profile photos the media collector must keep, the moderators' daily
    reminder of pending requests, the members' notification mail and digests, and its part
    of data exports and account erasure."""
    app.register_blueprint(views.bp)
    app.register_blueprint(views.join_bp)
    app.register_blueprint(views.mail_bp)
    app.register_blueprint(admin.bp)
    backoffice.init_app(app)  # its section on the back office hub
    register_new_account_hook(app, approve_staff_account)
    community_privacy.init_app(app)  # its export sections and erasure hook (AVG)
    register_media_references(app, directory.avatar_keys)
    register_loader(app, "community_members", load_community_members)
    register_loader(app, "community_threads", load_community_threads)
    register_periodic(
        app, "community-pending-reminder", crontab(minute="0", hour="7"), remind_moderators
    )
    # Notification mail after its delay; the digests, checked hourly (each period sent once).
    register_task(app, mailing.send_notification_mail)
    register_periodic(app, "community-digest", crontab(minute="1"), digest.send_due_digests)
    # Notifications: the worker makes them after a post (fan-out), purges old read ones
    # nightly, and the header shows a member's unread count.
    register_task(app, fan_out_post)
    register_periodic(
        app,
        "community-notification-purge",
        crontab(minute="20", hour="3"),
        purge_read_notifications,
    )
    app.context_processor(notices.header_context)

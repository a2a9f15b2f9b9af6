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

from kispub.accounts.services import register_new_account_hook
from kispub.channels import Channel
from kispub.community import (  # noqa: F401 - routes, DDL events (full text, append-only log)
    admin,
    admin_moderation,
    admin_sanctions,
    appendonly,
    directory,
    fulltext,
    views,
)
from kispub.community.loader import load_community_members, load_community_threads
from kispub.community.services.joining import remind_moderators
from kispub.community.services.members import approve_staff_account
from kispub.content import register_loader
from kispub.core.storage import register_media_references
from kispub.jobs import crontab, register_periodic

CHANNEL = Channel(
    "community",
    "Community",
    "Voor professionals, beleidsmakers en praktijkdeskundigen: praat mee per thema.",
    "community.index",
    members_only=True,
)


def init_app(app: Flask) -> None:
    """Register the blueprints, the hook that makes staff-made accounts members, the content
    sections, the profile photos the media collector must keep, and the moderators' daily
    reminder of pending requests."""
    app.register_blueprint(views.bp)
    app.register_blueprint(views.join_bp)
    app.register_blueprint(admin.bp)
    register_new_account_hook(app, approve_staff_account)
    register_media_references(app, directory.avatar_keys)
    register_loader(app, "community_members", load_community_members)
    register_loader(app, "community_threads", load_community_threads)
    register_periodic(
        app, "community-pending-reminder", crontab(minute="0", hour="7"), remind_moderators
    )

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
from kispub.community import directory, fulltext, views  # noqa: F401 - fulltext: DDL events
from kispub.community.loader import load_community_members, load_community_threads
from kispub.community.services.members import approve_staff_account
from kispub.content import register_loader
from kispub.core.storage import register_media_references

CHANNEL = Channel(
    "community",
    "Community",
    "Voor professionals, beleidsmakers en praktijkdeskundigen: praat mee per thema.",
    "community.index",
    members_only=True,
)


def init_app(app: Flask) -> None:
    """Register the blueprints, the content section, the hook that makes staff-made accounts
    members, and the profile photos the media garbage collector must keep."""
    app.register_blueprint(views.bp)
    app.register_blueprint(views.join_bp)
    register_new_account_hook(app, approve_staff_account)
    register_media_references(app, directory.avatar_keys)
    register_loader(app, "community_members", load_community_members)
    register_loader(app, "community_threads", load_community_threads)

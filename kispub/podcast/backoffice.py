"""The podcast's place on the back office hub: drafts and scheduled episodes."""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, func, select

from kispub.accounts.models import Role
from kispub.core import clock
from kispub.core.backoffice import Attention, Section, register_section
from kispub.extensions import db
from kispub.podcast.models import Episode, EpisodeStatus


def attention() -> list[Attention]:
    """Draft episodes and episodes published for a later moment, counted in one query."""
    scheduled = and_(Episode.status == EpisodeStatus.PUBLISHED, Episode.publish_at > clock.now())
    drafts, later = db.session.execute(
        select(
            func.count().filter(Episode.status == EpisodeStatus.DRAFT),
            func.count().filter(scheduled),
        ).select_from(Episode)
    ).one()
    url = url_for("podcast_admin.index")
    return [
        Attention(ngettext("%(num)d concept", "%(num)d concepten", drafts), url, drafts),
        Attention(ngettext("%(num)d gepland", "%(num)d gepland", later), url, later),
    ]


def init_app(app: Flask) -> None:
    """Offer the episodes' back office to editors."""
    register_section(
        app, Section("podcast", lambda: _("Podcast"), "podcast_admin.index", Role.EDITOR, attention)
    )

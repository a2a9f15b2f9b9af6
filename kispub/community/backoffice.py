"""The community's place on the back office hub: requests, reports and held posts."""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from kispub.accounts.models import Role
from kispub.community.models import FlagReview, Member, MemberStatus, ReviewStatus
from kispub.community.moderation_queries import held_count
from kispub.core.backoffice import Attention, Section, register_section
from kispub.extensions import db


def attention() -> list[Attention]:
    """Join requests, open reports and held posts waiting for a moderator (three queries)."""
    requests = db.session.scalar(
        select(func.count()).select_from(Member).where(Member.status == MemberStatus.PENDING)
    )
    reports = db.session.scalar(
        select(func.count(FlagReview.id)).where(FlagReview.status == ReviewStatus.OPEN)
    )
    held = held_count()
    return [
        Attention(
            ngettext("%(num)d aanvraag", "%(num)d aanvragen", requests or 0),
            url_for("community_admin.requests"),
            requests or 0,
        ),
        Attention(
            ngettext("%(num)d open melding", "%(num)d open meldingen", reports or 0),
            url_for("community_admin.reviews"),
            reports or 0,
        ),
        Attention(
            ngettext("%(num)d bericht ter goedkeuring", "%(num)d berichten ter goedkeuring", held),
            url_for("community_admin.held"),
            held,
        ),
    ]


def init_app(app: Flask) -> None:
    """Offer the moderators' back office to moderators (and editors and admins)."""
    register_section(
        app,
        Section(
            "community",
            lambda: _("Community"),
            "community_admin.requests",
            Role.MODERATOR,
            attention,
        ),
    )

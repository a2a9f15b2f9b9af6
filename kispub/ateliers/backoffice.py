"""The ateliers' place on the back office hub: drafts, scheduled publications and upcoming
ateliers with a waiting list."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, func, select

from kispub.accounts.models import Role
from kispub.ateliers.models import (
    Atelier,
    AtelierPublication,
    Registration,
    RegistrationStatus,
)
from kispub.core import clock
from kispub.core.backoffice import Attention, AttentionItems, Section, register_section
from kispub.extensions import db


def waiting_lists() -> list[Attention]:
    """How many ateliers still to come have people on their waiting list (one query)."""
    count = db.session.scalar(
        select(func.count(func.distinct(Registration.atelier_id)))
        .join(Atelier, Atelier.id == Registration.atelier_id)
        .where(
            Registration.status == RegistrationStatus.WAITLISTED,
            Atelier.starts_at > clock.now(),
        )
    )
    count = count or 0
    label = ngettext(
        "%(num)d atelier met een wachtlijst", "%(num)d ateliers met een wachtlijst", count
    )
    return [Attention(label, url_for("ateliers_admin.index"), count)]


def unpublished() -> list[Attention]:
    """Draft ateliers and ateliers published for a later moment, counted in one query."""
    scheduled = and_(
        Atelier.publication == AtelierPublication.PUBLISHED, Atelier.publish_at > clock.now()
    )
    drafts, later = db.session.execute(
        select(
            func.count().filter(Atelier.publication == AtelierPublication.DRAFT),
            func.count().filter(scheduled),
        ).select_from(Atelier)
    ).one()
    url = url_for("ateliers_admin.index")
    return [
        Attention(ngettext("%(num)d concept", "%(num)d concepten", drafts), url, drafts),
        Attention(ngettext("%(num)d gepland", "%(num)d gepland", later), url, later),
    ]


ATTENTION: Sequence[AttentionItems] = (unpublished, waiting_lists)


def attention() -> list[Attention]:
    """Every attention item of the ateliers' back office."""
    return [item for items in ATTENTION for item in items()]


def init_app(app: Flask) -> None:
    """Offer the ateliers' back office to editors."""
    register_section(
        app,
        Section(
            "ateliers", lambda: _("Kennisateliers"), "ateliers_admin.index", Role.EDITOR, attention
        ),
    )

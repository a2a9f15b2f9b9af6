"""The dossiers' place on the back office hub: items not yet public."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from kispub.accounts.models import Role
from kispub.core import clock
from kispub.core.backoffice import Attention, Section, register_section
from kispub.dossier.models import Dossier, DossierItem
from kispub.extensions import db


def attention() -> list[Attention]:
    """Unpublished and scheduled items and dossiers, counted in two queries."""
    now = clock.now()
    url = url_for("dossier_admin.index")
    items = _counts(DossierItem, now)
    dossiers = _counts(Dossier, now)
    return [
        Attention(
            ngettext("%(num)d dossier niet gepubliceerd", "%(num)d dossiers niet gepubliceerd",
                     dossiers[0]), url, dossiers[0]),
        Attention(
            ngettext("%(num)d dossier gepland", "%(num)d dossiers gepland", dossiers[1]),
            url, dossiers[1]),
        Attention(
            ngettext("%(num)d item niet gepubliceerd", "%(num)d items niet gepubliceerd",
                     items[0]), url, items[0]),
        Attention(
            ngettext("%(num)d item gepland", "%(num)d items gepland", items[1]), url, items[1]),
    ]  # fmt: skip


def _counts(model: type[Dossier] | type[DossierItem], now: datetime) -> tuple[int, int]:
    """Not published (no date) and scheduled (a later date), in one query."""
    drafts, later = db.session.execute(
        select(
            func.count().filter(model.published_at.is_(None)),
            func.count().filter(model.published_at > now),
        ).select_from(model)
    ).one()
    return drafts, later


def init_app(app: Flask) -> None:
    """Offer the dossiers' back office to editors."""
    register_section(
        app,
        Section("dossier", lambda: _("Dossiers"), "dossier_admin.index", Role.EDITOR, attention),
    )

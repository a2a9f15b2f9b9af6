"""The ateliers' place on the back office hub: upcoming ateliers with a waiting list.

More attention items (drafts, scheduled publication) join with
``core.backoffice.add_attention(app, "ateliers", function)`` or by adding to ``ATTENTION``.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from kispub.accounts.models import Role
from kispub.ateliers.models import Atelier, Registration, RegistrationStatus
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


# The hook for further items: each function returns attention items of its own.
ATTENTION: Sequence[AttentionItems] = (waiting_lists,)


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

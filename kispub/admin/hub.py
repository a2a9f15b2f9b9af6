"""The site's own back offices on the hub: accounts and the mail outbox (admins only)."""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from kispub.accounts.models import Role, User
from kispub.core.backoffice import Attention, Section, register_section
from kispub.core.outbox import OutboxMessage, OutboxStatus
from kispub.extensions import db


def account_attention() -> list[Attention]:
    """Accounts without a password yet: invited people who did not accept (one query).

    Accounts from content files (the demo's people) have none either; the users page
    sends any of them an invitation."""
    count = db.session.scalar(
        select(func.count(User.id)).where(
            User.password_hash.is_(None), User.erased_at.is_(None), User.active.is_(True)
        )
    )
    count = count or 0
    label = ngettext(
        "%(num)d account zonder wachtwoord",
        "%(num)d accounts zonder wachtwoord",
        count,
    )
    return [Attention(label, url_for("accounts.users"), count)]


def outbox_attention() -> list[Attention]:
    """E-mails that could not be delivered (one query)."""
    count = db.session.scalar(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.status == OutboxStatus.FAILED)
    )
    count = count or 0
    label = ngettext("%(num)d mislukte e-mail", "%(num)d mislukte e-mails", count)
    return [Attention(label, url_for("admin.outbox_index"), count)]


def init_app(app: Flask) -> None:
    """Register the accounts' and the outbox's sections, after the channels' own."""
    register_section(
        app,
        Section(
            "accounts", lambda: _("Gebruikers"), "accounts.users", Role.ADMIN, account_attention
        ),
    )
    register_section(
        app,
        Section("outbox", lambda: _("Uitgaande e-mail"), "admin.outbox_index", Role.ADMIN,
                outbox_attention),
    )  # fmt: skip

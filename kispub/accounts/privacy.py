"""A person's data (AVG): what each feature exports, and what it erases when an account goes.

Accounts cannot import the channels, so the channels register here, in their ``init_app``:

- ``register_export_section(app, name, provider, description)``: ``provider(user)`` returns
  JSON-able data (or ``Exported`` with files to add, or None to leave the section out); the
  data export writes it as ``<name>.json`` and lists ``description`` in the ZIP's README.
- ``register_erasure_hook(app, hook)``: ``hook(erasure)`` runs inside the one transaction
  that erases an account, before the account itself is anonymised (``erasure.email`` is the
  address the person had, for data kept under an address rather than an account).

Accounts registers its own two sections first: the account and the login history.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from kispub.accounts.models import AccountEvent, User
from kispub.extensions import db

_SECTIONS = "kispub_export_sections"
_HOOKS = "kispub_erasure_hooks"
SECTION_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")


@dataclass(frozen=True)
class ExportFile:
    """A file to put in the export as it is (a profile photo): its name in the ZIP, its path."""

    name: str
    path: Path


@dataclass(frozen=True)
class Exported:
    """A section's data with files that belong to it."""

    data: object
    files: tuple[ExportFile, ...] = ()


ExportProvider = Callable[[User], object]


@dataclass(frozen=True)
class ExportSection:
    """One JSON file of the export."""

    name: str
    provider: ExportProvider
    description: str


@dataclass(frozen=True)
class Erasure:
    """An account being erased, as the erasure hooks see it."""

    user_id: int
    email: str  # the address before erasure, normalised (lower case)
    replace_posts: bool  # True: the person's texts become "verwijderd"; False: kept, anonymous
    actor_id: int | None  # the person themselves, or the admin who erased the account


ErasureHook = Callable[[Erasure], None]


def register_export_section(
    app: Flask, name: str, provider: ExportProvider, description: str = ""
) -> None:
    """Add ``<name>.json`` to every data export; ``description`` (Dutch) goes in its README."""
    if not SECTION_NAME.fullmatch(name):
        raise ValueError(f"an export section name is [a-z0-9-]: {name!r}")
    sections: dict[str, ExportSection] = app.extensions.setdefault(_SECTIONS, {})
    if name in sections:
        raise ValueError(f"an export section named {name!r} is already registered")
    sections[name] = ExportSection(name, provider, description)


def export_sections() -> list[ExportSection]:
    """The registered sections, in the order they were registered."""
    return list(current_app.extensions.get(_SECTIONS, {}).values())


def register_erasure_hook(app: Flask, hook: ErasureHook) -> None:
    """Let a feature remove or anonymise its data inside the transaction erasing an account."""
    app.extensions.setdefault(_HOOKS, []).append(hook)


def erasure_hooks() -> list[ErasureHook]:
    """The registered hooks, in the order they were registered."""
    return list(current_app.extensions.get(_HOOKS, []))


# --- accounts' own sections ----------------------------------------------------------------


def account_section(user: User) -> dict[str, object]:
    """The account as stored: name, address, organisation, role, created, last login."""
    return {
        "naam": user.name,
        "e-mailadres": user.email,
        "organisatie": user.organisation,
        "rol": user.role.label,
        "aangemaakt_op": user.created_at,
        "laatst_ingelogd_op": user.last_login_at,
    }


ACTION_LABELS = {
    "login": _l("Ingelogd"),
    "totp-reset": _l("Tweede factor opnieuw ingesteld door een beheerder"),
    "role-changed": _l("Rol gewijzigd door een beheerder"),
    "suspended": _l("Account geschorst door een beheerder"),
    "reactivated": _l("Account weer actief gemaakt door een beheerder"),
    "invitation-resent": _l("Uitnodiging opnieuw verstuurd door een beheerder"),
}


def login_history_section(user: User) -> list[dict[str, object]]:
    """What happened to the account, oldest first: logins and changes by staff."""
    statement = (
        select(AccountEvent)
        .where(AccountEvent.user_id == user.id)
        .order_by(AccountEvent.created_at, AccountEvent.id)
    )
    return [
        {
            "wat": str(ACTION_LABELS.get(event.action, event.action)),
            "actie": event.action,
            "door_uzelf": event.actor_id in (None, user.id),
            "toelichting": event.detail,
            "op": event.created_at,
        }
        for event in db.session.scalars(statement)
    ]


def init_app(app: Flask) -> None:
    """Register accounts' own export sections (before any channel registers its own)."""
    register_export_section(
        app,
        "account",
        account_section,
        _l(
            "Uw account: naam, e-mailadres, organisatie, rol, wanneer het account is gemaakt en "
            "wanneer u het laatst inlogde."
        ),
    )
    register_export_section(
        app,
        "inloggeschiedenis",
        login_history_section,
        _l("Wanneer u inlogde, en wat beheerders aan uw account veranderden."),
    )

"""The dossier's part of a person's data export and account erasure (AVG).

E-mail alerts are kept under an e-mail address, not an account (anyone can ask for one), so
a person's are those under their account's address, in any letter case.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from kispub.accounts.models import User
from kispub.accounts.privacy import register_erasure_hook, register_export_section
from kispub.dossier.alerts import describe_filters
from kispub.dossier.models import Dossier, DossierSubscription
from kispub.dossier.services.alerts import erase_subscriber
from kispub.extensions import db


def init_app(app: Flask) -> None:
    """Register the export section and the erasure hook."""
    register_export_section(
        app,
        "dossier-e-mail",
        alerts_section,
        _l(
            "Uw e-mail over nieuwe items in dossiers (onder uw e-mailadres): welk dossier, welke "
            "items, hoe vaak, en wanneer u het vroeg en bevestigde. Niet bevestigde aanvragen "
            "worden na een paar dagen vanzelf verwijderd; afmelden verwijdert uw adres."
        ),
    )
    register_erasure_hook(app, erase_subscriber)


def alerts_section(user: User) -> dict[str, Any] | None:
    """The person's alerts, by dossier; None (no section) for someone without any."""
    statement = (
        select(DossierSubscription, Dossier)
        .join(Dossier, Dossier.id == DossierSubscription.dossier_id)
        .where(func.lower(DossierSubscription.email) == user.email.lower())
        .order_by(Dossier.title, DossierSubscription.id)
    )
    alerts = [
        {
            "dossier": dossier.title,
            "e-mailadres": subscription.email,
            "welke_items": describe_filters(subscription.filters),
            "hoe_vaak": subscription.frequency.label,
            "gevraagd_op": subscription.created_at,
            "bevestigd_op": subscription.confirmed_at,
        }
        for subscription, dossier in db.session.execute(statement)
    ]
    return {"e-mail_over_nieuwe_items": alerts} if alerts else None

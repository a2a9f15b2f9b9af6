"""The kennisateliers' part of a person's data export and account erasure (AVG).

Registrations are kept under an e-mail address (anyone can register, account or not), so
a person's are those under their account's address, in any letter case, or made while
logged in to the account.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func, or_, select

from kispub.accounts.models import User
from kispub.accounts.privacy import register_erasure_hook, register_export_section
from kispub.ateliers.models import Atelier, AtelierFeed, Registration
from kispub.ateliers.services.registration import erase_attendee
from kispub.extensions import db


def init_app(app: Flask) -> None:
    """Register the export section and the erasure hook."""
    register_export_section(
        app,
        "kennisateliers",
        registrations_section,
        "Uw aanmeldingen voor kennisateliers (onder uw e-mailadres): welk atelier, wanneer, "
        "met welke naam en organisatie, en of u een plaats had of op de wachtlijst stond. "
        "Aanmeldingen worden na afloop van een atelier vanzelf verwijderd.",
    )
    register_erasure_hook(app, erase_attendee)


def registrations_section(user: User) -> dict[str, Any]:
    """The person's registrations, by date of the atelier, and whether they have a feed."""
    statement = (
        select(Registration, Atelier)
        .join(Atelier, Atelier.id == Registration.atelier_id)
        .where(
            or_(
                func.lower(Registration.email) == user.email.lower(),
                Registration.user_id == user.id,
            )
        )
        .order_by(Atelier.starts_at, Registration.id)
    )
    feed = db.session.scalar(select(AtelierFeed.created_at).where(AtelierFeed.user_id == user.id))
    return {
        "aanmeldingen": [
            {
                "kennisatelier": atelier.title,
                "begint_op": atelier.starts_at,
                "eindigt_op": atelier.ends_at,
                "naam": registration.name,
                "e-mailadres": registration.email,
                "organisatie": registration.organisation,
                "status": registration.status.label,
                "aangemeld_op": registration.created_at,
                "plaats_gekregen_van_wachtlijst_op": registration.promoted_at,
            }
            for registration, atelier in db.session.execute(statement)
        ],
        "persoonlijke_agenda_feed_sinds": feed,
    }

"""Trusted e-mail domains: a confirmed address at one of them joins without a moderator.

Admins keep the list (municipalities, partner organisations). A domain matches exactly:
``gemeente.nl`` trusts ``iemand@gemeente.nl``, not ``iemand@afdeling.gemeente.nl`` nor
``iemand@gemeente.nl.example`` — a sub-domain may be run by someone else, and an admin who
trusts it adds it as well.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from kispub.accounts.models import User
from kispub.community.models import TrustedDomain
from kispub.community.services.rules import JoiningError, normalise_domain, require_admin
from kispub.core.database import write_transaction
from kispub.extensions import db


def add_trusted_domain(admin: User, domain: str, note: str = "") -> TrustedDomain:
    """Trust a domain (checked and normalised first); refuses one already on the list."""
    require_admin(admin)
    normalised = normalise_domain(domain)
    with write_transaction() as session:
        if is_trusted(normalised):
            raise JoiningError(_("Dit domein staat al in de lijst."), "domain")
        trusted = TrustedDomain(domain=normalised, note=note.strip(), created_by_id=admin.id)
        session.add(trusted)
    return trusted


def remove_trusted_domain(admin: User, domain_id: int) -> str:
    """Stop trusting a domain; returns the domain. Members already approved stay members."""
    require_admin(admin)
    with write_transaction() as session:
        trusted = session.get(TrustedDomain, domain_id)
        if trusted is None:
            raise JoiningError(_("Dit domein staat niet (meer) in de lijst."))
        session.delete(trusted)
        return trusted.domain


def is_trusted(domain: str | None) -> bool:
    """Whether a normalised domain is on the list."""
    if not domain:
        return False
    statement = select(TrustedDomain.id).where(TrustedDomain.domain == domain)
    return db.session.scalar(statement) is not None

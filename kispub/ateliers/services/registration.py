"""Registering for an atelier, cancelling, and removing attendees' data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kispub.accounts.privacy import Erasure
from kispub.accounts.services import normalise_email
from kispub.ateliers import notifications
from kispub.ateliers.models import Atelier, AtelierFeed, Registration, RegistrationStatus
from kispub.ateliers.queries import registration_by_email, registration_for_token
from kispub.ateliers.seats import (
    RegistrationState,
    locked_atelier,
    promote_waitlisted,
    registered_counts,
    registration_state,
    waiting_list,
)
from kispub.core import clock
from kispub.core.database import write_transaction
from kispub.core.outbox import forget_messages
from kispub.extensions import db

ALREADY_REGISTERED = _l("Dit e-mailadres is al aangemeld voor dit kennisatelier.")
CLOSED = {
    RegistrationState.PAST: _l("Dit kennisatelier is al voorbij."),
    RegistrationState.NOT_SCHEDULED: _l("Voor dit kennisatelier kunt u zich nu niet aanmelden."),
    RegistrationState.DEADLINE_PASSED: _l(
        "De aanmeldtermijn voor dit kennisatelier is verstreken."
    ),
}


class RegistrationError(ValueError):
    """A registration that cannot be made; the message is for the visitor."""


class AlreadyRegistered(RegistrationError):
    """The address already has a seat or a place on the waiting list."""


@dataclass(frozen=True)
class RegistrationData:
    """What someone fills in to register."""

    name: str
    email: str
    organisation: str | None = None
    user_id: int | None = None


def register_for_atelier(atelier_id: int, data: RegistrationData) -> Registration:
    """Take a seat, or a place on the waiting list when the atelier is full; mail a confirmation.

    The count and the insert happen in one write transaction with the atelier locked, so
    concurrent requests for the last seat get it one at a time.
    """
    try:
        with write_transaction() as session:
            registration = _register(session, atelier_id, data)
            notifications.queue([notifications.registration_confirmation(registration)])
    except IntegrityError as error:  # the unique (atelier, e-mail) constraint, as a backstop
        raise AlreadyRegistered(ALREADY_REGISTERED) from error
    return registration


@dataclass(frozen=True)
class SignUp:
    """What the public form tells the visitor: the same for a new and a repeated address."""

    status: RegistrationStatus
    email: str  # normalised


def sign_up(atelier_id: int, data: RegistrationData) -> SignUp:
    """Register through the public form, where a repeat must look exactly like a new one.

    An address already on the list gets the answer a newcomer would get now, and an
    e-mail (not the page) saying it was already registered, with its own manage link:
    the form tells nobody whether someone else registered with an address.
    """
    try:
        return _sign_up(atelier_id, data)
    except IntegrityError:
        # A concurrent registration of the same address committed first; now it is found.
        return _sign_up(atelier_id, data)


def _sign_up(atelier_id: int, data: RegistrationData) -> SignUp:
    with write_transaction() as session:
        try:
            registration = _register(session, atelier_id, data)
        except AlreadyRegistered:
            existing = registration_by_email(atelier_id, normalise_email(data.email))
            assert existing is not None  # found under the same lock a moment ago
            notifications.queue([notifications.already_registered(existing)])
            atelier = existing.atelier  # locked by ``_register``
            state = registration_state(atelier, registered_counts([atelier.id])[atelier.id])
            return SignUp(_newcomer_status(atelier, state), existing.email)
        notifications.queue([notifications.registration_confirmation(registration)])
        return SignUp(registration.status, registration.email)


def _newcomer_status(atelier: Atelier, state: RegistrationState) -> RegistrationStatus:
    """What someone registering now gets (the atelier locked, registration open)."""
    # Nobody passes the queue: with people waiting, a newcomer waits too.
    if state is RegistrationState.OPEN and not waiting_list(atelier.id):
        return RegistrationStatus.REGISTERED
    return RegistrationStatus.WAITLISTED


def _register(session: Session, atelier_id: int, data: RegistrationData) -> Registration:
    email = normalise_email(data.email)
    atelier = locked_atelier(atelier_id)
    if atelier is None:
        raise RegistrationError(_("Dit kennisatelier bestaat niet (meer)."))
    state = registration_state(atelier, registered_counts([atelier.id])[atelier.id])
    if state in CLOSED:
        raise RegistrationError(CLOSED[state])
    if registration_by_email(atelier.id, email) is not None:
        raise AlreadyRegistered(ALREADY_REGISTERED)
    registration = Registration(
        atelier=atelier,
        user_id=data.user_id,
        name=data.name.strip(),
        email=email,
        organisation=(data.organisation or "").strip() or None,
        status=_newcomer_status(atelier, state),
        created_at=clock.now(),
    )
    session.add(registration)
    session.flush()  # the id, for the link in the confirmation
    return registration


def cancel_registration(token: str) -> Atelier | None:
    """Remove a registration through its signed link; the first in line gets the seat."""
    with write_transaction() as session:
        registration = registration_for_token(token)
        if registration is None:
            return None
        atelier = locked_atelier(registration.atelier_id)
        session.execute(delete(Registration).where(Registration.id == registration.id))
        promoted = promote_waitlisted(atelier) if atelier is not None else []
        notifications.queue([notifications.promotion(r) for r in promoted])
    return atelier


def purge_attendee_data() -> int:
    """Delete registrations of ateliers that ended longer ago than the retention period (AVG).

    The mail to those attendees goes too: queued or failed messages hold the same data.
    """
    days = current_app.config["ATELIER_ATTENDEE_RETENTION_DAYS"]
    ended = select(Atelier.id).where(Atelier.ends_at < clock.now() - timedelta(days=days))
    with write_transaction() as session:
        purged = select(Registration.atelier_id).where(Registration.atelier_id.in_(ended))
        for atelier_id in session.scalars(purged.distinct()):
            forget_messages(notifications.key_prefix(atelier_id))
        result = session.execute(delete(Registration).where(Registration.atelier_id.in_(ended)))
    assert isinstance(result, CursorResult)  # a DELETE statement's result
    return result.rowcount or 0


def erase_attendee(erasure: Erasure) -> None:
    """The accounts erasure hook: remove an erased person's registrations and calendar feed.

    Registrations are found under the address (any letter case) or the account. A seat
    freed at an atelier still to come goes to the first on its waiting list, as when
    someone cancels. Mail about the removed registrations is forgotten.
    """
    session = db.session
    mine = select(Registration).where(
        or_(
            func.lower(Registration.email) == erasure.email,
            Registration.user_id == erasure.user_id,
        )
    )
    registrations = list(session.scalars(mine))
    for atelier_id in sorted({registration.atelier_id for registration in registrations}):
        atelier = locked_atelier(atelier_id)
        for registration in registrations:
            if registration.atelier_id == atelier_id:
                forget_messages(f"{notifications.key_prefix(atelier_id)}{registration.id}:")
                session.execute(delete(Registration).where(Registration.id == registration.id))
        promoted = promote_waitlisted(atelier) if atelier is not None else []
        notifications.queue([notifications.promotion(r) for r in promoted])
    session.execute(delete(AtelierFeed).where(AtelierFeed.user_id == erasure.user_id))

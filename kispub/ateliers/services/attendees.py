"""The editors' attendee management: adding, removing and promoting by hand, and mailing all.

Each function is one write transaction with the atelier's row locked (``seats.locked_atelier``),
so it sees the seats and the waiting list as they are and nobody changes them meanwhile;
the e-mail it causes goes into the outbox in that same transaction.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from kispub.accounts.services import normalise_email
from kispub.ateliers import notifications
from kispub.ateliers.models import Atelier, AtelierStatus, Registration, RegistrationStatus
from kispub.ateliers.queries import registration_by_email
from kispub.ateliers.seats import (
    locked_atelier,
    places_left,
    promote_waitlisted,
    registered_counts,
    waiting_list,
)
from kispub.ateliers.services.registration import RegistrationData
from kispub.core import clock
from kispub.core.database import write_transaction
from kispub.extensions import db


class AttendeeError(ValueError):
    """A change to the attendees that cannot be made; the message is for the editor."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class OverCapacity(AttendeeError):
    """Promoting would take the atelier above its capacity: the editor must confirm."""


class Audience(enum.StrEnum):
    """Who gets an editor's message."""

    REGISTERED = "registered"
    EVERYONE = "everyone"  # registered and the waiting list


@dataclass(frozen=True)
class Removal:
    """What removing an attendee did."""

    name: str
    promoted: tuple[Registration, ...]


def add_attendee(atelier_id: int, data: RegistrationData) -> Registration:
    """Give someone a seat, or a place on the waiting list when none is free; mail them.

    Unlike the public form, an editor may add people after the registration deadline
    (someone who phoned in); the waiting list keeps its order all the same.
    """
    email = normalise_email(data.email)
    try:
        with write_transaction() as session:
            atelier = _open_atelier(atelier_id)
            if registration_by_email(atelier.id, email) is not None:
                raise AttendeeError(_already(), "email")
            free = places_left(atelier, registered_counts([atelier.id])[atelier.id])
            seat = free != 0 and not waiting_list(atelier.id)
            registration = Registration(
                atelier=atelier,
                user_id=data.user_id,
                name=data.name.strip(),
                email=email,
                organisation=(data.organisation or "").strip() or None,
                status=RegistrationStatus.REGISTERED if seat else RegistrationStatus.WAITLISTED,
                created_at=clock.now(),
            )
            session.add(registration)
            session.flush()  # the id, for the link in the confirmation
            notifications.queue([notifications.registration_confirmation(registration)])
    except IntegrityError as error:  # a concurrent registration of the same address
        raise AttendeeError(_already(), "email") from error
    return registration


def remove_attendee(atelier_id: int, registration_id: int) -> Removal:
    """Take someone off the list and tell them; a freed seat goes to the first in line."""
    with write_transaction() as session:
        atelier = _locked_or_error(atelier_id)
        registration = _registration_of(atelier, registration_id)
        name = registration.name
        # Composed first: the message needs the row that is about to go.
        notifications.queue([notifications.removal(registration)])
        session.execute(delete(Registration).where(Registration.id == registration.id))
        session.expunge(registration)
        promoted = promote_waitlisted(atelier)
        notifications.queue([notifications.promotion(r) for r in promoted])
    return Removal(name, tuple(promoted))


def promote_attendee(atelier_id: int, registration_id: int, *, over_capacity: bool) -> Registration:
    """Give someone on the waiting list a seat now, ahead of the queue; mail them.

    Raises ``OverCapacity`` when no seat is free, unless the editor confirmed
    (``over_capacity``): a room may take one more chair, but only on purpose.
    """
    with write_transaction():
        atelier = _open_atelier(atelier_id)
        registration = _registration_of(atelier, registration_id)
        if registration.is_registered:
            raise AttendeeError(_("%(name)s heeft al een plaats.", name=registration.name))
        full = places_left(atelier, registered_counts([atelier.id])[atelier.id]) == 0
        if full and not over_capacity:
            raise OverCapacity(_("Er is geen plaats meer vrij."))
        registration.status = RegistrationStatus.REGISTERED
        registration.promoted_at = clock.now()
        db.session.flush()
        notifications.queue([notifications.promotion(registration)])
    return registration


def recipients(atelier_id: int, audience: Audience) -> list[Registration]:
    """Who an editor's message to ``audience`` goes to, in list order."""
    statement = select(Registration).where(Registration.atelier_id == atelier_id)
    if audience is Audience.REGISTERED:
        statement = statement.where(Registration.status == RegistrationStatus.REGISTERED)
    order = (Registration.status, Registration.created_at, Registration.id)
    return list(db.session.scalars(statement.order_by(*order)))


def mail_attendees(atelier_id: int, audience: Audience, subject: str, text: str, batch: str) -> int:
    """Queue an editor's message, one per person; returns how many were queued.

    ``batch`` (the form's nonce) is part of every message key, so the same sending
    queued twice is refused by the outbox as well as by ``submit_once``.
    """
    with write_transaction():
        atelier = _locked_or_error(atelier_id)
        people = recipients(atelier.id, audience)
        notifications.queue([notifications.editor_message(r, subject, text, batch) for r in people])
    return len(people)


def _already() -> str:
    return _("Dit e-mailadres staat al op de lijst van dit kennisatelier.")


def _locked_or_error(atelier_id: int) -> Atelier:
    atelier = locked_atelier(atelier_id)
    if atelier is None:
        raise AttendeeError(_("Dit kennisatelier bestaat niet (meer)."))
    return atelier


def _open_atelier(atelier_id: int) -> Atelier:
    """The atelier, locked, if people can still be given a place at it."""
    atelier = _locked_or_error(atelier_id)
    if atelier.ends_at < clock.now():
        raise AttendeeError(_("Dit kennisatelier is al voorbij."))
    if atelier.status is AtelierStatus.CANCELLED:
        raise AttendeeError(_("Dit kennisatelier is geannuleerd."))
    return atelier


def _registration_of(atelier: Atelier, registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id, populate_existing=True)
    if registration is None or registration.atelier_id != atelier.id:
        raise AttendeeError(_("Deze deelnemer staat niet (meer) op de lijst."))
    return registration

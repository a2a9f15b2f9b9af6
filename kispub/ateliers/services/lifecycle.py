"""Cancelling an atelier and lowering its number of places: the two changes with a
confirmation page of their own, because each one mails people who did nothing.

Both lock the atelier's row in one write transaction (see ``seats``) and queue their
e-mail in that same transaction.
"""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _

from kispub.ateliers import notifications
from kispub.ateliers.models import Atelier, AtelierStatus, Registration, RegistrationStatus
from kispub.ateliers.queries import attendees
from kispub.ateliers.seats import latest_seats, locked_atelier, registered_counts, waiting_list
from kispub.ateliers.services.editing import (
    MAX_CAPACITY,
    MIN_CAPACITY,
    AtelierError,
    capacity_message,
)
from kispub.core import clock
from kispub.core.database import write_transaction

# The spacing of the moved-back registrations' queue times, ahead of the waiting list.
QUEUE_STEP = timedelta(milliseconds=1)


def cancel_atelier(atelier_id: int) -> tuple[Atelier, int]:
    """Cancel an atelier; everyone registered or waiting gets an e-mail. Returns the count."""
    with write_transaction():
        atelier = _locked(atelier_id)
        if atelier.is_cancelled:
            raise AtelierError(_("Dit kennisatelier is al geannuleerd."), "status")
        atelier.status = AtelierStatus.CANCELLED
        atelier.sequence += 1  # calendars must follow the new STATUS
        atelier.updated_at = clock.now()
        mails = notifications.atelier_changed(atelier, attendees(atelier.id))
        notifications.queue(mails)
    return atelier, len(mails)


def lower_capacity(atelier_id: int, capacity: int) -> list[Registration]:
    """Set fewer places; the latest to get a seat go back to the front of the waiting list.

    The one who got a seat last moves back first; those moved back keep their order among
    themselves and stand before everyone who was already waiting (they held a seat, the
    others never did). Each gets an e-mail. Returns them in their new queue order.
    """
    if not MIN_CAPACITY <= capacity <= MAX_CAPACITY:
        raise AtelierError(capacity_message(), "capacity")
    with write_transaction():
        atelier = _locked(atelier_id)
        registered = registered_counts([atelier.id])[atelier.id]
        moving = latest_seats(atelier.id, max(registered - capacity, 0))
        moving.reverse()  # earliest seat first: their order on the waiting list
        _to_front(atelier.id, moving)
        atelier.capacity = capacity
        atelier.updated_at = clock.now()
        notifications.queue([notifications.moved_back(r) for r in moving])
    return moving


def _to_front(atelier_id: int, moving: list[Registration]) -> None:
    queue = waiting_list(atelier_id)
    front = (queue[0].queued_at or queue[0].created_at) if queue else clock.now()
    for position, registration in enumerate(moving):
        registration.status = RegistrationStatus.WAITLISTED
        registration.promoted_at = None
        registration.queued_at = front - QUEUE_STEP * (len(moving) - position)


def _locked(atelier_id: int) -> Atelier:
    atelier = locked_atelier(atelier_id)
    if atelier is None:
        raise AtelierError(_("Dit kennisatelier bestaat niet (meer)."))
    return atelier

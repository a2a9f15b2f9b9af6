"""Seats and the waiting list: counting, locking an atelier, and promoting in order.

Every change to who holds a seat happens inside ``write_transaction()`` with the
atelier's row locked (``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite the
transaction's ``BEGIN IMMEDIATE`` already serialises writers), so two requests can
never both take the last seat.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select

from kispub.ateliers.models import (
    Atelier,
    AtelierStatus,
    Registration,
    RegistrationStatus,
    queue_order,
)
from kispub.core import clock
from kispub.extensions import db


class RegistrationState(enum.StrEnum):
    """Whether someone can register now, and if not, why."""

    OPEN = "open"
    WAITLIST = "waitlist"
    DEADLINE_PASSED = "deadline_passed"
    NOT_SCHEDULED = "not_scheduled"
    PAST = "past"


def registered_counts(atelier_ids: Sequence[int]) -> dict[int, int]:
    """Seats taken per atelier, in one query."""
    if not atelier_ids:
        return {}
    statement = (
        select(Registration.atelier_id, func.count())
        .where(
            Registration.atelier_id.in_(atelier_ids),
            Registration.status == RegistrationStatus.REGISTERED,
        )
        .group_by(Registration.atelier_id)
    )
    counts: dict[int, int] = dict(db.session.execute(statement).all())
    return {atelier_id: counts.get(atelier_id, 0) for atelier_id in atelier_ids}


def places_left(atelier: Atelier, taken: int) -> int | None:
    """Free seats, or None when the atelier has no maximum."""
    return None if atelier.capacity is None else max(atelier.capacity - taken, 0)


def registration_closes_at(atelier: Atelier) -> datetime:
    """The deadline, or the start when there is none."""
    return atelier.registration_deadline_at or atelier.starts_at


def registration_state(atelier: Atelier, taken: int) -> RegistrationState:
    """Whether registering is possible now, with a seat or on the waiting list."""
    now = clock.now()
    if not atelier.is_public(now):  # a draft or scheduled atelier: nobody registers yet
        return RegistrationState.NOT_SCHEDULED
    if atelier.ends_at < now:
        return RegistrationState.PAST
    if atelier.status is not AtelierStatus.SCHEDULED:
        return RegistrationState.NOT_SCHEDULED
    if now >= registration_closes_at(atelier):
        return RegistrationState.DEADLINE_PASSED
    full = places_left(atelier, taken) == 0
    return RegistrationState.WAITLIST if full else RegistrationState.OPEN


def locked_atelier(atelier_id: int) -> Atelier | None:
    """Load the atelier fresh, its row locked until the transaction ends (PostgreSQL)."""
    statement = (
        select(Atelier)
        .where(Atelier.id == atelier_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return db.session.scalars(statement).first()


def waiting_list(atelier_id: int) -> list[Registration]:
    """The waiting list in order: who asked first comes first."""
    statement = select(Registration).where(
        Registration.atelier_id == atelier_id,
        Registration.status == RegistrationStatus.WAITLISTED,
    )
    return list(db.session.scalars(statement.order_by(*queue_order())))


def latest_seats(atelier_id: int, count: int) -> list[Registration]:
    """The ``count`` registrations that got their seat last, the latest first.

    A seat dates from the registration, or from the promotion for someone who waited.
    """
    if count <= 0:
        return []
    seated_at = func.coalesce(Registration.promoted_at, Registration.created_at)
    statement = select(Registration).where(
        Registration.atelier_id == atelier_id,
        Registration.status == RegistrationStatus.REGISTERED,
    )
    statement = statement.order_by(seated_at.desc(), Registration.id.desc()).limit(count)
    return list(db.session.scalars(statement))


def promote_waitlisted(atelier: Atelier) -> list[Registration]:
    """Give free seats to the waiting list in order; call with the atelier locked."""
    if atelier.ends_at < clock.now() or atelier.status is AtelierStatus.CANCELLED:
        return []
    taken = registered_counts([atelier.id])[atelier.id]
    free = places_left(atelier, taken)
    queue = waiting_list(atelier.id)
    promoted = queue if free is None else queue[:free]
    now = clock.now()
    for registration in promoted:
        registration.status = RegistrationStatus.REGISTERED
        registration.promoted_at = now
    db.session.flush()
    return promoted

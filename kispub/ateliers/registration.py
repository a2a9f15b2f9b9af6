"""Registering for an atelier, cancelling, the attendee list, and removing attendee data."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from kispub.accounts.models import User
from kispub.accounts.services import normalise_email
from kispub.ateliers import notifications
from kispub.ateliers.localtime import to_amsterdam
from kispub.ateliers.models import Atelier, Registration, RegistrationStatus
from kispub.ateliers.seats import (
    RegistrationState,
    locked_atelier,
    promote_waitlisted,
    registered_counts,
    registration_state,
    waiting_list,
)
from kispub.ateliers.tokens import fingerprint_matches, read_registration_token
from kispub.core import clock
from kispub.core.database import write_transaction
from kispub.extensions import db

ALREADY_REGISTERED = "Dit e-mailadres is al aangemeld voor dit kennisatelier."
CLOSED = {
    RegistrationState.PAST: "Dit kennisatelier is al voorbij.",
    RegistrationState.NOT_SCHEDULED: "Voor dit kennisatelier kunt u zich nu niet aanmelden.",
    RegistrationState.DEADLINE_PASSED: "De aanmeldtermijn voor dit kennisatelier is verstreken.",
}
# A spreadsheet reads a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
        registration = _register(atelier_id, data)
    except IntegrityError as error:  # the unique (atelier, e-mail) constraint, as a backstop
        raise AlreadyRegistered(ALREADY_REGISTERED) from error
    notifications.send_registration_confirmation(registration)
    return registration


def _register(atelier_id: int, data: RegistrationData) -> Registration:
    email = normalise_email(data.email)
    with write_transaction() as session:
        atelier = locked_atelier(atelier_id)
        if atelier is None:
            raise RegistrationError("Dit kennisatelier bestaat niet (meer).")
        taken = registered_counts([atelier.id])[atelier.id]
        state = registration_state(atelier, taken)
        if state in CLOSED:
            raise RegistrationError(CLOSED[state])
        if _find(atelier.id, email) is not None:
            raise AlreadyRegistered(ALREADY_REGISTERED)
        # Nobody passes the queue: with people waiting, a newcomer waits too.
        seat = state is RegistrationState.OPEN and not waiting_list(atelier.id)
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
        session.flush()
    return registration


def _find(atelier_id: int, email: str) -> Registration | None:
    statement = select(Registration).where(
        Registration.atelier_id == atelier_id, Registration.email == email
    )
    return db.session.scalars(statement).first()


def registration_for_token(token: str) -> Registration | None:
    """The registration a signed link points at, if it still exists."""
    read = read_registration_token(token)
    if read is None:
        return None
    registration_id, fingerprint = read
    statement = select(Registration).where(Registration.id == registration_id)
    registration = db.session.scalars(statement.options(joinedload(Registration.atelier))).first()
    if registration is None:
        return None
    if not fingerprint_matches(fingerprint, registration.atelier_id, registration.email):
        return None
    return registration


def cancel_registration(token: str) -> Atelier | None:
    """Remove a registration through its signed link; the first in line gets the seat."""
    registration = registration_for_token(token)
    if registration is None:
        return None
    atelier_id, registration_id = registration.atelier_id, registration.id
    with write_transaction() as session:
        atelier = locked_atelier(atelier_id)
        session.execute(delete(Registration).where(Registration.id == registration_id))
        promoted = promote_waitlisted(atelier) if atelier is not None else []
    for promoted_registration in promoted:
        notifications.send_promotion(promoted_registration)
    return atelier


def member_registration(atelier: Atelier, user: User) -> Registration | None:
    """The member's own registration for the atelier, if any."""
    statement = select(Registration).where(
        Registration.atelier_id == atelier.id,
        or_(Registration.user_id == user.id, Registration.email == user.email.lower()),
    )
    return db.session.scalars(statement.order_by(Registration.id)).first()


def member_registrations(user: User) -> list[Registration]:
    """Everything the member registered for, soonest first."""
    statement = (
        select(Registration)
        .join(Registration.atelier)
        .where(or_(Registration.user_id == user.id, Registration.email == user.email.lower()))
        .options(joinedload(Registration.atelier))
        .order_by(Atelier.starts_at.desc())
    )
    return list(db.session.scalars(statement))


@dataclass(frozen=True)
class Attendance:
    """How many hold a seat and how many wait, for one atelier."""

    registered: int = 0
    waitlisted: int = 0


def attendance_counts(atelier_ids: Sequence[int]) -> dict[int, Attendance]:
    """Seats taken and waiting-list length per atelier, in one query."""
    statement = (
        select(Registration.atelier_id, Registration.status, func.count())
        .where(Registration.atelier_id.in_(atelier_ids))
        .group_by(Registration.atelier_id, Registration.status)
    )
    found: dict[int, dict[str, int]] = {}
    for atelier_id, status, count in db.session.execute(statement):
        found.setdefault(atelier_id, {})[status.value] = count
    return {atelier_id: Attendance(**found.get(atelier_id, {})) for atelier_id in atelier_ids}


def attendees(atelier_id: int) -> list[Registration]:
    """Registered first, then the waiting list, each in the order they came in."""
    statement = select(Registration).where(Registration.atelier_id == atelier_id)
    order = (Registration.status, Registration.created_at, Registration.id)
    # "registered" sorts before "waitlisted".
    return list(db.session.scalars(statement.order_by(*order)))


def attendees_csv(atelier_id: int) -> str:
    """The attendee list as CSV for a spreadsheet, with formula-like cells neutralised."""
    out = io.StringIO()
    out.write("\ufeff")  # lets Excel read UTF-8
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Naam", "E-mailadres", "Organisatie", "Status", "Aangemeld op"])
    for registration in attendees(atelier_id):
        row = [
            registration.name,
            registration.email,
            registration.organisation or "",
            registration.status.label,
            f"{to_amsterdam(registration.created_at):%Y-%m-%d %H:%M}",
        ]
        writer.writerow([neutralise_cell(cell) for cell in row])
    return out.getvalue()


def neutralise_cell(value: str) -> str:
    """Prefix a quote to a cell a spreadsheet would run as a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def purge_attendee_data(now: datetime | None = None) -> int:
    """Delete registrations of ateliers that ended longer ago than the retention period (AVG)."""
    days = current_app.config["ATELIER_ATTENDEE_RETENTION_DAYS"]
    cutoff = (now or clock.now()) - timedelta(days=days)
    ended = select(Atelier.id).where(Atelier.ends_at < cutoff)
    with write_transaction() as session:
        result = session.execute(delete(Registration).where(Registration.atelier_id.in_(ended)))
    return result.rowcount or 0

"""Reading kennisateliers, registrations and personal feeds; nothing here writes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.sql.elements import BindParameter

from kispub.accounts.models import User
from kispub.ateliers.models import (
    Atelier,
    AtelierFeed,
    AtelierPerson,
    Registration,
    RegistrationStatus,
    atelier_theme,
    queue_order,
)
from kispub.ateliers.tokens import fingerprint_matches, read_registration_token
from kispub.core import clock
from kispub.core.pagecache import AnySelect
from kispub.extensions import db
from kispub.themes.models import Theme

MAX_ID = 2**31 - 1  # a larger id would overflow the database's integer column


# -- ateliers ----------------------------------------------------------------------------------


def _listing(theme: Theme | None) -> Select[Atelier]:
    statement = select(Atelier).where(Atelier.is_public(clock.now()))
    statement = statement.options(selectinload(Atelier.themes))
    if theme is not None:
        statement = statement.where(Atelier.themes.any(Theme.id == theme.id))
    return statement


def upcoming_ateliers(theme: Theme | None = None) -> list[Atelier]:
    """Ateliers that have not ended, soonest first."""
    statement = _listing(theme).where(Atelier.ends_at >= clock.now())
    return list(db.session.scalars(statement.order_by(Atelier.starts_at, Atelier.id)))


def past_ateliers(
    theme: Theme | None = None, page: int = 1, per_page: int = 20
) -> tuple[list[Atelier], bool]:
    """One page of ended ateliers, latest first, and whether there is a next page."""
    statement = _listing(theme).where(Atelier.ends_at < clock.now())
    statement = statement.order_by(Atelier.starts_at.desc(), Atelier.id.desc())
    rows = list(db.session.scalars(statement.offset((page - 1) * per_page).limit(per_page + 1)))
    return rows[:per_page], len(rows) > per_page


def atelier_by_slug(slug: str) -> Atelier | None:
    """The atelier with this slug, public or not (editors, content files), with its details."""
    return _with_details(select(Atelier).where(Atelier.slug == slug))


def public_atelier_by_slug(slug: str) -> Atelier | None:
    """The atelier with this slug if visitors may see it (published and due)."""
    statement = select(Atelier).where(Atelier.slug == slug, Atelier.is_public(clock.now()))
    return _with_details(statement)


def _with_details(statement: Select[Atelier]) -> Atelier | None:
    options = (selectinload(Atelier.themes), selectinload(Atelier.people))
    return db.session.scalars(statement.options(*options)).first()


def get_atelier(atelier_id: int) -> Atelier | None:
    """The atelier with this id (None for an id no database integer can hold)."""
    return db.session.get(Atelier, atelier_id) if 0 < atelier_id <= MAX_ID else None


def registration_of(atelier_id: int, registration_id: int) -> Registration | None:
    """One attendee of this atelier (None for another atelier's or an unknown id)."""
    if not 0 < registration_id <= MAX_ID:
        return None
    registration = db.session.get(Registration, registration_id)
    return registration if registration and registration.atelier_id == atelier_id else None


def public_ateliers_by_ids(ids: Sequence[int]) -> list[Atelier]:
    """The public ateliers among these ids, in any order (what other channels may link to)."""
    statement = select(Atelier).where(Atelier.id.in_(ids), Atelier.is_public(clock.now()))
    return list(db.session.scalars(statement))


def all_ateliers() -> list[Atelier]:
    """Every atelier, latest first (for editors)."""
    return list(db.session.scalars(select(Atelier).order_by(Atelier.starts_at.desc())))


def feed_ateliers(theme: Theme | None = None) -> list[Atelier]:
    """What the public feeds hold: upcoming ateliers and those ended within the set days."""
    since = clock.now() - timedelta(days=current_app.config["ATELIER_FEED_PAST_DAYS"])
    statement = select(Atelier).where(Atelier.ends_at >= since, Atelier.is_public(clock.now()))
    if theme is not None:
        statement = statement.where(Atelier.themes.any(Theme.id == theme.id))
    options = (selectinload(Atelier.themes), selectinload(Atelier.people))
    return list(db.session.scalars(statement.options(*options)))


def member_ateliers(user: User) -> list[Atelier]:
    """The ateliers the member holds a seat at (registered while logged in, or by address)."""
    statement = (
        select(Atelier)
        .join(Registration, Registration.atelier_id == Atelier.id)
        .where(
            Registration.status == RegistrationStatus.REGISTERED,
            or_(Registration.user_id == user.id, Registration.email == user.email.lower()),
            Atelier.is_public(clock.now()),
        )
        .distinct()
        .options(selectinload(Atelier.themes), selectinload(Atelier.people))
    )
    return list(db.session.scalars(statement))


# -- registrations -----------------------------------------------------------------------------


def registration_by_email(atelier_id: int, email: str) -> Registration | None:
    """The registration of this (normalised) address for the atelier, if any."""
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
    if not 0 < registration_id <= MAX_ID:
        return None
    statement = select(Registration).where(Registration.id == registration_id)
    registration = db.session.scalars(statement.options(joinedload(Registration.atelier))).first()
    if registration is None:
        return None
    if not fingerprint_matches(fingerprint, registration.atelier_id, registration.email):
        return None
    return registration


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
    order = (Registration.status, *queue_order())
    # "registered" sorts before "waitlisted"; each in its queue order.
    return list(db.session.scalars(statement.order_by(*order)))


# -- personal feeds ----------------------------------------------------------------------------


def personal_feed_of(user_id: int) -> AtelierFeed | None:
    """The member's personal feed (its secret), if they made one."""
    if not 0 < user_id <= MAX_ID:
        return None
    statement = select(AtelierFeed).where(AtelierFeed.user_id == user_id)
    return db.session.scalars(statement).first()


def content_version(now: BindParameter[datetime]) -> list[AnySelect]:
    """The ateliers' part of the public pages' content version (kispub/core/pagecache.py):
    ateliers (edits touch updated_at; public, started, ended and closed by now), their
    speakers and themes, and the registrations that fill their places."""
    by_now = [
        func.count().filter(Atelier.is_public(now)),  # type: ignore[arg-type] # SQL side
        func.count().filter(Atelier.starts_at <= now),
        func.count().filter(Atelier.ends_at <= now),
        func.count().filter(Atelier.registration_deadline_at <= now),
    ]
    registered = func.count().filter(Registration.status == RegistrationStatus.REGISTERED)
    return [
        select(
            func.count(), func.max(Atelier.id), func.max(Atelier.updated_at), *by_now
        ).select_from(Atelier),
        select(func.count(), func.max(AtelierPerson.id)).select_from(AtelierPerson),
        select(func.count(), func.sum(atelier_theme.c.theme_id)),
        select(func.count(), func.max(Registration.id), registered).select_from(Registration),
    ]

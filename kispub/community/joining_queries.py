"""Reads for the moderators' pages about joining: requests, their history, invitations,
trusted domains and the log, each in one or two queries into frozen page objects.

Apart from the channel's ``queries`` and ``pages`` (the members' pages): nothing here is
shown to members, and the back office (``admin``) is its only reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import aliased

from kispub.accounts.models import User
from kispub.community.models import (
    Invitation,
    InvitationKind,
    JoinedVia,
    Member,
    MembershipEvent,
    MemberStatus,
    TrustedDomain,
)
from kispub.community.services.invitations import is_open, state_label
from kispub.core import clock
from kispub.extensions import db

LOG_LIMIT = 200
INVITATIONS_LIMIT = 200


def event_label(action: str) -> str:
    """What a MembershipEvent's action means, in words."""
    labels = {
        "invited": _("Persoonlijke uitnodiging gemaild"),
        "link_created": _("Uitnodigingslink gemaakt"),
        "revoked": _("Uitnodiging ingetrokken"),
        "accepted": _("Uitnodiging aangenomen"),
        "verified": _("E-mailadres bevestigd"),
        MemberStatus.UNVERIFIED.value: _("Account aangemaakt, e-mailadres nog niet bevestigd"),
        MemberStatus.PENDING.value: _("Wacht op een moderator"),
        MemberStatus.APPROVED.value: _("Goedgekeurd"),
        MemberStatus.DECLINED.value: _("Afgewezen"),
        MemberStatus.SUSPENDED.value: _("Geschorst"),
        MemberStatus.ERASED.value: _("Account verwijderd"),
        "reinstated": _("Schorsing opgeheven"),  # by a moderator (services/sanctions.py)
    }
    return labels.get(action, action)


def _note_text(note: str) -> str:
    """Notes that name how someone joined read as words; others as written."""
    ways = {
        JoinedVia.REQUEST.value: _("via het aanvraagformulier"),
        JoinedVia.INVITATION.value: _("via een uitnodiging"),
        JoinedVia.STAFF.value: _("account gemaakt door een medewerker"),
    }
    return ways.get(note, note)


def _domain_display(domain: str) -> str:
    """A stored (IDNA) domain as people write it: "xn--bcher-kva.nl" -> "bücher.nl"."""
    try:
        return domain.encode("ascii").decode("idna")
    except UnicodeError:
        return domain


@dataclass(frozen=True)
class EventRow:
    """One step in the log."""

    at: datetime
    action: str
    subject: str  # the person, or the invitation when nobody has an account yet
    actor: str | None
    note: str


@dataclass(frozen=True)
class RequestRow:
    """One pending request in the list."""

    user_id: int
    name: str
    organisation: str
    field_role: str
    waiting_since: datetime | None


@dataclass(frozen=True)
class RequestPage:
    """One person's request: who they are, why they ask, and every step so far."""

    user_id: int
    name: str
    email: str
    organisation: str
    field_role: str
    motivation: str
    status: str
    is_pending: bool
    decision_message: str
    events: tuple[EventRow, ...]


@dataclass(frozen=True)
class InvitationRow:
    """One invitation in the list."""

    id: int
    is_link: bool
    admits: str  # the address, or who may use the link
    uses: str
    expires_at: datetime
    state: str
    is_open: bool
    created_by: str
    created_at: datetime
    note: str


@dataclass(frozen=True)
class DomainRow:
    """One trusted domain."""

    id: int
    domain: str
    note: str
    created_by: str
    created_at: datetime


def pending_requests() -> tuple[RequestRow, ...]:
    """Requests waiting for a moderator, the longest-waiting first."""
    statement = (
        select(Member)
        .where(Member.status == MemberStatus.PENDING)
        .order_by(Member.verified_at, Member.user_id)
    )
    return tuple(
        RequestRow(
            user_id=member.user_id,
            name=member.user.name,
            organisation=member.user.organisation or "",
            field_role=member.field_role.label if member.field_role else "",
            waiting_since=member.verified_at,
        )
        for member in db.session.scalars(statement)
    )


def _events(condition: ColumnElement[bool], limit: int | None = None) -> tuple[EventRow, ...]:
    actor = aliased(User)
    subject = aliased(User)
    # The history of one request reads oldest first; the log, newest first.
    order: tuple[Any, ...] = (MembershipEvent.created_at, MembershipEvent.id)
    if limit is not None:
        order = (MembershipEvent.created_at.desc(), MembershipEvent.id.desc())
    statement = (
        select(MembershipEvent, actor.name, subject.name, Invitation.email, Invitation.kind)
        .outerjoin(actor, MembershipEvent.actor_id == actor.id)
        .outerjoin(subject, MembershipEvent.user_id == subject.id)
        .outerjoin(Invitation, MembershipEvent.invitation_id == Invitation.id)
        .where(condition)
        .order_by(*order)
        .limit(limit)
    )
    rows = []
    for event, actor_name, subject_name, invited_email, kind in db.session.execute(statement):
        if subject_name is None:
            subject_name = invited_email if kind is InvitationKind.SINGLE else _("Uitnodigingslink")
        rows.append(
            EventRow(
                at=event.created_at,
                action=event_label(event.action),
                subject=subject_name or "",
                actor=actor_name,
                note=_note_text(event.note),
            )
        )
    return tuple(rows)


def request_page(user_id: int) -> RequestPage | None:
    """A person's request with its history (the invitation's steps included), or None."""
    member = db.session.get(Member, user_id)
    if member is None:
        return None
    about_person = MembershipEvent.user_id == user_id
    if member.invitation_id is not None:
        about_invitation = and_(
            MembershipEvent.invitation_id == member.invitation_id,
            MembershipEvent.user_id.is_(None),
        )
        condition = or_(about_person, about_invitation)
    else:
        condition = about_person
    user = member.user
    return RequestPage(
        user_id=user.id,
        name=user.name,
        email=user.email,
        organisation=user.organisation or "",
        field_role=member.field_role.label if member.field_role else "",
        motivation=member.motivation,
        status=member.status.label,
        is_pending=member.status is MemberStatus.PENDING,
        decision_message=member.decision_message,
        events=_events(condition),
    )


def recent_events(limit: int = LOG_LIMIT) -> tuple[EventRow, ...]:
    """The latest steps of every membership and invitation, newest first."""
    return _events(MembershipEvent.id.is_not(None), limit)


def invitations(limit: int = INVITATIONS_LIMIT) -> tuple[InvitationRow, ...]:
    """The latest invitations, newest first, with what each is now."""
    creator = aliased(User)
    statement = (
        select(Invitation, creator.name)
        .outerjoin(creator, Invitation.created_by_id == creator.id)
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        .limit(limit)
    )
    now = clock.now()
    return tuple(_invitation_row(inv, name, now) for inv, name in db.session.execute(statement))


def _invitation_row(invitation: Invitation, creator: str | None, now: datetime) -> InvitationRow:
    is_link = invitation.kind is InvitationKind.MULTI
    if not is_link:
        admits = f"{invitation.name} <{invitation.email}>"
    elif invitation.domain:
        admits = _("adressen @%(domain)s", domain=_domain_display(invitation.domain))
    else:
        admits = _("iedereen met de link")
    return InvitationRow(
        id=invitation.id,
        is_link=is_link,
        admits=admits,
        uses=_("%(used)d van %(max)d", used=invitation.use_count, max=invitation.max_uses),
        expires_at=invitation.expires_at,
        state=state_label(invitation, now),
        is_open=is_open(invitation, now),
        created_by=creator or _("(verwijderd account)"),
        created_at=invitation.created_at,
        note=invitation.note,
    )


def trusted_domains() -> tuple[DomainRow, ...]:
    """The trusted domains, alphabetically."""
    creator = aliased(User)
    statement = (
        select(TrustedDomain, creator.name)
        .outerjoin(creator, TrustedDomain.created_by_id == creator.id)
        .order_by(TrustedDomain.domain)
    )
    return tuple(
        DomainRow(
            id=domain.id,
            domain=_domain_display(domain.domain),
            note=domain.note,
            created_by=name or "",
            created_at=domain.created_at,
        )
        for domain, name in db.session.execute(statement)
    )

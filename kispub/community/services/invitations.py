"""Invitations by staff: a personal link mailed to one address, or a shared link with an
expiry, a maximum number of uses and optionally an e-mail domain.

Only the SHA-256 of a link's secret is stored (``Invitation.token_hash``); the secret is in
the mail (personal) or shown once to the staff member who made the link (shared). A use is
counted with one conditional UPDATE (``use_count < max_uses`` and still open), so
concurrent acceptances can never exceed the maximum.

A personal link confirms its address by being opened from the mail: accepting it (with a
name and a password) makes an approved member at once, taking over an account someone made
for that address without ever proving it. A shared link may be passed on, so it proves
nothing about an address: accepting it makes an unverified account without a password,
which ``joining.verify_address`` gives one (chosen by whoever reads the confirmation mail)
and approves once the address is confirmed.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import CursorResult, func, select, update

from kispub.accounts.models import User
from kispub.accounts.services import (
    AccountError,
    NewUser,
    create_user,
    find_user_by_email,
    set_password,
)
from kispub.community import notifications
from kispub.community.models import (
    FieldRole,
    Invitation,
    InvitationKind,
    JoinedVia,
    Member,
    MembershipEvent,
    MemberStatus,
)
from kispub.community.services.joining import (
    approve,
    new_account_or_answer,
    verification_token,
)
from kispub.community.services.members import create_member, new_handle
from kispub.community.services.rules import (
    JoiningError,
    email_domain,
    normalise_domain,
    require_new_password,
    require_staff,
    valid_address,
)
from kispub.core import clock
from kispub.core.database import write_transaction
from kispub.core.dates import day_date
from kispub.extensions import db

MAX_LINK_USES = 1000
MAX_LINK_DAYS = 365


class LinkRefused(JoiningError):
    """An invitation link that does not (or no longer) admit anyone; ``status`` for HTTP."""

    def __init__(self, message: str, status: int = 410) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class PersonalInvitation:
    """Whom staff invite with a personal link."""

    email: str
    name: str
    organisation: str = ""
    note: str = ""


@dataclass(frozen=True)
class InviteLink:
    """A shared link: how often and how long it may be used, and by which addresses."""

    max_uses: int
    days: int
    domain: str = ""
    note: str = ""


@dataclass(frozen=True)
class Acceptance:
    """What a person fills in to accept an invitation: ``password`` only for a personal
    link (its mail proved the address), ``email`` only for a shared one."""

    name: str
    password: str = ""
    organisation: str = ""
    field_role: FieldRole | None = None
    email: str = ""


def token_hash(secret: str) -> str:
    """What is stored of a link's secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _record(
    invitation: Invitation,
    action: str,
    actor_id: int | None,
    note: str = "",
    user_id: int | None = None,
) -> None:
    db.session.add(
        MembershipEvent(
            invitation_id=invitation.id,
            user_id=user_id,
            actor_id=actor_id,
            action=action,
            note=note,
        )
    )


def addresses_in_use(emails: Iterable[str]) -> dict[str, str]:
    """Of these (stored-form) addresses, those that cannot be invited, with the reason."""
    wanted = sorted(set(emails))
    if not wanted:
        return {}
    now = clock.now()
    accounts = select(func.lower(User.email)).where(func.lower(User.email).in_(wanted))
    invited = select(Invitation.email).where(
        Invitation.email.in_(wanted),
        Invitation.kind == InvitationKind.SINGLE,
        Invitation.revoked_at.is_(None),
        Invitation.use_count < Invitation.max_uses,
        Invitation.expires_at > now,
    )
    reasons = dict.fromkeys(
        db.session.scalars(invited), _("Dit adres heeft al een openstaande uitnodiging.")
    )
    reasons.update(
        dict.fromkeys(
            db.session.scalars(accounts), _("Er bestaat al een account met dit e-mailadres.")
        )
    )
    return {email: reason for email, reason in reasons.items() if email is not None}


def invite_person(inviter: User, person: PersonalInvitation) -> Invitation:
    """Mail a personal, single-use invitation; refuses an address with an account or an
    open invitation."""
    require_staff(inviter)
    email = valid_address(person.email)
    if email is None:
        raise JoiningError(_("Vul een geldig e-mailadres in."), "email")
    if not person.name.strip():
        raise JoiningError(_("Vul een naam in."), "name")
    with write_transaction():
        reason = addresses_in_use([email]).get(email)
        if reason is not None:
            raise JoiningError(reason, "email")
        checked = PersonalInvitation(
            email, person.name.strip(), person.organisation.strip(), person.note.strip()
        )
        return create_personal_invitation(inviter, checked)


def create_personal_invitation(inviter: User, person: PersonalInvitation) -> Invitation:
    """Store and mail one checked personal invitation (inside the caller's transaction)."""
    secret = secrets.token_urlsafe(32)
    now = clock.now()
    invitation = Invitation(
        token_hash=token_hash(secret),
        kind=InvitationKind.SINGLE,
        email=person.email,
        name=person.name,
        organisation=person.organisation or None,
        max_uses=1,
        expires_at=now + timedelta(days=int(current_app.config["COMMUNITY_INVITATION_DAYS"])),
        created_by_id=inviter.id,
        created_at=now,
        note=person.note[:200],
    )
    db.session.add(invitation)
    db.session.flush()
    _record(invitation, "invited", inviter.id, person.email)
    notifications.queue_invitation(invitation, secret, inviter)
    return invitation


def create_invite_link(inviter: User, link: InviteLink) -> tuple[Invitation, str]:
    """Make a shared link; returns it with its URL, which is shown once and never stored."""
    require_staff(inviter)
    if not 1 <= link.max_uses <= MAX_LINK_USES:
        raise JoiningError(_("Kies 1 tot %(n)d keer.", n=MAX_LINK_USES), "max_uses")
    if not 1 <= link.days <= MAX_LINK_DAYS:
        raise JoiningError(_("Kies 1 tot %(n)d dagen.", n=MAX_LINK_DAYS), "days")
    domain = normalise_domain(link.domain) if link.domain.strip() else None
    secret = secrets.token_urlsafe(32)
    with write_transaction() as session:
        now = clock.now()
        invitation = Invitation(
            token_hash=token_hash(secret),
            kind=InvitationKind.MULTI,
            domain=domain,
            max_uses=link.max_uses,
            expires_at=now + timedelta(days=link.days),
            created_by_id=inviter.id,
            created_at=now,
            note=link.note.strip()[:200],
        )
        session.add(invitation)
        session.flush()
        summary = _(
            "%(n)d keer, tot %(date)s", n=link.max_uses, date=day_date(invitation.expires_at)
        )
        if domain:
            summary += ", @" + domain
        _record(invitation, "link_created", inviter.id, summary)
    return invitation, notifications.invitation_link(secret)


def revoke_invitation(staff: User, invitation_id: int) -> Invitation:
    """Stop an invitation from admitting anyone else; accounts it made stay."""
    require_staff(staff)
    with write_transaction() as session:
        invitation = session.get(Invitation, invitation_id)
        if invitation is None:
            raise JoiningError(_("Deze uitnodiging bestaat niet."))
        if invitation.revoked_at is not None:
            raise JoiningError(_("Deze uitnodiging was al ingetrokken."))
        invitation.revoked_at = clock.now()
        _record(invitation, "revoked", staff.id)
    return invitation


def state_label(invitation: Invitation, now: datetime) -> str:
    """Open, used (up), expired or revoked: what an invitation is now."""
    if invitation.revoked_at is not None:
        return _("Ingetrokken")
    if invitation.use_count >= invitation.max_uses:
        return _("Gebruikt") if invitation.kind is InvitationKind.SINGLE else _("Vol")
    if invitation.expires_at <= now:
        return _("Verlopen")
    return _("Open")


def is_open(invitation: Invitation, now: datetime) -> bool:
    """Whether an invitation still admits someone."""
    return _refusal(invitation, now) is None


def _refusal(invitation: Invitation, now: datetime) -> str | None:
    if invitation.revoked_at is not None:
        return _("Deze uitnodiging is ingetrokken. Vraag degene die u uitnodigde om een nieuwe.")
    if invitation.use_count >= invitation.max_uses:
        if invitation.kind is InvitationKind.SINGLE:
            return _("Deze uitnodiging is al gebruikt. Hebt u al een account? Log dan in.")
        return _("Deze uitnodigingslink is al het maximale aantal keren gebruikt.")
    if invitation.expires_at <= now:
        return _(
            "Deze uitnodiging is verlopen op %(date)s. Vraag degene die u uitnodigde om een "
            "nieuwe.",
            date=day_date(invitation.expires_at),
        )
    return None


def invitation_for_token(secret: str) -> Invitation:
    """The open invitation a link's secret belongs to; raises ``LinkRefused`` otherwise."""
    statement = select(Invitation).where(Invitation.token_hash == token_hash(secret))
    invitation = db.session.scalars(statement).first()
    if invitation is None:
        raise LinkRefused(
            _("Deze uitnodiging bestaat niet. Controleer of u de hele link hebt gekopieerd."), 404
        )
    refusal = _refusal(invitation, clock.now())
    if refusal is not None:
        raise LinkRefused(refusal)
    return invitation


def _count_use(invitation: Invitation) -> None:
    """Take one use of an invitation, or refuse: one UPDATE, so no race can exceed max_uses."""
    now = clock.now()
    statement = (
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.use_count < Invitation.max_uses,
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(use_count=Invitation.use_count + 1)
        .execution_options(synchronize_session=False)
    )
    result = cast(CursorResult[Any], db.session.execute(statement))
    db.session.refresh(invitation)
    if result.rowcount != 1:
        raise LinkRefused(_refusal(invitation, now) or _("Deze uitnodiging is niet meer geldig."))


def accept_invitation(secret: str, acceptance: Acceptance) -> User | None:
    """Accept an invitation link: a personal one returns the new, approved member (to log
    in); a shared one returns None (the page says "check your mail" whatever happened)."""
    try:
        with write_transaction():
            invitation = invitation_for_token(secret)
            if invitation.kind is InvitationKind.SINGLE:
                return _accept_personal(invitation, acceptance)
            _accept_shared(invitation, acceptance)
            return None
    except AccountError as error:
        # A personal link's address taken by a concurrent request at this very moment (a
        # shared link's is answered in ``new_account_or_answer``). Nothing was stored;
        # sent again, the acceptance finds that account and takes it over.
        raise JoiningError(_("Dat lukte niet. Probeer het nog eens.")) from error


def _new_account(email: str, acceptance: Acceptance) -> User:
    return create_user(
        NewUser(
            email=email,
            name=acceptance.name,
            organisation=acceptance.organisation,
            password=acceptance.password,
            made_by_staff=False,  # the joining rule decides, not the accounts hook
        )
    )


def _accept_personal(invitation: Invitation, acceptance: Acceptance) -> User:
    """The link came in the mail to this address: that confirms it, so approve at once.

    An account already at the address is refused ("log in"), unless nobody ever proved or
    used it (made by the request form or a shared link, unconfirmed, without a password):
    whoever made that one did not read this mail, so the invited person takes it over.
    """
    require_new_password(acceptance.password)
    email = invitation.email or ""
    existing = find_user_by_email(email)
    member = _unproven_membership(existing) if existing is not None else None
    if existing is not None and member is None:
        raise LinkRefused(_("Er bestaat al een account met dit e-mailadres. Log in."), 409)
    _count_use(invitation)
    user = existing or _new_account(email, acceptance)
    _record(invitation, "accepted", user.id, user_id=user.id)
    _record(invitation, "verified", user.id, _("door de persoonlijke link"), user_id=user.id)
    if member is None:
        member = create_member(
            user, MemberStatus.APPROVED, JoinedVia.INVITATION, actor_id=invitation.created_by_id
        )
    else:
        _take_over(member, acceptance)
        approve(member, invitation.created_by_id, _("uitnodiging door een medewerker"))
    member.invitation_id = invitation.id
    member.field_role = acceptance.field_role
    member.decided_by_id = invitation.created_by_id
    return user


def _unproven_membership(user: User) -> Member | None:
    """The membership of an account nobody has proven or used, locked; None for any other.

    Locked FOR UPDATE and read fresh, so a confirmation of the same account running at the
    same moment either finishes first (and this finds a password) or waits for this one.
    """
    statement = (
        select(Member)
        .where(Member.user_id == user.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    member = db.session.scalars(statement).first()
    if (
        member is None
        or member.status is not MemberStatus.UNVERIFIED
        or member.verified_at is not None
        or member.user.password_hash is not None
        or member.user.last_login_at is not None
        or not member.user.active
    ):
        return None
    return member


def _take_over(member: Member, acceptance: Acceptance) -> None:
    """Make an unproven account the invited person's: their name, organisation, password
    (which also ends any session on it) and handle; nothing its maker wrote stays."""
    user = member.user
    user.name = acceptance.name.strip()
    user.organisation = acceptance.organisation.strip() or None
    set_password(user, acceptance.password)
    member.joined_via = JoinedVia.INVITATION
    member.motivation = ""
    member.verified_at = clock.now()
    # The old handle came from its maker's name and was never shown (never approved). It is
    # parked first so that the new name can have the same handle, not "-2" beside it.
    member.handle = f"#{member.user_id}"
    member.handle = new_handle(user.name)


def _accept_shared(invitation: Invitation, acceptance: Acceptance) -> None:
    """An unverified account without a password and a mail to confirm the address (and
    choose the password); an address with an account gets the mail its owner would get
    from the joining form instead, and uses nothing."""
    email = valid_address(acceptance.email)
    if email is None:
        raise JoiningError(_("Vul een geldig e-mailadres in."), "email")
    if invitation.domain and email_domain(email) != invitation.domain:
        raise JoiningError(
            _(
                "Deze link is alleen voor e-mailadressen die eindigen op @%(domain)s.",
                domain=invitation.domain,
            ),
            "email",
        )
    new = NewUser(
        email=email,
        name=acceptance.name,
        organisation=acceptance.organisation,
        made_by_staff=False,  # the joining rule decides; the password comes with the address
    )
    user = new_account_or_answer(new, lambda: _count_use(invitation))
    if user is None:
        return
    member = create_member(user, MemberStatus.UNVERIFIED, JoinedVia.INVITATION, actor_id=user.id)
    member.invitation_id = invitation.id
    member.field_role = acceptance.field_role
    _record(invitation, "accepted", user.id, user_id=user.id)
    notifications.queue_verification(user, verification_token(user))

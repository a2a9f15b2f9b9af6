"""The joining rule (README, "Joining the community"): asking to join, confirming an
address, a moderator's decision, and the moderators' daily reminder.

invited -> account created (unverified, no password) -> e-mail verified (password chosen)
-> pending -> approved | declined.

Nobody chooses a password before the address is proven: an account made by the request
form or a shared link has none (nobody can log in to it), and the person who opens the
confirmation link, that is the one who reads the mail, chooses it when confirming. So
asking to join with someone else's address gives the asker nothing.

Only four things make a member APPROVED, and this package is where each happens:
a staff invitation once the address is confirmed (``invitations`` and ``verify_address``),
a trusted domain once the address is confirmed (``verify_address``), a moderator's
decision (``decide_request``), and an account made by staff (``members``). Nothing a
person sends can skip a step: a request is always unverified, confirming an address only
moves an unverified membership on, and a decision is only taken on a pending one.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from kispub.accounts.models import Role, User
from kispub.accounts.services import (
    AccountError,
    NewUser,
    create_user,
    find_user_by_email,
    set_password,
)
from kispub.community import notifications
from kispub.community.models import FieldRole, Invitation, JoinedVia, Member, MemberStatus
from kispub.community.services.domains import is_trusted
from kispub.community.services.members import create_member, record_event
from kispub.community.services.rules import (
    JoiningError,
    email_domain,
    require_new_password,
    require_staff,
)
from kispub.core import clock
from kispub.core.database import write_transaction
from kispub.core.tokens import fingerprint, timed_serializer
from kispub.extensions import db

VERIFY_SALT = "kispub-community-verify"
STAFF_ROLES = tuple(role for role in Role if role.rank >= Role.MODERATOR.rank)


class AlreadyConfirmed(JoiningError):
    """A confirmation link used again: the address was confirmed; ``status`` is where it led."""

    def __init__(self, status: MemberStatus) -> None:
        super().__init__(_("Uw e-mailadres is al bevestigd."))
        self.status = status


@dataclass(frozen=True)
class JoinRequest:
    """What a person fills in to ask to join (no password: see the module's docstring)."""

    name: str
    email: str
    organisation: str
    field_role: FieldRole
    motivation: str


def request_membership(request: JoinRequest) -> None:
    """Ask to join: an account without a password and a mail with a link to confirm the
    address (and choose the password).

    Nothing is returned and the page after it is the same whatever happened: whether an
    address has an account is never shown. If it has one, its owner gets a mail instead
    (a fresh confirmation link while the address is still unconfirmed, else "log in or
    reset your password").
    """
    with write_transaction():
        new = NewUser(
            email=request.email,
            name=request.name,
            organisation=request.organisation,
            made_by_staff=False,
        )
        user = new_account_or_answer(new)
        if user is None:
            return
        member = create_member(user, MemberStatus.UNVERIFIED, JoinedVia.REQUEST, actor_id=user.id)
        member.field_role = request.field_role
        member.motivation = request.motivation.strip()
        notifications.queue_verification(user, verification_token(user))


def new_account_or_answer(
    new: NewUser, take_use: Callable[[], object] | None = None
) -> User | None:
    """A new account for someone joining on their own, after ``take_use`` (what it costs,
    such as a use of a link); or None when the address has an account, whose owner is
    mailed instead and nothing is taken (inside a write transaction).

    An address taken by a concurrent request between the check and the insert is answered
    the same way: the insert, and the use, are undone to a savepoint.
    """
    existing = find_user_by_email(new.email)
    if existing is None:
        try:
            with db.session.begin_nested():
                if take_use is not None:
                    take_use()
                return create_user(new)
        except AccountError:
            existing = find_user_by_email(new.email)
    if existing is not None:  # (None: taken and removed again at once; nobody to mail)
        answer_known_address(existing)
    return None


def answer_known_address(user: User) -> None:
    """Mail the owner of an address that asked to join again (inside a write transaction)."""
    if not user.active:
        return  # a suspended account: nothing to log in to, nothing to mail
    member = db.session.get(Member, user.id)
    if member is not None and member.status is MemberStatus.UNVERIFIED:
        # The first link may have expired or been lost: asking again sends a new one.
        notifications.queue_verification(user, verification_token(user))
    else:
        notifications.queue_known_address(user)


# The confirmation link signs the user id and a keyed fingerprint of the address, so it
# confirms that address only. It works once: confirming sets verified_at, after which the
# same link finds nothing left to confirm.
def _serializer() -> URLSafeTimedSerializer:
    return timed_serializer(VERIFY_SALT)


def _fingerprint(email: str) -> str:
    return fingerprint(VERIFY_SALT, email.lower())


def verification_token(user: User) -> str:
    """The signed token in the link that confirms the user's address."""
    return _serializer().dumps({"uid": user.id, "fp": _fingerprint(user.email)})


def member_for_token(token: str, *, lock: bool = False) -> Member:
    """The unverified membership a confirmation link belongs to; raises ``JoiningError``
    (``AlreadyConfirmed`` once it was used). ``lock``: read it FOR UPDATE, fresh."""
    uid, fingerprint = _read_token(token)
    statement = select(Member).where(Member.user_id == uid)
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    member = db.session.scalars(statement).first()
    if (
        member is None
        or not member.user.active
        or not hmac.compare_digest(fingerprint, _fingerprint(member.user.email))
    ):
        raise JoiningError(_("Deze link is ongeldig. Kopieer de hele link uit de e-mail."))
    if member.verified_at is not None or member.status is not MemberStatus.UNVERIFIED:
        raise AlreadyConfirmed(member.status)
    return member


def _read_token(token: str) -> tuple[int, str]:
    """The user id and address fingerprint a confirmation link carries, if it is valid."""
    max_age = int(current_app.config["COMMUNITY_VERIFY_HOURS"]) * 3600
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise JoiningError(
            _(
                "Deze link is verlopen. Vul het formulier om lid te worden opnieuw in met "
                "hetzelfde e-mailadres: u krijgt dan een nieuwe link."
            )
        ) from error
    except BadSignature as error:
        raise JoiningError(
            _("Deze link is ongeldig. Kopieer de hele link uit de e-mail.")
        ) from error
    uid = data.get("uid") if isinstance(data, dict) else None
    fingerprint = data.get("fp") if isinstance(data, dict) else None
    if not isinstance(uid, int) or not isinstance(fingerprint, str):
        raise JoiningError(_("Deze link is ongeldig. Kopieer de hele link uit de e-mail."))
    return uid, fingerprint


def verify_address(token: str, password: str) -> Member:
    """Confirm an address and set the password its owner chose, in one transaction:
    approved at once after a staff invitation or at a trusted domain, else pending for a
    moderator.

    The password replaces whatever the account had and the session token is renewed, so
    nobody who made the account before the address was proven keeps a way in. The row is
    locked: of two confirmations at once, the second finds it confirmed
    (``AlreadyConfirmed``) and changes nothing.
    """
    require_new_password(password)
    with write_transaction():
        member = member_for_token(token, lock=True)
        member.verified_at = clock.now()
        set_password(member.user, password)
        record_event(member.user_id, "verified", member.user_id)
        approver = _automatic_approval(member)
        if approver is None:
            member.status = MemberStatus.PENDING
            record_event(member.user_id, MemberStatus.PENDING.value, member.user_id)
        else:
            actor_id, note = approver
            approve(member, actor_id, note)
    return member


def _automatic_approval(member: Member) -> tuple[int | None, str] | None:
    """Who approves a just-confirmed address without a moderator, and why; or None.

    A staff invitation approves, with its inviter as the actor, unless it was revoked
    since it was accepted (a leaked link is revoked: its late arrivals go to a moderator).
    A trusted domain approves. Nothing else does.
    """
    if member.joined_via is JoinedVia.INVITATION and member.invitation_id is not None:
        invitation = db.session.get(Invitation, member.invitation_id)
        if invitation is not None and invitation.revoked_at is None:
            return invitation.created_by_id, _("uitnodiging door een medewerker")
    domain = email_domain(member.user.email)
    if is_trusted(domain):
        return None, _("vertrouwd domein %(domain)s", domain=domain)
    return None


def approve(member: Member, actor_id: int | None, note: str) -> None:
    """Make a membership approved and log who did it (inside a write transaction)."""
    member.status = MemberStatus.APPROVED
    member.approved_at = clock.now()
    member.decided_by_id = actor_id
    record_event(member.user_id, MemberStatus.APPROVED.value, actor_id, note)


def decide_request(moderator: User, user_id: int, approved: bool, message: str) -> Member:
    """A moderator approves or declines a pending request; the person is mailed either way.

    Declining needs a message (it is what the person reads). A request already decided,
    by another moderator or by a double submit, is refused with the decision it got.
    """
    require_staff(moderator)
    message = message.strip()
    if not approved and not message:
        raise JoiningError(_("Schrijf bij een afwijzing een bericht aan de aanvrager."), "message")
    with write_transaction() as session:
        statement = select(Member).where(Member.user_id == user_id).with_for_update()
        member = session.scalars(statement.execution_options(populate_existing=True)).first()
        if member is None:
            raise JoiningError(_("Deze aanvraag bestaat niet."))
        if member.status is not MemberStatus.PENDING:
            raise JoiningError(
                _("Deze aanvraag is al behandeld: %(status)s.", status=member.status.label)
            )
        member.decision_message = message
        if approved:
            approve(member, moderator.id, message)
        else:
            member.status = MemberStatus.DECLINED
            member.decided_by_id = moderator.id
            record_event(user_id, MemberStatus.DECLINED.value, moderator.id, message)
        notifications.queue_decision(member)
    return member


def remind_moderators() -> int:
    """The daily job: one summary to every active moderator, editor and admin while
    requests are pending. Run twice on one day, it mails nothing new (a key per day)."""
    with write_transaction():
        pending = list(
            db.session.scalars(
                select(Member)
                .where(Member.status == MemberStatus.PENDING)
                .order_by(Member.verified_at, Member.user_id)
            )
        )
        if not pending:
            return 0
        staff = db.session.scalars(
            select(User).where(User.active.is_(True), User.role.in_(STAFF_ROLES)).order_by(User.id)
        )
        now = clock.now()
        sent = sum(
            notifications.queue_pending_reminder(user, pending, now.date()) for user in staff
        )
        if sent:
            for member in pending:
                member.last_reminded_at = now
    return sent

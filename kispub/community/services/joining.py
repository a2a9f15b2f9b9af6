"""The joining rule (README, "Joining the community"): asking to join, confirming an
address, a moderator's decision, and the moderators' daily reminder.

invited -> account created (unverified) -> e-mail verified -> pending -> approved | declined.

Only four things make a member APPROVED, and this package is where each happens:
a staff invitation once the address is confirmed (``invitations`` and ``verify_address``),
a trusted domain once the address is confirmed (``verify_address``), a moderator's
decision (``decide_request``), and an account made by staff (``members``). Nothing a
person sends can skip a step: a request is always unverified, confirming an address only
moves an unverified membership on, and a decision is only taken on a pending one.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from kispub.accounts.models import Role, User
from kispub.accounts.passwords import hash_password
from kispub.accounts.services import NewUser, create_user, find_user_by_email
from kispub.community import notifications
from kispub.community.models import FieldRole, Invitation, JoinedVia, Member, MemberStatus
from kispub.community.services.domains import is_trusted
from kispub.community.services.members import create_member, record_event
from kispub.community.services.rules import (
    JoiningError,
    email_domain,
    require_staff,
    timed_serializer,
)
from kispub.core import clock
from kispub.core.database import write_transaction
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
    """What a person fills in to ask to join."""

    name: str
    email: str
    password: str
    organisation: str
    field_role: FieldRole
    motivation: str


def request_membership(request: JoinRequest) -> None:
    """Ask to join: an unverified account and a mail with a link to confirm the address.

    Nothing is returned and the page after it is the same whatever happened: whether an
    address has an account is never shown. If it has one, its owner gets a mail instead
    (a fresh confirmation link while the address is still unconfirmed, else "log in or
    reset your password"), and the password is hashed all the same, so the answer takes
    as long either way.
    """
    with write_transaction():
        existing = find_user_by_email(request.email)
        if existing is not None:
            hash_password(request.password)  # the cost the new account pays, see above
            answer_known_address(existing)
            return
        user = create_user(
            NewUser(
                email=request.email,
                name=request.name,
                organisation=request.organisation,
                password=request.password,
                made_by_staff=False,
            )
        )
        member = create_member(user, MemberStatus.UNVERIFIED, JoinedVia.REQUEST, actor_id=user.id)
        member.field_role = request.field_role
        member.motivation = request.motivation.strip()
        notifications.queue_verification(user, verification_token(user))


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
    key = f"{VERIFY_SALT}:{current_app.config['SECRET_KEY']}".encode()
    return hmac.new(key, email.lower().encode(), hashlib.sha256).hexdigest()[:32]


def verification_token(user: User) -> str:
    """The signed token in the link that confirms the user's address."""
    return _serializer().dumps({"uid": user.id, "fp": _fingerprint(user.email)})


def member_for_token(token: str) -> Member:
    """The unverified membership a confirmation link belongs to; raises ``JoiningError``."""
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
    member = db.session.get(Member, uid) if isinstance(uid, int) else None
    if (
        member is None
        or not member.user.active
        or not isinstance(fingerprint, str)
        or not hmac.compare_digest(fingerprint, _fingerprint(member.user.email))
    ):
        raise JoiningError(_("Deze link is ongeldig. Kopieer de hele link uit de e-mail."))
    if member.verified_at is not None or member.status is not MemberStatus.UNVERIFIED:
        raise AlreadyConfirmed(member.status)
    return member


def verify_address(token: str) -> Member:
    """Confirm an address: approved at once after a staff invitation or at a trusted
    domain, else pending for a moderator. A second use of the link changes nothing."""
    with write_transaction():
        member = member_for_token(token)
        member.verified_at = clock.now()
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

"""Moderators silence and suspend members, and lift either, always with a reason.

- **Silence** (schrijfverbod): the member reads but cannot write (``restrictions``) until
  the end of a chosen day, Amsterdam time (``Member.silenced_until`` holds the moment it
  ends).
- **Suspend**: the membership becomes SUSPENDED and the account is deactivated
  (``accounts.services.set_active``), which renews its session token: every session ends
  at once and nobody can log in to it. Lifting it reactivates the account.

Each decision is logged, noted in the membership's history, e-mailed (outbox) and notified,
in one transaction. Staff accounts are not restricted here: an admin changes those.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from kispub.accounts.models import Role, User
from kispub.accounts.services import set_active
from kispub.community.models import Member, MemberStatus, ModerationAction
from kispub.community.moderation_mail import queue_sanction_mail
from kispub.community.services import notifying
from kispub.community.services.members import record_event
from kispub.community.services.modlog import (
    ModerationError,
    checked_reason,
    member_target,
    record,
    require_moderator,
)
from kispub.core import clock
from kispub.core.database import write_transaction
from kispub.core.dates import long_date

LOCAL = ZoneInfo("Europe/Amsterdam")
LONGEST_SILENCE = timedelta(days=3660)  # ten years: a date further off is a typing error


def silence_end(last: date) -> datetime:
    """The moment a silence through ``last`` (inclusive, Amsterdam time) ends, in UTC."""
    return datetime.combine(last + timedelta(days=1), time(), tzinfo=LOCAL).astimezone(UTC)


def silence_member(moderator: User, user_id: int, last: date, reason: str) -> Member:
    """Let a member read but not write up to and including ``last``."""
    require_moderator(moderator)
    reason = checked_reason(reason)
    until = silence_end(last)
    now = clock.now()
    if until <= now:
        raise ModerationError(_("Kies een datum vanaf vandaag."), "until")
    if until - now > LONGEST_SILENCE:
        raise ModerationError(_("Kies een datum binnen tien jaar."), "until")
    with write_transaction() as session:
        member = _restrictable(session, moderator, user_id)
        if member.status is not MemberStatus.APPROVED:
            raise ModerationError(_("Alleen een goedgekeurd lid kan een schrijfverbod krijgen."))
        member.silenced_until = until
        why = _("Tot en met %(day)s: %(reason)s", day=long_date(last), reason=reason)
        message = _(
            "U hebt een schrijfverbod tot en met %(day)s. Reden: %(reason)s",
            day=long_date(last),
            reason=reason,
        )
        _decided(session, moderator, member, ModerationAction.MEMBER_SILENCED, why, message)
        queue_sanction_mail(member, "silenced", reason, until)
    return member


def lift_silence(moderator: User, user_id: int, reason: str) -> Member:
    """End a member's silence now."""
    require_moderator(moderator)
    reason = checked_reason(reason)
    with write_transaction() as session:
        member = _restrictable(session, moderator, user_id)
        if member.silenced_until is None or member.silenced_until <= clock.now():
            raise ModerationError(_("Dit lid heeft geen schrijfverbod."))
        member.silenced_until = None
        _decided(
            session,
            moderator,
            member,
            ModerationAction.MEMBER_UNSILENCED,
            reason,
            _("Uw schrijfverbod is opgeheven: %(reason)s", reason=reason),
        )
        queue_sanction_mail(member, "unsilenced", reason)
    return member


def suspend_member(moderator: User, user_id: int, reason: str) -> Member:
    """Suspend a member: they cannot log in, and every session of theirs ends now."""
    require_moderator(moderator)
    reason = checked_reason(reason)
    with write_transaction() as session:
        member = _restrictable(session, moderator, user_id)
        if member.status is not MemberStatus.APPROVED:
            raise ModerationError(
                _(
                    "Alleen een goedgekeurd lid kan worden geschorst (nu: %(status)s).",
                    status=member.status.label,
                )
            )
        member.status = MemberStatus.SUSPENDED
        set_active(member.user, False)  # a new session token: every session ends
        record_event(member.user_id, "suspended", moderator.id, reason)
        _decided(
            session,
            moderator,
            member,
            ModerationAction.MEMBER_SUSPENDED,
            reason,
            _("Uw lidmaatschap is geschorst: %(reason)s", reason=reason),
        )
        queue_sanction_mail(member, "suspended", reason)
    return member


def lift_suspension(moderator: User, user_id: int, reason: str) -> Member:
    """Reinstate a suspended member: approved again, the account active."""
    require_moderator(moderator)
    reason = checked_reason(reason)
    with write_transaction() as session:
        member = _restrictable(session, moderator, user_id)
        if member.status is not MemberStatus.SUSPENDED:
            raise ModerationError(_("Dit lid is niet geschorst."))
        member.status = MemberStatus.APPROVED
        set_active(member.user, True)
        record_event(member.user_id, "reinstated", moderator.id, reason)
        _decided(
            session,
            moderator,
            member,
            ModerationAction.MEMBER_UNSUSPENDED,
            reason,
            _("De schorsing van uw lidmaatschap is opgeheven: %(reason)s", reason=reason),
        )
        queue_sanction_mail(member, "unsuspended", reason)
    return member


def _restrictable(session: Session, moderator: User, user_id: int) -> Member:
    """The membership, its row locked; never one's own, never a staff account."""
    member = session.get(Member, user_id, with_for_update=True, populate_existing=True)
    if member is None:
        raise ModerationError(_("Dit lid bestaat niet."))
    if member.user_id == moderator.id:
        raise ModerationError(_("U kunt uzelf niet beperken."))
    if member.user.has_role(Role.MODERATOR):
        raise ModerationError(
            _(
                "Een moderator, redacteur of beheerder wordt niet hier beperkt; een beheerder "
                "past zo nodig het account aan."
            )
        )
    return member


def _decided(
    session: Session,
    moderator: User,
    member: Member,
    action: ModerationAction,
    reason: str,
    message: str,
) -> None:
    """Log the decision and notify the member of it."""
    record(session, moderator, action, member_target(member), reason, subject_id=member.user_id)
    notifying.notify_moderation(member.user_id, moderator, message)

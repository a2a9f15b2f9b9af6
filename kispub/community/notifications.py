"""The community's e-mail about joining: invitations, address confirmation, decisions and
the moderators' daily reminder.

Each ``queue_*`` function composes one message from what a service just wrote and stores
it in the outbox inside that service's write transaction (the worker delivers it after the
commit; a rolled-back change sends nothing). Keys name each message once: ids plus a time,
never an address, so the outbox refuses a double and the Message-ID stays stable.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from flask import current_app, render_template
from flask_babel import gettext as _
from flask_babel import ngettext

from kispub.accounts.models import User
from kispub.community.models import Invitation, Member, MemberStatus
from kispub.core import clock
from kispub.core.mail import build_message
from kispub.core.outbox import queue_mail
from kispub.core.urls import absolute_url


def _queue(to: str, subject: str, template: str, key: str, **context: object) -> bool:
    body = render_template(f"community/mail/{template}.txt", **context)
    return queue_mail(build_message(to, subject, body, key=key), key)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S%f")


def invitation_link(secret: str) -> str:
    """The public URL that accepts an invitation (the secret exists only in this link)."""
    return absolute_url("community_join.accept_invitation", token=secret)


def queue_invitation(invitation: Invitation, secret: str, inviter: User) -> None:
    """Mail a personal, single-use invitation to the one address it admits."""
    assert invitation.email is not None
    _queue(
        invitation.email,
        _("Uitnodiging voor de KIS-community"),
        "invitation",
        f"community:invitation:{invitation.id}:{_stamp(invitation.created_at)}",
        invitation=invitation,
        inviter=inviter,
        link=invitation_link(secret),
    )


def queue_verification(user: User, token: str) -> None:
    """Mail the link that confirms an address (at most one message per second per person)."""
    hours = current_app.config["COMMUNITY_VERIFY_HOURS"]
    _queue(
        user.email,
        _("Bevestig uw e-mailadres voor de KIS-community"),
        "verify",
        f"community:verify:{user.id}:{clock.now():%Y%m%dT%H%M%S}",
        user=user,
        link=absolute_url("community_join.verify", token=token),
        hours=hours,
    )


def queue_known_address(user: User) -> None:
    """Tell the owner of an existing account that someone asked to join with their address.

    The joining page answers the same whether an address has an account or not; this mail
    is where the owner learns it (at most one per minute).
    """
    _queue(
        user.email,
        _("U hebt al een account bij KIS"),
        "known_address",
        f"community:known-address:{user.id}:{clock.now():%Y%m%dT%H%M}",
        user=user,
        login_url=absolute_url("accounts.login"),
        reset_url=absolute_url("accounts.forgot_password"),
    )


def queue_decision(member: Member) -> None:
    """Tell a person a moderator approved or declined their request, with the message."""
    approved = member.status is MemberStatus.APPROVED
    subject = (
        _("Welkom in de KIS-community")
        if approved
        else _("Uw aanvraag voor de KIS-community is afgewezen")
    )
    _queue(
        member.user.email,
        subject,
        "approved" if approved else "declined",
        f"community:decision:{member.user_id}:{member.status.value}:{_stamp(clock.now())}",
        user=member.user,
        message=member.decision_message,
        community_url=absolute_url("community.index"),
    )


def queue_pending_reminder(moderator: User, pending: Sequence[Member], day: date) -> bool:
    """Remind one moderator of the requests waiting; one message per moderator per day."""
    return _queue(
        moderator.email,
        ngettext(
            "%(num)d aanvraag wacht op een moderator",
            "%(num)d aanvragen wachten op een moderator",
            len(pending),
        ),
        "pending_reminder",
        f"community:pending-reminder:{moderator.id}:{day.isoformat()}",
        moderator=moderator,
        pending=pending,
        requests_url=absolute_url("community_admin.requests"),
    )

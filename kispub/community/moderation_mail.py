"""The e-mail a member gets when a moderator silences or suspends them, or lifts either.

Queued in the outbox inside the moderator's write transaction (delivered after the commit;
a rolled-back decision mails nothing). The key names the member, the decision and its
moment, so a message is stored once and its Message-ID stays stable.
"""

from __future__ import annotations

from datetime import datetime

from flask import render_template
from flask_babel import lazy_gettext as _l

from kispub.community.models import Member
from kispub.community.services.restrictions import last_day
from kispub.core import clock
from kispub.core.mail import build_message
from kispub.core.outbox import queue_mail
from kispub.core.urls import absolute_url

SUBJECTS = {
    "silenced": _l("U hebt een schrijfverbod in de KIS-community"),
    "unsilenced": _l("Uw schrijfverbod in de KIS-community is opgeheven"),
    "suspended": _l("Uw lidmaatschap van de KIS-community is geschorst"),
    "unsuspended": _l("De schorsing van uw lidmaatschap van de KIS-community is opgeheven"),
}


def queue_sanction_mail(
    member: Member, kind: str, reason: str, until: datetime | None = None
) -> None:
    """Mail the member a moderator's decision about their account (``kind``: a SUBJECTS key)."""
    key = f"community:sanction:{member.user_id}:{kind}:{clock.now():%Y%m%dT%H%M%S%f}"
    body = render_template(
        "community/mail/sanction.txt",
        user=member.user,
        kind=kind,
        reason=reason,
        last_day=last_day(until) if until else None,
        login_url=absolute_url("accounts.login"),
    )
    queue_mail(build_message(member.user.email, str(SUBJECTS[kind]), body, key=key), key)

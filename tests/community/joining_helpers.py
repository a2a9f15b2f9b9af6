"""Helpers for the joining tests: the forms people fill in, and the links mail carries."""

from __future__ import annotations

import re
import secrets
from email.message import EmailMessage
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from kispub.community.models import MembershipEvent
from kispub.extensions import db
from tests.factories import DEFAULT_PASSWORD

JOIN = "/community/lid-worden/"
CHECK_MAIL = "/community/lid-worden/controleer-uw-e-mail"


def nonce() -> str:
    """A fresh form nonce, as the form page would hand out."""
    return secrets.token_urlsafe(18)


def request_form(**overrides: str) -> dict[str, str]:
    """A complete, valid request to join (it has no password: that comes on confirming)."""
    return {
        "name": "Noor Bakker",
        "email": "noor@example.org",
        "organisation": "Vluchtelingenwerk",
        "field_role": "professional",
        "motivation": "Ik begeleid nieuwkomers en wil ervaringen delen.",
        "nonce": nonce(),
        **overrides,
    }


def accept_form(**overrides: str) -> dict[str, str]:
    """A complete acceptance of an invitation (add ``email`` for a shared link, whose form
    has no password and ignores the one sent)."""
    return {
        "name": "Sem de Vries",
        "password": DEFAULT_PASSWORD,
        "confirm": DEFAULT_PASSWORD,
        "organisation": "Pharos",
        "field_role": "beleidsmaker",
        "nonce": nonce(),
        **overrides,
    }


def ask_to_join(client: FlaskClient, ip: str = "192.0.2.1", **overrides: str) -> TestResponse:
    """POST the request form from ``ip``."""
    return client.post(JOIN, data=request_form(**overrides), environ_base={"REMOTE_ADDR": ip})


def text(message: EmailMessage) -> str:
    """The plain-text body of a message."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def mails_to(messages: list[EmailMessage], address: str) -> list[EmailMessage]:
    """The messages addressed to ``address``."""
    return [message for message in messages if message["To"] == address]


def link(message: EmailMessage, path: str) -> str:
    """The path (on this site) of the link in ``message`` that starts with ``path``."""
    found = re.search(rf"https?://[^/\s]+({re.escape(path)}\S+)", text(message))
    assert found, f"no link to {path} in:\n{text(message)}"
    return found[1]


def verify_link(message: EmailMessage) -> str:
    """The confirmation link in a mail."""
    return link(message, "/community/lid-worden/bevestigen/")


def confirm(client: FlaskClient, path: str, password: str = DEFAULT_PASSWORD) -> TestResponse:
    """Choose a password and press the confirm button behind a confirmation link."""
    return client.post(path, data={"password": password, "confirm": password})


def can_log_in(email: str, password: str, client: FlaskClient) -> bool:
    """Whether the login form lets ``client`` in with these credentials."""
    response = client.post("/inloggen", data={"email": email, "password": password})
    return response.status_code == 302


def actions(user_id: int) -> list[str]:
    """The MembershipEvent actions about a person, oldest first."""
    db.session.expire_all()
    statement = (
        select(MembershipEvent.action)
        .where(MembershipEvent.user_id == user_id)
        .order_by(MembershipEvent.created_at, MembershipEvent.id)
    )
    return list(db.session.scalars(statement))


def events_of(**where: Any) -> list[MembershipEvent]:
    """MembershipEvents matching column values, oldest first."""
    db.session.expire_all()
    statement = select(MembershipEvent).filter_by(**where).order_by(MembershipEvent.id)
    return list(db.session.scalars(statement))

"""Alert test helpers: ask through the real form, read the mail, follow its links."""

from __future__ import annotations

import itertools
import re
from email.message import EmailMessage
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from kispub.core.nonce import new_nonce
from kispub.dossier.models import Dossier, DossierSubscription
from kispub.extensions import db

_addresses = itertools.count(1)


def ask(
    client: FlaskClient,
    dossier: Dossier,
    email: str = "noor@example.org",
    frequency: str = "immediately",
    query: str = "",
    ip: str | None = None,
) -> TestResponse:
    """Fill in "Ontvang e-mail bij nieuwe items" on the dossier's (filtered) page."""
    path = f"/dossiers/{dossier.slug}/e-mail" + (f"?{query}" if query else "")
    environ = {"REMOTE_ADDR": ip} if ip else {}
    data = {"email": email, "frequency": frequency, "nonce": new_nonce()}
    return client.post(path, data=data, environ_base=environ)


def text(message: EmailMessage) -> str:
    """The plain-text body of a message."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def mails_to(messages: list[EmailMessage], address: str) -> list[EmailMessage]:
    return [message for message in messages if message["To"] == address]


def link(message: EmailMessage, path: str) -> str:
    """The path (on this site) of the link in ``message`` that starts with ``path``."""
    found = re.search(rf"https?://[^/\s]+({re.escape(path)}\S+)", text(message))
    assert found, f"no link to {path} in:\n{text(message)}"
    return found[1]


def confirm_link(message: EmailMessage) -> str:
    return link(message, "/dossiers/e-mail/bevestigen/")


def unsubscribe_link(message: EmailMessage) -> str:
    return link(message, "/dossiers/e-mail/afmelden/")


def subscribe(
    client: FlaskClient, outbox: Any, dossier: Dossier, email: str = "noor@example.org", **kw: Any
) -> DossierSubscription:
    """Ask and confirm, as a reader does; returns the confirmed subscription."""
    assert ask(client, dossier, email, **kw).status_code == 302
    confirmation = mails_to(outbox(), email)[-1]
    assert client.post(confirm_link(confirmation)).status_code == 302
    found = subscription(dossier, email)
    assert found is not None and found.confirmed_at is not None
    return found


def subscription(dossier: Dossier, email: str) -> DossierSubscription | None:
    db.session.expire_all()
    statement = db.select(DossierSubscription).where(
        DossierSubscription.dossier_id == dossier.id, DossierSubscription.email == email
    )
    return db.session.scalars(statement).first()


def stranger(app: Flask) -> FlaskClient:
    """A client with no cookie at all, as a mail program's one-click POST arrives, from an
    address of its own (the rate limit counts per address)."""
    client = app.test_client(use_cookies=False)
    client.environ_base["REMOTE_ADDR"] = f"198.51.100.{next(_addresses) % 250 + 1}"
    return client

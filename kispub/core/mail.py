"""Composing e-mail, and handing composed bytes to SMTP or the development outbox folder.

Every message is built here (``build_message``) so that they all carry the same headers:
a Message-ID derived from a key (the same key always gives the same id, so a message
sent twice can be recognised), threading headers, ``Auto-Submitted`` and, for
notifications, one-click unsubscribe (RFC 8058). Features queue what they build with
``kispub.core.outbox.queue_mail``; the worker delivers the exact bytes with ``deliver``.
"""

from __future__ import annotations

import hashlib
import os
import smtplib
import ssl
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import formatdate, getaddresses, parseaddr
from pathlib import Path
from typing import Any

from flask import current_app
from itsdangerous import URLSafeTimedSerializer

from kispub.core import clock
from kispub.core.text import clean_line, slugify
from kispub.core.urls import absolute_url, site_domain

UNSUBSCRIBE_SALT = "kispub-unsubscribe"

# CRLF line ends as on the wire, and 7-bit transfer encodings (quoted-printable or base64
# for non-ASCII text) so that the stored bytes go through any SMTP server unchanged.
# refold_source="none": a header set with ``set_raw`` is written as it is. Only
# List-Unsubscribe is (see build_message); every other header is folded as usual.
MAIL_POLICY = policy.SMTP.clone(cte_type="7bit", refold_source="none")


@dataclass(frozen=True)
class Attachment:
    """A file attached to a message."""

    filename: str
    content: bytes
    maintype: str
    subtype: str
    params: dict[str, str] = field(default_factory=dict)


def message_id(key: str) -> str:
    """The Message-ID of the message with this key: ``<hash@site-host>``, always the same."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<{digest}@{site_domain()}>"


def build_message(
    to: str,
    subject: str,
    text: str,
    attachments: Sequence[Attachment] = (),
    *,
    key: str | None = None,
    html: str | None = None,
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    unsubscribe_url: str | None = None,
) -> EmailMessage:
    """Compose a message: text, optional HTML alternative, attachments and our headers.

    ``key`` names the message (use the outbox key): its Message-ID is derived from it.
    ``in_reply_to`` is the key of the message this one answers and ``references`` the
    keys of the thread, oldest first; both become Message-IDs. ``unsubscribe_url`` (an
    https URL carrying a signed token, see ``unsubscribe_link``) marks a notification
    and adds ``List-Unsubscribe`` with one-click ``List-Unsubscribe-Post``.
    """
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    # A header cannot carry a line break: a title with one would make the header refused
    # (a 500 after the registration was saved). The text rule makes it one line.
    message["Subject"] = clean_line(subject)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id(key or f"random:{uuid.uuid4().hex}")
    _add_thread_headers(message, in_reply_to, references)
    # RFC 3834: tells auto-responders (out-of-office) not to answer.
    message["Auto-Submitted"] = "auto-generated"
    if unsubscribe_url:
        # On one line, as mail programs read it (RFC 2369, 8058). Set as a parsed header, a
        # URL longer than a line (any with a signed token) would be folded into RFC 2047
        # encoded words, which no mail program takes for a URL.
        # set_raw checks nothing: a URL is printable ASCII without spaces, or it is refused.
        if not all(0x21 <= ord(char) <= 0x7E for char in unsubscribe_url):
            raise ValueError("an unsubscribe URL is printable ASCII without spaces")
        message.set_raw("List-Unsubscribe", f"<{unsubscribe_url}>")
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for item in attachments:
        message.add_attachment(
            item.content,
            maintype=item.maintype,
            subtype=item.subtype,
            filename=clean_line(item.filename),
            params=item.params,
        )
    return message


def _add_thread_headers(
    message: EmailMessage, in_reply_to: str | None, references: Sequence[str]
) -> None:
    chain = list(references)
    if in_reply_to and (not chain or chain[-1] != in_reply_to):
        chain.append(in_reply_to)
    if not chain:
        return
    message["In-Reply-To"] = message_id(in_reply_to or chain[-1])
    message["References"] = " ".join(message_id(key) for key in chain)


def _unsubscribe_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def make_unsubscribe_token(data: dict[str, Any]) -> str:
    """A signed token saying what to unsubscribe from, e.g. ``{"uid": 3, "list": "themes"}``."""
    return _unsubscribe_serializer().dumps(data)


def read_unsubscribe_token(token: str, max_age: int | None = None) -> dict[str, Any]:
    """The data of a valid token; raises ``itsdangerous.BadSignature`` otherwise."""
    data = _unsubscribe_serializer().loads(token, max_age=max_age)
    if not isinstance(data, dict):
        raise ValueError("not an unsubscribe token")
    return data


def unsubscribe_link(endpoint: str, data: dict[str, Any]) -> str:
    """The public URL of ``endpoint`` with a signed token for ``data`` as its ``token``."""
    return absolute_url(endpoint, token=make_unsubscribe_token(data))


def deliver(raw: bytes, recipients: Sequence[str] = ()) -> None:
    """Send composed bytes as they are: by SMTP when configured, else into the outbox folder.

    ``recipients`` is the SMTP envelope; by default the message's To and Cc addresses.
    """
    if current_app.config.get("MAIL_SERVER"):
        _send_smtp(raw, recipients)
    else:
        _write_to_outbox(raw)


def _envelope(raw: bytes) -> tuple[str, list[str]]:
    """Sender and recipients for SMTP, read from the message's own headers."""
    headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
    sender = parseaddr(str(headers.get("From", "")))[1]
    fields = [str(v) for name in ("To", "Cc") for v in headers.get_all(name, [])]
    recipients = [address for _name, address in getaddresses(fields) if address]
    return sender, recipients


def outbox_file_name(raw: bytes) -> str:
    """A name a developer finds a message by in the outbox folder, sorted by time:
    "20261207-173201_anna-example-org_welkom-bij-kis_3f9c1a2b.eml". The random end keeps two
    messages of the same second, to the same person, with the same subject apart."""
    headers = BytesHeaderParser(policy=policy.default).parsebytes(raw)
    recipient = _slug(str(headers.get("To", "")), 40) or "onbekend"
    subject = _slug(str(headers.get("Subject", "")), 60) or "zonder-onderwerp"
    moment = clock.now().astimezone(UTC).strftime("%Y%m%d-%H%M%S")
    return f"{moment}_{recipient}_{subject}_{uuid.uuid4().hex[:8]}.eml"


def _slug(text: str, length: int) -> str:
    return slugify(text)[:length].strip("-")


def _send_smtp(raw: bytes, recipients: Sequence[str]) -> None:
    config = current_app.config
    sender, from_headers = _envelope(raw)
    recipients = list(recipients) or from_headers
    timeout = config["MAIL_TIMEOUT"]
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout) as smtp:
        if config["MAIL_USE_TLS"]:
            # Check the server's certificate and name: smtplib's default context does neither,
            # and the password and every reset link travel over this connection.
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.sendmail(sender, recipients, raw)


def _write_to_outbox(raw: bytes) -> Path:
    """Write atomically, so a reader of the outbox never sees half a message."""
    outbox = Path(current_app.config["OUTBOX_DIR"])
    outbox.mkdir(parents=True, exist_ok=True)
    name = outbox_file_name(raw)
    tmp = outbox / f".{name}.tmp"
    tmp.write_bytes(raw)
    os.replace(tmp, outbox / name)
    return outbox / name

"""Queueing and reading outbox messages in tests."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage

from sqlalchemy import select

from kispub.core.database import write_transaction
from kispub.core.mail import build_message
from kispub.core.outbox import OutboxMessage, queue_mail
from kispub.extensions import db


def queue(key: str, to: str = "anna@example.org", subject: str = "Bevestiging") -> bool:
    """Queue a small message under ``key`` in a transaction of its own."""
    with write_transaction():
        return queue_mail(build_message(to, subject, "Tot dan!", key=key), key)


def outbox_row(key: str) -> OutboxMessage:
    """The stored row, read afresh (another process may have changed it)."""
    db.session.rollback()
    row = db.session.scalars(select(OutboxMessage).where(OutboxMessage.key == key)).one()
    db.session.refresh(row)
    return row


def parse(raw: bytes) -> EmailMessage:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message

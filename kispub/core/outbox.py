"""The transactional outbox: mail is stored with the change that causes it, then delivered.

``queue_mail`` writes the composed message in the caller's write transaction, so a
rolled-back change sends nothing and a committed one loses nothing. After the commit a
job delivers it: it claims the row (queued -> sending), sends the stored bytes, and marks
it sent; an SMTP error schedules another try with exponential backoff until
``MAIL_MAX_ATTEMPTS``, then the message is ``failed`` and an admin can retry it. A
periodic sweep re-queues messages a killed worker left in ``sending`` and queued ones
whose job was lost. Delivery is at least once: a worker killed after the server accepted
the message but before marking it sent sends it again, with the same Message-ID.
"""

from __future__ import annotations

import enum
import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import getaddresses

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import LargeBinary, String, Text, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from kispub import jobs
from kispub.core import clock
from kispub.core.database import (
    UTCDateTime,
    after_commit,
    in_write_transaction,
    string_enum,
    write_transaction,
)
from kispub.core.mail import deliver
from kispub.extensions import Model, db

log = logging.getLogger(__name__)

#: Errors worth another try: the server said no for now, or could not be reached.
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError)
PAGE_SIZE = 50


class OutboxStatus(enum.StrEnum):
    """Where a message is on its way out."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    OutboxStatus.QUEUED: _l("In de wachtrij"),
    OutboxStatus.SENDING: _l("Wordt verstuurd"),
    OutboxStatus.SENT: _l("Verstuurd"),
    OutboxStatus.FAILED: _l("Mislukt"),
}


class OutboxMessage(Model):
    """One composed e-mail message and how its delivery went."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)  # idempotency key
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(500))
    message: Mapped[bytes] = mapped_column(LargeBinary)  # RFC 5322 bytes, sent as they are
    status: Mapped[OutboxStatus] = mapped_column(
        string_enum(OutboxStatus), default=OutboxStatus.QUEUED, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def init_app(app: Flask) -> None:
    """Register the delivery job and the sweep (every minute, and when the worker starts)."""
    jobs.register_task(app, deliver_outbox_message)
    jobs.register_periodic(app, "outbox-sweep", jobs.crontab(), recover_outbox)
    jobs.register_periodic(app, "outbox-purge", jobs.crontab(minute="40", hour="2"), purge_sent)


def queue_mail(message: EmailMessage, key: str) -> bool:
    """Store ``message`` for delivery in the current write transaction; False if ``key`` exists.

    Call it inside ``write_transaction()``: the message is written with the change that
    causes it and its delivery job is enqueued only once that transaction commits.
    """
    if not in_write_transaction():
        raise RuntimeError("queue_mail() belongs inside the write_transaction() of its cause")
    session = db.session()
    exists = session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key))
    if exists is not None:
        return False
    now = clock.now()
    row = OutboxMessage(
        key=key,
        recipient=str(message["To"]),
        subject=str(message["Subject"]),
        message=message.as_bytes(),
        created_at=now,
        next_attempt_at=now,
    )
    try:
        # A concurrent transaction that stored the same key first (PostgreSQL) makes
        # this insert fail; the savepoint keeps the caller's own change.
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    message_id = row.id
    after_commit(lambda: jobs.enqueue(deliver_outbox_message, message_id))
    return True


def deliver_outbox_message(message_id: int) -> None:
    """Send one queued message (the job); does nothing unless it can claim the row."""
    claimed = _claim(message_id)
    if claimed is None:
        return
    raw, recipient = claimed
    try:
        deliver(raw, [address for _name, address in getaddresses([recipient])])
    except TRANSIENT_ERRORS as error:
        _record_failure(message_id, error)
    except Exception as error:
        # Not a mail server's answer but a fault in the message or in our code: trying
        # again gives the same result. Keep it for an admin, and let the worker log it.
        _record_failure(message_id, error, final=True)
        raise
    else:
        with write_transaction():
            db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id)
                .values(status=OutboxStatus.SENT, sent_at=clock.now(), last_error=None)
            )


def _claim(message_id: int) -> tuple[bytes, str] | None:
    """Queued and due -> sending, atomically: of two workers only one gets the bytes."""
    now = clock.now()
    with write_transaction() as session:
        result = session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.status == OutboxStatus.QUEUED,
                OutboxMessage.next_attempt_at <= now,
            )
            .values(
                status=OutboxStatus.SENDING,
                claimed_at=now,
                attempts=OutboxMessage.attempts + 1,
            )
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None
        row = session.execute(
            select(OutboxMessage.message, OutboxMessage.recipient).where(
                OutboxMessage.id == message_id
            )
        ).one()
        return row.message, row.recipient


def _record_failure(message_id: int, error: Exception, *, final: bool = False) -> None:
    """Keep the error; try again later with exponential backoff, or give up."""
    config = current_app.config
    with write_transaction() as session:
        row = session.get(OutboxMessage, message_id)
        if row is None:
            return
        row.last_error = f"{type(error).__name__}: {error}"[:2000]
        row.claimed_at = None
        if final or row.attempts >= config["MAIL_MAX_ATTEMPTS"]:
            row.status = OutboxStatus.FAILED
            log.error("giving up on outbox message %s: %s", message_id, row.last_error)
            return
        delay = config["MAIL_RETRY_DELAY"] * 2 ** (row.attempts - 1)
        row.status = OutboxStatus.QUEUED
        row.next_attempt_at = clock.now() + timedelta(seconds=delay)
        eta = row.next_attempt_at
        after_commit(lambda: jobs.enqueue(deliver_outbox_message, message_id, eta=eta))


def recover_outbox() -> int:
    """Re-queue what a killed worker left in ``sending`` and queued mail whose job was lost.

    Both are older than ``OUTBOX_STALE_AFTER`` seconds; returns how many jobs were enqueued.
    A message interrupted on its last allowed attempt is marked failed instead.
    """
    now = clock.now()
    stale = now - timedelta(seconds=current_app.config["OUTBOX_STALE_AFTER"])
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    with write_transaction() as session:
        interrupted = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < stale
            )
        ).all()
        lost = session.scalars(
            select(OutboxMessage.id).where(
                OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.next_attempt_at < stale
            )
        ).all()
        ids = list(lost)
        for row in interrupted:
            row.claimed_at = None
            row.last_error = "Verzending onderbroken: de worker stopte tijdens het versturen"
            if row.attempts >= max_attempts:
                row.status = OutboxStatus.FAILED
            else:
                row.status, row.next_attempt_at = OutboxStatus.QUEUED, now
                ids.append(row.id)
        after_commit(lambda: _enqueue_all(ids))
    return len(ids)


def _enqueue_all(ids: list[int]) -> None:
    for message_id in ids:
        jobs.enqueue(deliver_outbox_message, message_id)


def purge_sent() -> int:
    """Delete messages sent more than ``OUTBOX_KEEP_DAYS`` ago; returns how many.

    A sent message holds personal data and live links (a password reset, a registration's
    cancellation link); once delivered, the outbox has no reason to keep it.
    """
    cutoff = clock.now() - timedelta(days=current_app.config["OUTBOX_KEEP_DAYS"])
    with write_transaction() as session:
        result = session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.status == OutboxStatus.SENT, OutboxMessage.sent_at < cutoff
            )
        )
    return int(getattr(result, "rowcount", 0))


def forget_messages(key_prefix: str) -> int:
    """Delete stored messages whose key starts with ``key_prefix``; returns how many.

    For when their cause is deleted for privacy (AVG): the messages hold the same personal
    data. Call it inside the write transaction that deletes the cause. A message a worker is
    sending right now is left to finish; the outbox purge removes it later.
    """
    if not in_write_transaction():
        raise RuntimeError("forget_messages() belongs inside the write_transaction() of its cause")
    escaped = key_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    result = db.session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.key.like(f"{escaped}%", escape="\\"),
            OutboxMessage.status != OutboxStatus.SENDING,
        )
    )
    return int(getattr(result, "rowcount", 0))


def forget_messages_to(address: str) -> int:
    """Delete stored messages to ``address`` (any letter case); returns how many.

    For an erased account (AVG): whatever feature queued them, mail to the person's address
    holds their data. Call it inside the write transaction of the erasure. A message a
    worker is sending right now is left to finish; the outbox purge removes it later.
    """
    if not in_write_transaction():
        raise RuntimeError(
            "forget_messages_to() belongs inside the write_transaction() of its cause"
        )
    address = address.strip().lower()
    escaped = address.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    recipient = func.lower(OutboxMessage.recipient)
    result = db.session.execute(
        delete(OutboxMessage).where(
            # A bare address, or "Name <address>" as build_message may have been given it.
            (recipient == address) | recipient.like(f"%<{escaped}>", escape="\\"),
            OutboxMessage.status != OutboxStatus.SENDING,
        )
    )
    return int(getattr(result, "rowcount", 0))


def retry_message(message_id: int) -> bool:
    """Queue a failed message again with a fresh set of attempts; False if it is not failed."""
    with write_transaction() as session:
        row = session.get(OutboxMessage, message_id)
        if row is None or row.status is not OutboxStatus.FAILED:
            return False
        row.status = OutboxStatus.QUEUED
        row.attempts = 0
        row.next_attempt_at = clock.now()
        after_commit(lambda: jobs.enqueue(deliver_outbox_message, message_id))
    return True


@dataclass(frozen=True)
class OutboxPage:
    """One page of the outbox, newest first."""

    messages: list[OutboxMessage]
    number: int
    pages: int
    total: int


def outbox_page(number: int, per_page: int = PAGE_SIZE) -> OutboxPage:
    """Messages for the admin page, newest first."""
    total = db.session.scalar(select(func.count(OutboxMessage.id))) or 0
    pages = max(1, -(-total // per_page))
    rows = db.session.scalars(
        select(OutboxMessage)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(per_page)
        .offset((number - 1) * per_page)
    )
    return OutboxPage(list(rows), number, pages, total)

"""The outbox in one process: jobs run at once (JOBS_IMMEDIATE), SMTP to a loopback server."""

from __future__ import annotations

import logging
import ssl
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from kispub.core import clock
from kispub.core.database import write_transaction
from kispub.core.mail import build_message
from kispub.core.outbox import (
    OutboxMessage,
    OutboxStatus,
    deliver_outbox_message,
    purge_sent,
    queue_mail,
    recover_outbox,
)
from kispub.extensions import db
from kispub.jobs import huey_of
from kispub.themes.models import Theme
from tests.jobs.conftest import SMTPServer, allow_smtp_to, free_port
from tests.jobs.helpers import outbox_row, parse, queue


def _count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(OutboxMessage.id))) or 0


def test_same_key_twice_is_one_message(app: Flask, outbox) -> None:
    assert queue("welkom:1") is True
    assert queue("welkom:1", subject="Nog eens") is False
    assert _count() == 1
    [sent] = outbox()
    assert sent["Subject"] == "Bevestiging"
    assert outbox_row("welkom:1").status is OutboxStatus.SENT


def test_a_rolled_back_change_queues_no_message_and_no_job(make_app, tmp_path) -> None:
    queued = make_app(JOBS_IMMEDIATE=False, JOBS_SQLITE_PATH=str(tmp_path / "q.sqlite3"))
    with queued.app_context():
        huey = huey_of(queued)
        with pytest.raises(RuntimeError, match="stop"), write_transaction() as session:
            session.add(Theme(slug="weg", name="Weg", description=""))
            queue_mail(build_message("a@example.org", "X", "x", key="weg"), "weg")
            raise RuntimeError("stop")
        assert _count() == 0 and huey.pending_count() == 0
        queue("blijft")
        assert _count() == 1 and huey.pending_count() == 1  # the job waits for a worker


def test_queue_mail_outside_a_write_transaction_is_refused(app: Flask) -> None:
    with pytest.raises(RuntimeError, match="write_transaction"):
        queue_mail(build_message("a@example.org", "X", "x", key="los"), "los")


@pytest.fixture
def smtp_app(app: Flask, allow_smtp: SMTPServer) -> Flask:
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=allow_smtp.port,
        MAIL_USE_TLS=False,
        MAIL_MAX_ATTEMPTS=2,
        MAIL_RETRY_DELAY=60,
    )
    return app


def test_delivery_sends_the_stored_bytes_once(smtp_app: Flask, allow_smtp: SMTPServer) -> None:
    queue("bevestiging:1")
    row = outbox_row("bevestiging:1")
    assert row.status is OutboxStatus.SENT and row.attempts == 1 and row.sent_at is not None
    [received] = allow_smtp.handler.accepted
    assert received.rstrip(b"\r\n") == row.message.rstrip(b"\r\n")
    assert parse(received)["Message-ID"] == parse(row.message)["Message-ID"]
    deliver_outbox_message(row.id)  # a duplicate job finds nothing to claim
    assert len(allow_smtp.handler.accepted) == 1


def test_refusal_is_retried_later_then_fails_with_the_error(
    smtp_app: Flask, allow_smtp: SMTPServer
) -> None:
    allow_smtp.handler.reply = "451 4.3.0 Probeer het later"
    before = clock.now()
    queue("later:1")
    row = outbox_row("later:1")
    assert row.status is OutboxStatus.QUEUED and row.attempts == 1
    assert "451" in (row.last_error or "")
    assert row.next_attempt_at >= before + timedelta(seconds=60)  # MAIL_RETRY_DELAY
    deliver_outbox_message(row.id)  # not due yet: nothing happens
    assert len(allow_smtp.handler.attempts) == 1
    _make_due(row.id)
    allow_smtp.handler.reply = "550 5.1.1 Onbekende ontvanger"
    deliver_outbox_message(row.id)
    row = outbox_row("later:1")
    assert row.status is OutboxStatus.FAILED and row.attempts == 2
    assert "550" in (row.last_error or "") and allow_smtp.handler.accepted == []


def test_a_message_that_cannot_be_sent_fails_at_once_and_others_go_on(
    smtp_app: Flask, allow_smtp: SMTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    # smtplib speaks ASCII only: an internationalised address makes the job raise.
    queue("poison", to="jürgen@example.org")
    queue("gezond")
    poison = outbox_row("poison")
    assert poison.status is OutboxStatus.FAILED and poison.attempts == 1
    assert "UnicodeEncodeError" in (poison.last_error or "")
    assert outbox_row("gezond").status is OutboxStatus.SENT
    assert len(allow_smtp.handler.accepted) == 1
    assert "Unhandled exception in task" in caplog.text  # the job did raise, and was logged


def test_a_mail_server_that_is_down_is_a_reason_to_retry(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    allow_smtp_to(monkeypatch, port)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
    queue("down:1")
    row = outbox_row("down:1")
    assert row.status is OutboxStatus.QUEUED and "ConnectionRefusedError" in (row.last_error or "")


def test_starttls_refuses_a_server_whose_certificate_it_cannot_verify(
    app: Flask, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server = SMTPServer(tls_context=context)  # a self-signed certificate: anyone could make one
    try:
        allow_smtp_to(monkeypatch, server.port)
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_USE_TLS=True)
        queue("tls:1")
        row = outbox_row("tls:1")
        assert row.status is OutboxStatus.QUEUED
        assert "CERTIFICATE_VERIFY_FAILED" in (row.last_error or "")
        assert server.handler.accepted == []
    finally:
        server.stop()


def test_sweep_requeues_stale_claims_and_gives_up_after_the_last_attempt(
    app: Flask, outbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    app.config["JOBS_IMMEDIATE"] = True
    old = clock.now() - timedelta(seconds=app.config["OUTBOX_STALE_AFTER"] + 1)
    for key in ("stale", "stale-last", "fresh", "lost"):
        with write_transaction():
            message = build_message("a@example.org", key, "x", key=key)
            db.session.add(
                OutboxMessage(
                    key=key, recipient="a@example.org", subject=key, message=message.as_bytes()
                )
            )
    _set("stale", status=OutboxStatus.SENDING, claimed_at=old, attempts=1)
    _set("stale-last", status=OutboxStatus.SENDING, claimed_at=old, attempts=5)
    _set("fresh", status=OutboxStatus.SENDING, claimed_at=clock.now(), attempts=1)
    _set("lost", next_attempt_at=old)  # queued long ago, its job never ran
    assert recover_outbox() == 2
    assert outbox_row("stale").status is OutboxStatus.SENT
    assert outbox_row("stale").attempts == 2
    assert outbox_row("lost").status is OutboxStatus.SENT
    assert outbox_row("stale-last").status is OutboxStatus.FAILED
    assert "onderbroken" in (outbox_row("stale-last").last_error or "")
    assert outbox_row("fresh").status is OutboxStatus.SENDING  # may still be on its way
    assert sorted(m["Subject"] for m in outbox()) == ["lost", "stale"]


def test_sent_mail_is_purged_after_the_keeping_period_and_nothing_else(app: Flask) -> None:
    keep = timedelta(days=app.config["OUTBOX_KEEP_DAYS"])
    for key in ("oud", "recent", "mislukt", "wachtend"):
        queue(key)  # delivered at once into the outbox folder (immediate jobs)
    _set("oud", sent_at=clock.now() - keep - timedelta(minutes=1))
    _set("mislukt", status=OutboxStatus.FAILED, sent_at=None, created_at=clock.now() - 2 * keep)
    _set("wachtend", status=OutboxStatus.QUEUED, sent_at=None, created_at=clock.now() - 2 * keep)
    assert purge_sent() == 1
    remaining = set(db.session.scalars(select(OutboxMessage.key)))
    assert remaining == {"recent", "mislukt", "wachtend"}  # undelivered mail is never dropped


def test_accounts_mail_is_queued_with_its_cause(client: FlaskClient, outbox) -> None:
    from tests.factories import make_user

    user = make_user(email="anna@example.org")
    client.post("/wachtwoord-vergeten", data={"email": "anna@example.org"})
    [row] = db.session.scalars(select(OutboxMessage)).all()
    assert row.key.startswith(f"password-reset:{user.id}:") and row.status is OutboxStatus.SENT
    assert parse(outbox()[0].as_bytes())["Message-ID"] == parse(row.message)["Message-ID"]


def test_an_invitation_that_fails_sends_nothing(app: Flask, outbox) -> None:
    from kispub.accounts.services import AccountError, NewUser, invite_user

    invite_user(NewUser(email="nieuw@example.org", name="Nieuw", made_by_staff=True))
    with pytest.raises(AccountError):
        invite_user(NewUser(email="NIEUW@example.org", name="Dubbel"))
    assert _count() == 1 and len(outbox()) == 1
    assert outbox()[0]["To"] == "nieuw@example.org"


def _make_due(message_id: int) -> None:
    with write_transaction():
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(next_attempt_at=clock.now() - timedelta(seconds=1))
        )


def _set(key: str, **values: object) -> None:
    with write_transaction():
        db.session.execute(update(OutboxMessage).where(OutboxMessage.key == key).values(**values))

"""Reliability with real parts: `flask --app kispub worker` processes, SMTP on loopback.

Each test runs on the queue storages it names (a SQLite file, Redis), on the suite's
database (SQLite or PostgreSQL), with short retry delays.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kispub.core import clock
from kispub.core.database import write_transaction
from kispub.core.mail import build_message
from kispub.core.outbox import OutboxMessage, OutboxStatus, queue_mail
from kispub.extensions import db
from tests.jobs.conftest import FAST_RETRIES, SMTPServer, free_port, wait_for, worker_config
from tests.jobs.helpers import outbox_row, parse, queue

pytestmark = pytest.mark.slow


@pytest.fixture
def app_config(
    app_config: dict[str, Any], queue_storage: dict[str, Any], smtp_server: SMTPServer
) -> dict[str, Any]:
    """Jobs go to the queue (no immediate mode) and mail to the loopback server."""
    return worker_config(app_config, queue_storage, smtp_server)


def _status_is(key: str, status: OutboxStatus) -> OutboxMessage | None:
    row = outbox_row(key)
    return row if row.status is status else None


@pytest.mark.parametrize(
    ("queue_storage", "cause"),
    [("sqlite", "451"), ("redis", "550"), ("sqlite", "down")],
    indirect=["queue_storage"],
)
def test_refused_mail_is_retried_with_backoff_then_failed_and_an_admin_retry_delivers_it(
    app: Flask,
    client: FlaskClient,
    login_as,
    make_worker,
    smtp_server: SMTPServer,
    app_config: dict[str, Any],
    cause: str,
) -> None:
    handler = smtp_server.handler
    config = dict(app_config)
    if cause == "down":
        config["MAIL_PORT"] = free_port()  # nothing listens there
    else:
        handler.reply = f"{cause} {cause[0]}.0.0 Niet nu"
    queue("herhaal")
    first = make_worker(config)
    first.start()
    failed = wait_for(lambda: _status_is("herhaal", OutboxStatus.FAILED), 30, "failed")
    assert failed.attempts == 3, first.output()
    expected = "ConnectionRefusedError" if cause == "down" else cause
    assert expected in (failed.last_error or "")
    if cause != "down":
        times = handler.attempts
        assert len(times) == 3
        assert times[1] - times[0] >= 0.2 and times[2] - times[1] >= 0.4  # doubling delays
    assert handler.accepted == []
    first.stop()

    handler.reply = "250 OK"
    make_worker(app_config).start()
    login_as(role="admin")
    assert client.post(f"/beheer/outbox/{failed.id}/opnieuw").status_code == 302
    sent = wait_for(lambda: _status_is("herhaal", OutboxStatus.SENT), 30, "sent")
    [received] = handler.accepted
    assert parse(received)["Message-ID"] == parse(sent.message)["Message-ID"]


@pytest.mark.parametrize("queue_storage", ["sqlite"], indirect=True)
def test_a_job_that_raises_does_not_stop_the_others(
    app: Flask, make_worker, smtp_server: SMTPServer, app_config: dict[str, Any]
) -> None:
    queue("poison", to="jürgen@example.org")  # smtplib raises UnicodeEncodeError
    assert queue("goed:1") is True
    assert queue("goed:1", subject="dubbel") is False  # same key: still one message
    queue("goed:2")
    with pytest.raises(RuntimeError), write_transaction():
        queue_mail(build_message("a@example.org", "Weg", "x", key="weg"), "weg")
        raise RuntimeError("rolled back")
    _queued_without_a_job("verloren")  # as if the web process died before enqueueing
    worker = make_worker(app_config)
    worker.start()
    for key in ("goed:1", "goed:2", "verloren"):
        wait_for(partial(_status_is, key, OutboxStatus.SENT), 30, key)
    poison = wait_for(lambda: _status_is("poison", OutboxStatus.FAILED), 10, "poison failed")
    assert "UnicodeEncodeError" in (poison.last_error or "")
    time.sleep(0.5)  # room for any duplicate delivery to show up
    subjects = sorted(parse(raw)["Subject"] for raw in smtp_server.handler.accepted)
    assert subjects == ["Bevestiging", "Bevestiging", "Bevestiging"]
    assert worker.process is not None and worker.process.poll() is None
    assert "Unhandled exception in task" in worker.output()


@pytest.mark.parametrize("queue_storage", ["sqlite", "redis"], indirect=True)
def test_a_worker_killed_during_a_send_delivers_exactly_once_after_restart(
    app: Flask, make_worker, smtp_server: SMTPServer, app_config: dict[str, Any]
) -> None:
    handler = smtp_server.handler
    handler.stall_next.set()  # the first conversation hangs at RCPT, before any DATA
    queue("eenmaal")
    first = make_worker(app_config)
    first.start()
    assert handler.stalled.wait(30), first.output()
    assert outbox_row("eenmaal").status is OutboxStatus.SENDING
    first.kill()
    handler.release.set()
    stale = timedelta(seconds=FAST_RETRIES["OUTBOX_STALE_AFTER"])
    wait_for(lambda: _claimed_before("eenmaal", clock.now() - stale), 5, "stale claim")
    make_worker(app_config).start()  # its sweep at start re-queues the claim
    sent = wait_for(lambda: _status_is("eenmaal", OutboxStatus.SENT), 30, "sent")
    time.sleep(1)  # room for a duplicate to show up
    assert len(handler.accepted) == 1
    assert sent.attempts == 2
    assert parse(handler.accepted[0])["Message-ID"] == parse(sent.message)["Message-ID"]


def _claimed_before(key: str, moment: datetime) -> bool:
    claimed_at = outbox_row(key).claimed_at
    return claimed_at is not None and claimed_at < moment


def _queued_without_a_job(key: str) -> None:
    long_ago = clock.now() - timedelta(minutes=5)
    message = build_message("a@example.org", "Bevestiging", "Tot dan!", key=key)
    with write_transaction() as session:
        session.add(
            OutboxMessage(
                key=key,
                recipient="a@example.org",
                subject="Bevestiging",
                message=message.as_bytes(),
                created_at=long_ago,
                next_attempt_at=long_ago,
            )
        )
    db.session.rollback()

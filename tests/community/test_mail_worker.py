"""Notification mail end to end: the delayed job goes into the real queue, a real worker
process runs it when due and delivers the mail to a real SMTP server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from kispub.community.mailing import post_message_key
from kispub.community.models import EmailMode, Notification, NotificationKind, Post
from kispub.community.services.posting import reply
from kispub.core.mail import message_id
from kispub.extensions import db
from tests.community.discussion_helpers import make_thread
from tests.community.helpers import make_member
from tests.community.mail_helpers import member_with_mode, notifications_by_hand, notify
from tests.jobs.conftest import SMTPServer, Worker, wait_for
from tests.jobs.helpers import parse

# Each test makes its notifications itself (the fan-out stays out; see mail_helpers).
pytestmark = pytest.mark.usefixtures(notifications_by_hand.__name__)

pytestmark = pytest.mark.slow


@pytest.fixture
def smtp_server() -> Iterator[SMTPServer]:
    server = SMTPServer()
    yield server
    server.stop()


@pytest.fixture
def app_config(
    app_config: dict[str, Any], smtp_server: SMTPServer, tmp_path: Path
) -> dict[str, Any]:
    """Jobs go to a queue file a worker reads; mail to the loopback server; no delay."""
    return {
        **app_config,
        "JOBS_IMMEDIATE": False,
        "REDIS_URL": None,
        "JOBS_SQLITE_PATH": str(tmp_path / "queue.sqlite3"),
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_server.port,
        "MAIL_USE_TLS": False,
        "MAIL_TIMEOUT": 10,
        # The worker honours the eta; a real delay is tested with a frozen clock elsewhere.
        "COMMUNITY_MAIL_DELAY_MINUTES": 0,
    }


@pytest.fixture
def worker(app_config: dict[str, Any], tmp_path: Path) -> Iterator[Worker]:
    instance = tmp_path / "worker-instance"
    instance.mkdir()
    process = Worker(app_config, instance, tmp_path / "worker.log")
    yield process
    process.stop()


def test_a_real_worker_sends_the_mail_when_due_and_records_it(
    app: Flask, smtp_server: SMTPServer, worker: Worker
) -> None:
    anna = make_member(name="Anna de Vries")
    bram = member_with_mode(EmailMode.IMMEDIATE, email="bram@example.org")
    thread = make_thread(anna, title="Nieuwkomers en vrijwilligerswerk")
    first = db.session.scalars(db.select(Post).where(Post.thread_id == thread.id)).one()
    post = reply(anna, thread.id, "Wat denkt @bram?")
    notification = notify(bram, NotificationKind.MENTION, post, anna)
    assert smtp_server.handler.accepted == []  # nothing is sent from the request

    worker.start()
    raw = wait_for(lambda: smtp_server.handler.accepted, 30, "the notification mail")
    message = parse(raw[0])
    assert message["To"] == "bram@example.org"
    assert message["Message-ID"] == message_id(post_message_key(post.id))
    assert message["In-Reply-To"] == message_id(post_message_key(first.id))
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    def recorded() -> datetime | None:
        db.session.rollback()
        row = db.session.get(Notification, notification.id)
        return row.emailed_at if row else None

    emailed_at = wait_for(recorded, 10, "emailed_at")
    assert emailed_at <= datetime.now(UTC)
    assert len(smtp_server.handler.accepted) == 1, worker.output()

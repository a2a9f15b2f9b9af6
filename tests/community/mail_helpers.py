"""Builders for the e-mail tests: members with a mode, notifications, delayed jobs run on time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask

from kispub.accounts.models import User
from kispub.community.mailing import notification_created
from kispub.community.models import EmailMode, Notification, NotificationKind, Post, Thread
from kispub.community.services import notifying
from kispub.community.services.email_settings import set_email_mode
from kispub.core.database import write_transaction
from kispub.extensions import db
from kispub.jobs import huey_of
from tests.community.helpers import make_member

__all__ = [
    "member_with_mode",
    "notifications_by_hand",
    "notify",
    "run_scheduled",
    "scheduled_count",
]


@pytest.fixture
def notifications_by_hand(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests make each notification themselves (``notify``), so that one mail rule at a
    time is under test: the worker's fan-out after a post stays out of the way.
    tests/community/test_mailing.py has one test through the real fan-out."""
    monkeypatch.setattr(notifying, "queue_fan_out", lambda *args, **kwargs: None)


def member_with_mode(mode: EmailMode, **overrides: Any) -> User:
    """An approved member who chose ``mode``."""
    user = make_member(**overrides)
    set_email_mode(user.id, mode)
    return user


def notify(user: User, kind: NotificationKind, post: Post, actor: User) -> Notification:
    """A notification as the notifications work stores it, with the mailing call inside."""
    with write_transaction() as session:
        thread = session.get(Thread, post.thread_id)
        assert thread is not None
        notification = Notification(
            user_id=user.id,
            kind=kind,
            actor_id=actor.id,
            actor_name=actor.name,
            thread_id=thread.id,
            thread_title=thread.title,
            post_id=post.id,
            post_number=post.number,
        )
        session.add(notification)
        session.flush()
        notification_created(notification)
    return notification


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def run_scheduled(app: Flask, at: datetime) -> int:
    """Run the jobs enqueued with an eta that is due at ``at``, as the worker would then.

    The tests run jobs immediately (JOBS_IMMEDIATE): a job with a later eta waits in the
    queue's in-memory schedule until this takes it out. The task runs as the worker runs it
    (in an app context of its own), but an error is raised rather than logged. Returns how
    many ran.
    """
    due = huey_of(app).read_schedule(_naive_utc(at))
    for task in due:
        task.execute()
    db.session.rollback()  # the test's session sees what the jobs committed
    return len(due)


def scheduled_count(app: Flask) -> int:
    """Jobs waiting in the schedule."""
    return int(huey_of(app).scheduled_count())

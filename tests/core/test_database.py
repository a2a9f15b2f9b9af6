"""Write transactions under concurrency, and UTC datetimes on both backends."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
from flask import Flask
from sqlalchemy import select

from kispub.core.database import after_commit, write_transaction
from kispub.extensions import db
from kispub.themes.models import Theme
from tests.factories import make_theme, make_user


def test_concurrent_read_modify_write_loses_no_update(app: Flask) -> None:
    """Each thread reads a counter and writes it back + 1: only the write lock keeps all updates.

    With a deferred SQLite transaction this fails ("database is locked" on the lock upgrade);
    on PostgreSQL the row lock does the same job.
    """
    theme = make_theme("Teller")
    theme_id, threads, rounds = theme.id, 6, 5
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def work() -> None:
        with app.app_context():
            try:
                barrier.wait()
                for _ in range(rounds):
                    with write_transaction() as session:
                        row = session.execute(
                            select(Theme).where(Theme.id == theme_id).with_for_update()
                        ).scalar_one()
                        row.position = row.position + 1
            except BaseException as error:  # collected and asserted below
                errors.append(error)
            finally:
                db.session.remove()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    db.session.rollback()  # end this session's read snapshot before looking
    assert db.session.get(Theme, theme_id).position == threads * rounds


def test_write_transaction_rolls_back_on_error(app: Flask) -> None:
    with pytest.raises(RuntimeError), write_transaction() as session:
        session.add(Theme(slug="weg", name="Weg", description=""))
        session.flush()
        raise RuntimeError("stop")
    assert db.session.scalars(select(Theme).where(Theme.slug == "weg")).first() is None


def test_datetimes_come_back_aware_in_utc(app: Flask) -> None:
    user = make_user()
    amsterdam = timezone(timedelta(hours=1))
    with write_transaction():
        user.last_login_at = datetime(2020, 11, 24, 14, 0, tzinfo=amsterdam)
    db.session.expire_all()
    assert user.last_login_at == datetime(2020, 11, 24, 13, 0, tzinfo=UTC)
    assert user.last_login_at.tzinfo is UTC


def test_naive_datetimes_are_refused(app: Flask) -> None:
    user = make_user()
    with pytest.raises(Exception, match="naive datetime"), write_transaction():
        user.last_login_at = datetime(2020, 11, 24, 14, 0)  # naive on purpose


def test_after_commit_runs_once_the_outer_transaction_commits(app: Flask) -> None:
    ran: list[str] = []
    with write_transaction() as session:
        session.add(Theme(slug="na", name="Na", description=""))
        after_commit(lambda: ran.append("outer"))
        with write_transaction():
            after_commit(lambda: ran.append("nested"))
        assert ran == []  # nothing before the commit, not even for the nested unit
    assert ran == ["outer", "nested"]
    with write_transaction():
        pass
    assert ran == ["outer", "nested"]  # callbacks run once, not again with the next unit


def test_after_commit_callbacks_are_dropped_on_rollback(app: Flask) -> None:
    ran: list[str] = []
    with pytest.raises(RuntimeError, match="stop"), write_transaction():
        after_commit(lambda: ran.append("rolled back"))
        raise RuntimeError("stop")
    with write_transaction():
        after_commit(lambda: ran.append("committed"))
    assert ran == ["committed"]


def test_after_commit_needs_a_write_transaction(app: Flask) -> None:
    with pytest.raises(RuntimeError, match="write_transaction"):
        after_commit(lambda: None)


def test_a_failing_callback_is_logged_and_the_others_still_run(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    ran: list[str] = []

    def broken() -> None:
        raise ValueError("kapot")

    with write_transaction():
        after_commit(broken)
        after_commit(lambda: ran.append("next"))
    assert ran == ["next"]
    assert "after-commit callback" in caplog.text and "kapot" in caplog.text

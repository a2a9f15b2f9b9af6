"""A form nonce makes a double submit create one row, also when both arrive at once."""

from __future__ import annotations

import threading

from flask import Flask
from sqlalchemy import func, select

from kispub.core.nonce import submit_once
from kispub.extensions import db
from kispub.themes.models import Theme


def _create_theme(name: str) -> str:
    db.session.add(Theme(slug=name.lower(), name=name, description=""))
    return f"/themas/{name.lower()}"


def test_second_submit_returns_the_first_result(app: Flask) -> None:
    first = submit_once("nonce-" + "a" * 20, lambda: _create_theme("Eerste"))
    second = submit_once("nonce-" + "a" * 20, lambda: _create_theme("Tweede"))
    assert (first.duplicate, second.duplicate) == (False, True)
    assert second.result_url == first.result_url == "/themas/eerste"
    assert db.session.scalar(select(func.count()).select_from(Theme)) == 1


def test_simultaneous_submits_create_one_row(app: Flask) -> None:
    threads = 6
    barrier = threading.Barrier(threads)
    outcomes, errors = [], []

    def submit(n: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                outcomes.append(
                    submit_once("gelijktijdig-" + "b" * 20, lambda: _create_theme(f"T{n}"))
                )
            except BaseException as error:  # collected and asserted below
                errors.append(error)
            finally:
                db.session.remove()

    workers = [threading.Thread(target=submit, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert sorted(o.duplicate for o in outcomes) == [False] + [True] * (threads - 1)
    assert len({o.result_url for o in outcomes}) == 1
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Theme)) == 1

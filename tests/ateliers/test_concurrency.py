"""Registration under concurrency, against the real database (SQLite file or PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import select

from kispub.ateliers.models import Registration, RegistrationStatus
from kispub.ateliers.services.registration import AlreadyRegistered
from kispub.extensions import db
from tests.ateliers.helpers import make_atelier, register

THREADS = 8


def run_at_once(app: Flask, attempt: Callable[[int], Any]) -> tuple[list[Any], list[Exception]]:
    """Run ``attempt(n)`` in THREADS threads, each in its own app context, released together."""
    barrier = threading.Barrier(THREADS)
    results: list[Any] = []
    errors: list[Exception] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                outcome = attempt(n)
                with lock:
                    results.append(outcome)
            except Exception as error:
                with lock:
                    errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results, errors


def stored_statuses(atelier_id: int) -> list[RegistrationStatus]:
    db.session.rollback()  # a fresh snapshot after the threads committed
    statement = select(Registration.status).where(Registration.atelier_id == atelier_id)
    return sorted(db.session.scalars(statement))


def test_the_last_seat_goes_to_exactly_one(app: Flask) -> None:
    atelier_id = make_atelier(capacity=1).id

    def attempt(n: int) -> RegistrationStatus:
        return register(atelier_id, f"persoon{n}@example.org").status

    results, errors = run_at_once(app, attempt)

    assert errors == []
    assert sorted(results) == [RegistrationStatus.REGISTERED] + [RegistrationStatus.WAITLISTED] * 7
    assert stored_statuses(atelier_id) == sorted(results)


def test_two_free_seats_go_to_exactly_two(app: Flask) -> None:
    atelier_id = make_atelier(capacity=3).id
    register(atelier_id, "al-binnen@example.org")

    def attempt(n: int) -> RegistrationStatus:
        return register(atelier_id, f"persoon{n}@example.org").status

    results, errors = run_at_once(app, attempt)

    assert errors == []
    assert results.count(RegistrationStatus.REGISTERED) == 2
    assert stored_statuses(atelier_id).count(RegistrationStatus.REGISTERED) == 3


def test_the_same_address_at_once_registers_once(app: Flask) -> None:
    atelier_id = make_atelier(capacity=5).id

    def attempt(n: int) -> RegistrationStatus:
        return register(atelier_id, "dezelfde@example.org").status

    results, errors = run_at_once(app, attempt)

    assert results == [RegistrationStatus.REGISTERED]
    assert len(errors) == THREADS - 1
    assert all(isinstance(error, AlreadyRegistered) for error in errors)
    assert stored_statuses(atelier_id) == [RegistrationStatus.REGISTERED]

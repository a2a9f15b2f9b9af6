"""Editors' attendee changes and public sign-ups at the same moment, on the real database."""

from __future__ import annotations

from flask import Flask

from kispub.ateliers.models import RegistrationStatus
from kispub.ateliers.services.attendees import add_attendee, remove_attendee
from kispub.ateliers.services.registration import RegistrationData, sign_up
from tests.ateliers.helpers import make_atelier, register
from tests.ateliers.test_concurrency import THREADS, run_at_once, stored_statuses


def test_editors_and_visitors_at_once_fill_the_last_seat_once(app: Flask) -> None:
    atelier_id = make_atelier(capacity=1).id

    def attempt(n: int) -> RegistrationStatus:
        data = RegistrationData(name=f"Persoon {n}", email=f"persoon{n}@example.org")
        if n % 2:
            return add_attendee(atelier_id, data).status
        return sign_up(atelier_id, data).status

    results, errors = run_at_once(app, attempt)

    assert errors == []
    assert results.count(RegistrationStatus.REGISTERED) == 1
    assert stored_statuses(atelier_id).count(RegistrationStatus.REGISTERED) == 1


def test_a_seat_freed_while_others_register_goes_to_exactly_one(app: Flask) -> None:
    atelier_id = make_atelier(capacity=1).id
    seated = register(atelier_id, "zit@example.org")
    register(atelier_id, "wacht@example.org")

    def attempt(n: int) -> object:
        if n == 0:
            return remove_attendee(atelier_id, seated.id)
        return register(atelier_id, f"persoon{n}@example.org").status

    _results, errors = run_at_once(app, attempt)

    assert errors == []
    statuses = stored_statuses(atelier_id)
    assert statuses.count(RegistrationStatus.REGISTERED) == 1
    assert len(statuses) == THREADS  # the one removed, the one who waited, seven newcomers


def test_the_same_address_at_once_registers_once_and_nobody_sees_an_error(app: Flask) -> None:
    atelier_id = make_atelier(capacity=3).id

    def attempt(n: int) -> RegistrationStatus:
        return sign_up(atelier_id, RegistrationData(name="Anna", email="anna@example.org")).status

    results, errors = run_at_once(app, attempt)

    assert errors == []
    assert results == [RegistrationStatus.REGISTERED] * THREADS
    assert stored_statuses(atelier_id) == [RegistrationStatus.REGISTERED]

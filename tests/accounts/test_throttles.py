"""Throttles on every password check and on reset mail, against real limiter storage.

Each test runs with Flask-Limiter's memory storage and again with Redis (database 5),
which is what production uses with several worker processes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from kispub.accounts.devices import COOKIE_NAME
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.processes import redis_reachable

REDIS_URI = "redis://127.0.0.1:6379/5"


@pytest.fixture(params=["memory", "redis"])
def app_config(app_config: dict[str, Any], request: pytest.FixtureRequest) -> dict[str, Any]:
    if request.param == "redis":
        if not redis_reachable():
            pytest.skip("no Redis on 127.0.0.1:6379")
        # Flask-Limiter keeps the first RATELIMIT_KEY_PREFIX it is given for good, so a fresh
        # prefix per test would not separate the tests: empty the database instead (db 5 is
        # this suite's own).
        redis.Redis.from_url(REDIS_URI).flushdb()
        app_config["RATELIMIT_STORAGE_URI"] = REDIS_URI
    return app_config


def _from(app: Flask, address: str) -> Callable[..., TestResponse]:
    """POST as a fresh browser at ``address``."""
    client = app.test_client()

    def post(path: str, data: dict[str, str]) -> TestResponse:
        return client.post(path, data=data, environ_base={"REMOTE_ADDR": address})

    return post


def test_reset_mail_is_limited_per_address_across_ip_addresses(app: Flask, outbox) -> None:
    make_user(email="anna@example.org")
    data = {"email": "Anna@Example.org"}
    statuses = [
        _from(app, f"10.0.0.{n}")("/wachtwoord-vergeten", data).status_code for n in range(5)
    ]
    assert statuses == [302, 302, 302, 429, 429]
    # Requests within one second share a token and so one message (the outbox's key).
    assert 1 <= len(outbox()) <= 3
    mailed = len(outbox())
    # Another address is not held up by anna's limit.
    make_user(email="bert@example.org")
    other = _from(app, "10.0.0.9")("/wachtwoord-vergeten", {"email": "bert@example.org"})
    assert other.status_code == 302 and len(outbox()) == mailed + 1


def test_the_current_password_check_is_limited_per_account(app: Flask) -> None:
    anna, bert = make_user(), make_user()
    new = "een heel nieuw wachtwoord"

    def change(client: FlaskClient, current: str) -> int:
        data = {"current": current, "password": new, "confirm": new}
        return client.post("/account", data=data).status_code

    # Whoever holds anna's session (a borrowed laptop) guesses her password, in two tabs.
    guesser = app.test_client()
    guesser.post("/inloggen", data={"email": anna.email, "password": DEFAULT_PASSWORD})
    second = app.test_client()
    second.post("/inloggen", data={"email": anna.email, "password": DEFAULT_PASSWORD})
    statuses = [change(guesser if n % 2 else second, f"geen-{n}") for n in range(6)]
    assert statuses == [200] * 5 + [429]
    assert change(guesser, DEFAULT_PASSWORD) == 429
    other = app.test_client()
    other.post("/inloggen", data={"email": bert.email, "password": DEFAULT_PASSWORD})
    assert change(other, DEFAULT_PASSWORD) == 302


def test_a_stranger_cannot_lock_a_member_out(app: Flask) -> None:
    make_user(email="anna@example.org")
    annas_laptop = app.test_client()
    laptop = {"REMOTE_ADDR": "192.0.2.10"}
    good = {"email": "anna@example.org", "password": DEFAULT_PASSWORD}
    assert annas_laptop.post("/inloggen", data=good, environ_base=laptop).status_code == 302
    annas_laptop.post("/uitloggen", environ_base=laptop)
    # A stranger spreads failures for anna's address over many IP addresses.
    wrong = {"email": "anna@example.org", "password": "fout"}
    for n in range(8):
        _from(app, f"203.0.113.{n}")("/inloggen", wrong)
    # New browsers are now refused for this address, whatever their address or password ...
    assert _from(app, "198.51.100.1")("/inloggen", good).status_code == 429
    # ... but anna's own laptop still gets in.
    assert annas_laptop.post("/inloggen", data=good, environ_base=laptop).status_code == 302


def test_a_device_cookie_only_vouches_for_its_own_account(app: Flask) -> None:
    make_user(email="anna@example.org")
    make_user(email="mallory@example.org")
    mallory = app.test_client()
    mine = {"email": "mallory@example.org", "password": DEFAULT_PASSWORD}
    assert mallory.post("/inloggen", data=mine).status_code == 302
    assert mallory.get_cookie(COOKIE_NAME, path="/inloggen") is not None
    mallory.post("/uitloggen")
    wrong = {"email": "anna@example.org", "password": "fout"}
    statuses = [
        mallory.post("/inloggen", data=wrong, environ_base={"REMOTE_ADDR": f"10.9.0.{n}"})
        for n in range(6)
    ]
    assert [response.status_code for response in statuses] == [200] * 5 + [429]


def test_a_forged_device_cookie_is_ignored(app: Flask) -> None:
    make_user(email="anna@example.org")
    wrong = {"email": "anna@example.org", "password": "fout"}
    statuses = []
    for n in range(6):
        client = app.test_client()
        client.set_cookie(COOKIE_NAME, "W10.forged", path="/inloggen")
        statuses.append(
            client.post(
                "/inloggen", data=wrong, environ_base={"REMOTE_ADDR": f"10.8.0.{n}"}
            ).status_code
        )
    assert statuses == [200] * 5 + [429]


def test_successful_logins_do_not_use_up_the_address_allowance(app: Flask) -> None:
    make_user(email="anna@example.org")
    good = {"email": "anna@example.org", "password": DEFAULT_PASSWORD}
    for n in range(6):  # six fresh browsers, each on its own address, each successful
        assert _from(app, f"10.7.0.{n}")("/inloggen", good).status_code == 302

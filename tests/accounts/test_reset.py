"""Password reset by e-mailed, signed, expiring, single-use link."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from kispub.accounts.services import RESET_SALT, set_password
from kispub.jobs import huey_of
from tests.clock import freeze
from tests.factories import make_user
from tests.queries import count_queries

NEW_PASSWORD = "een gloednieuw wachtwoord"


def _reset_link(outbox) -> str:
    body = outbox()[-1].get_content()
    match = re.search(r"https://kis\.example(/wachtwoord-instellen/\S+)", body)
    assert match, body
    return match.group(1)


def test_reset_flow_sets_a_new_password_once(client: FlaskClient, outbox) -> None:
    user = make_user(email="anna@example.org")
    response = client.post("/wachtwoord-vergeten", data={"email": "ANNA@example.org"})
    assert response.status_code == 302
    assert outbox()[-1]["To"] == "anna@example.org"
    link = _reset_link(outbox)
    assert client.get(link).status_code == 200
    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert client.post(link, data=data).status_code == 302
    login = client.post("/inloggen", data={"email": user.email, "password": NEW_PASSWORD})
    assert login.status_code == 302
    reused = client.post(
        link, data={"password": "nog weer een ander", "confirm": "nog weer een ander"}
    )
    assert reused.status_code == 400 and "ongeldig of al gebruikt" in reused.text


def test_reset_for_unknown_address_says_the_same_and_sends_nothing(
    client: FlaskClient, outbox
) -> None:
    make_user(email="anna@example.org")
    known = client.post(
        "/wachtwoord-vergeten", data={"email": "anna@example.org"}, follow_redirects=True
    )
    unknown = client.post(
        "/wachtwoord-vergeten", data={"email": "niemand@example.org"}, follow_redirects=True
    )
    assert known.text == unknown.text
    assert len(outbox()) == 1


def test_expired_link_is_refused(app: Flask, client: FlaskClient, outbox) -> None:
    make_user(email="anna@example.org")
    client.post("/wachtwoord-vergeten", data={"email": "anna@example.org"})
    link = _reset_link(outbox)
    app.config["PASSWORD_RESET_MAX_AGE"] = timedelta(seconds=-1)
    response = client.get(link)
    assert response.status_code == 400 and "verlopen" in response.text


def test_tampered_link_is_refused(client: FlaskClient, outbox) -> None:
    make_user(email="anna@example.org")
    client.post("/wachtwoord-vergeten", data={"email": "anna@example.org"})
    link = _reset_link(outbox)
    assert client.get(link[:-3] + "abc").status_code == 400


def test_new_password_must_be_long_and_confirmed(client: FlaskClient, outbox) -> None:
    make_user(email="anna@example.org")
    client.post("/wachtwoord-vergeten", data={"email": "anna@example.org"})
    link = _reset_link(outbox)
    short = client.post(link, data={"password": "kort", "confirm": "kort"})
    mismatch = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert "minstens 12 tekens" in short.text
    assert "De wachtwoorden verschillen." in mismatch.text


def test_the_link_carries_nothing_of_the_password_hash(
    app: Flask, client: FlaskClient, outbox
) -> None:
    user = make_user(email="anna@example.org")
    client.post("/wachtwoord-vergeten", data={"email": "anna@example.org"})
    token = _reset_link(outbox).rsplit("/", 1)[1]
    payload = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=RESET_SALT).loads(token)
    assert set(payload) == {"uid", "fp"}
    salt, digest = user.password_hash.rsplit("$", 2)[-2:]
    for part in (salt, digest, user.password_hash):
        for start in range(0, len(part) - 7):
            assert part[start : start + 8] not in payload["fp"]
            assert part[start : start + 8] not in token


def test_a_link_with_a_piece_of_the_hash_is_refused(app: Flask, client: FlaskClient) -> None:
    """Links in the old form (the hash's last 16 characters) stop working."""
    user = make_user(email="anna@example.org")
    old_form = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=RESET_SALT).dumps(
        {"uid": user.id, "fp": user.password_hash[-16:]}
    )
    assert client.get(f"/wachtwoord-instellen/{old_form}").status_code == 400


def test_a_link_stops_working_when_the_password_changes_otherwise(
    client: FlaskClient, outbox
) -> None:
    user = make_user(email="anna@example.org")
    client.post("/wachtwoord-vergeten", data={"email": "anna@example.org"})
    link = _reset_link(outbox)
    assert client.get(link).status_code == 200
    set_password(user, "een ander lang wachtwoord")
    assert client.get(link).status_code == 400


def test_known_and_unknown_addresses_cost_the_request_the_same_work(make_app) -> None:
    """The request only queues a job; which address has an account is decided in the worker.

    No timing assertions: the same statements (none) and the same queued work stand for the
    same time.
    """
    app = make_app(JOBS_IMMEDIATE=False)
    huey = huey_of(app)
    work = {}
    with app.app_context():
        make_user(email="anna@example.org")
        for email in ("anna@example.org", "niemand@example.org"):
            client = app.test_client()
            before = huey.pending_count()
            with count_queries() as statements:
                response = client.post("/wachtwoord-vergeten", data={"email": email})
            queued = [task.name for task in huey.pending()[before:]]
            page = client.get(response.headers["Location"]).text
            work[email] = (response.status_code, statements, queued, page)
    known, unknown = work["anna@example.org"], work["niemand@example.org"]
    assert known == unknown
    assert known[2] == ["send_password_reset"]


def test_the_link_ages_by_the_apps_clock(app: Flask, client: FlaskClient, outbox) -> None:
    """Reset links, like every timed token (core/tokens.py), are dated by kispub's clock."""
    clock = freeze(app, datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    make_user(email="anna@example.org")
    client.post("/wachtwoord-vergeten", data={"email": "anna@example.org"})
    link = _reset_link(outbox)
    assert client.get(link).status_code == 200

    clock.advance(seconds=app.config["PASSWORD_RESET_MAX_AGE"].total_seconds() + 1)

    response = client.get(link)
    assert response.status_code == 400 and "verlopen" in response.text

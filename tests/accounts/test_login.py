"""Login, logout, throttling, revocable sessions and timeouts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kispub.accounts.models import Role
from kispub.accounts.services import find_user_by_email, set_active, set_password
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.processes import redis_reachable
from tests.second_factor import CODE_PAGE, complete_second_step

ADMIN_PAGE = "/beheer/gebruikers"


def _login(client: FlaskClient, email: str, password: str = DEFAULT_PASSWORD, **extra: str):
    """The login form, then for staff the second step with a real code from their app."""
    response = client.post("/inloggen", data={"email": email, "password": password, **extra})
    if response.headers.get("Location") == CODE_PAGE:
        user = find_user_by_email(email)
        assert user is not None
        response = complete_second_step(client, user)
    return response


def test_login_with_any_letter_case_then_logout(client: FlaskClient) -> None:
    user = make_user(email="Anna@Example.org", role=Role.ADMIN)
    response = _login(client, "  ANNA@example.ORG ")
    assert response.status_code == 302
    assert client.get(ADMIN_PAGE).status_code == 200
    assert client.post("/uitloggen").status_code == 302
    assert client.get(ADMIN_PAGE).status_code == 302  # back to the login page
    assert user.email == "anna@example.org"


def test_wrong_password_and_unknown_address_get_the_same_answer(client: FlaskClient) -> None:
    make_user(email="anna@example.org")
    wrong = _login(client, "anna@example.org", "niet het wachtwoord")
    unknown = _login(client, "niemand@example.org", "niet het wachtwoord")
    assert wrong.status_code == unknown.status_code == 200
    message = "Onbekend e-mailadres of onjuist wachtwoord."
    assert message in wrong.text and message in unknown.text
    assert wrong.text.replace("anna@example.org", "X") == unknown.text.replace(
        "niemand@example.org", "X"
    )


def test_suspended_user_cannot_log_in(client: FlaskClient) -> None:
    user = make_user()
    set_active(user, False)
    assert _login(client, user.email).status_code == 200


def test_login_only_redirects_to_local_paths(client: FlaskClient) -> None:
    user = make_user()
    response = client.post(
        "/inloggen?next=//evil.example/x", data={"email": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.headers["Location"] == "/"
    client.post("/uitloggen")
    response = client.post(
        "/inloggen?next=/themas/", data={"email": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.headers["Location"] == "/themas/"


def test_login_is_throttled_per_address(app: Flask) -> None:
    make_user(email="anna@example.org")
    client = app.test_client()
    statuses = [_login(client, "anna@example.org", "fout").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert "Te veel pogingen" in _login(client, "anna@example.org").text
    # Another address from the same client is throttled by the per-IP limit too.
    assert _login(client, "ander@example.org", "fout").status_code == 429


def test_throttle_applies_per_address_across_ips(app: Flask) -> None:
    make_user(email="anna@example.org")
    for n in range(5):
        client = app.test_client()
        environ = {"REMOTE_ADDR": f"10.0.0.{n}"}
        data = {"email": "anna@example.org", "password": "fout"}
        assert client.post("/inloggen", data=data, environ_base=environ).status_code == 200
    client = app.test_client()
    data = {"email": "anna@example.org", "password": DEFAULT_PASSWORD}
    assert (
        client.post("/inloggen", data=data, environ_base={"REMOTE_ADDR": "10.0.1.1"}).status_code
        == 429
    )


def test_logout_invalidates_a_copied_session_cookie(app: Flask) -> None:
    user = make_user(role=Role.ADMIN)
    client = app.test_client()
    _login(client, user.email)
    stolen = client.get_cookie("session").value
    client.post("/uitloggen")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get(ADMIN_PAGE).status_code == 302


@pytest.mark.parametrize("revoke", ["password", "suspension"])
def test_password_change_and_suspension_end_other_sessions(app: Flask, revoke: str) -> None:
    user = make_user(role=Role.ADMIN)
    client = app.test_client()
    _login(client, user.email)
    assert client.get(ADMIN_PAGE).status_code == 200
    if revoke == "password":
        set_password(user, "een ander lang wachtwoord")
    else:
        set_active(user, False)
    assert client.get(ADMIN_PAGE).status_code == 302


def test_remember_me_cookie_lasts_thirty_days_and_survives_the_session(app: Flask) -> None:
    user = make_user(role=Role.ADMIN)
    client = app.test_client()
    _login(client, user.email, remember="y")
    remember = client.get_cookie("remember_token")
    assert remember is not None and remember.http_only
    assert app.config["REMEMBER_COOKIE_DURATION"] <= timedelta(days=30)
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember.value)
    assert fresh.get(ADMIN_PAGE).status_code == 200
    assert fresh.get(ADMIN_PAGE).status_code == 200  # the restored session holds
    assert fresh.get_cookie("remember_token").value == remember.value
    client.post("/uitloggen")  # logout revokes the remember cookie as well
    again = app.test_client()
    again.set_cookie("remember_token", remember.value)
    assert again.get(ADMIN_PAGE).status_code == 302


def test_anonymous_visitors_keep_their_session_and_get_no_cookie_they_do_not_need(
    app: Flask,
) -> None:
    app.config["WTF_CSRF_ENABLED"] = True  # the CSRF token is what anonymous sessions hold
    client = app.test_client()
    first = client.get("/inloggen")
    assert "remember_token" not in first.headers.get("Set-Cookie", "")
    token = client.get_cookie("session").value
    second = client.get("/inloggen")
    assert "remember_token" not in " ".join(second.headers.getlist("Set-Cookie"))
    with client.session_transaction() as session:
        assert "csrf_token" in session and "_id" in session
    assert client.get_cookie("session").value != "" and token
    feed_reader = app.test_client()
    assert "Set-Cookie" not in feed_reader.get("/healthz").headers


def test_session_cookie_flags(app: Flask) -> None:
    user = make_user()
    client = app.test_client()
    response = _login(client, user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" in cookie  # the test BASE_URL is https


@pytest.mark.parametrize(
    ("setting", "elapsed"),
    [("SESSION_IDLE_TIMEOUT", 31 * 60), ("SESSION_ABSOLUTE_TIMEOUT", 13 * 3600)],
)
def test_sessions_time_out(app: Flask, setting: str, elapsed: int) -> None:
    user = make_user(role=Role.ADMIN)
    client = app.test_client()
    _login(client, user.email)
    with client.session_transaction() as session:
        if setting == "SESSION_IDLE_TIMEOUT":
            session["seen_at"] -= elapsed
        else:  # active all along, but logged in too long ago
            session["auth_at"] -= elapsed
    assert app.config[setting].total_seconds() < elapsed
    assert client.get(ADMIN_PAGE).status_code == 302


@pytest.mark.skipif(not redis_reachable(), reason="no Redis on 127.0.0.1:6379")
def test_throttling_with_redis_storage(make_app) -> None:
    """With several workers the counts must be shared: KISPUB_RATELIMIT_STORAGE_URI=redis://…"""
    import uuid

    config = {
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        "RATELIMIT_KEY_PREFIX": f"kispub-test-{uuid.uuid4().hex}",
    }
    workers = [make_app(**config), make_app(**config)]  # two processes' worth of apps
    with workers[0].app_context():
        make_user(email="anna@example.org")
    statuses = [
        _login(workers[n % 2].test_client(), "anna@example.org", "fout").status_code
        for n in range(6)
    ]
    assert statuses == [200] * 5 + [429]


def test_changing_the_password_keeps_this_session_and_ends_the_others(app: Flask) -> None:
    user = make_user(role=Role.ADMIN)
    here, elsewhere = app.test_client(), app.test_client()
    _login(here, user.email)
    _login(elsewhere, user.email)
    new = "een heel nieuw wachtwoord"
    wrong = here.post("/account", data={"current": "fout", "password": new, "confirm": new})
    assert "Het huidige wachtwoord klopt niet." in wrong.text
    changed = here.post(
        "/account", data={"current": DEFAULT_PASSWORD, "password": new, "confirm": new}
    )
    assert changed.status_code == 302
    assert here.get(ADMIN_PAGE).status_code == 200
    assert elsewhere.get(ADMIN_PAGE).status_code == 302
    # The new password is what the login form takes now (then comes the second step).
    again = app.test_client().post("/inloggen", data={"email": user.email, "password": new})
    assert again.headers["Location"] == CODE_PAGE

"""Roles, the access decorator, CSRF on every form, invitations and password hashing."""

from __future__ import annotations

import re

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient

from kispub import create_app
from kispub.accounts import services
from kispub.accounts.decorators import role_required
from kispub.accounts.models import Role, User
from kispub.accounts.passwords import hash_password, verify_password
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.second_factor import CODE_PAGE, log_in, next_code


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Role.MEMBER, False), (Role.MODERATOR, False), (Role.EDITOR, True), (Role.ADMIN, True)],
)
def test_role_decorator_allows_the_role_and_above(app: Flask, role: Role, allowed: bool) -> None:
    @app.get("/alleen-redactie")
    @role_required(Role.EDITOR)
    def editors_only() -> str:
        return "welkom"

    client = app.test_client()
    assert client.get("/alleen-redactie").status_code == 302  # anonymous: to the login page
    user = make_user(role=role)
    assert log_in(client, user, DEFAULT_PASSWORD).status_code == 302
    response = client.get("/alleen-redactie")
    assert response.status_code == (200 if allowed else 403)


def test_admin_page_redirects_anonymous_users_to_login(client: FlaskClient) -> None:
    response = client.get("/beheer/gebruikers")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/inloggen?next=")


# POST routes exempt from CSRF on purpose, with the reason. The stop links in community mail:
# a mail program's RFC 8058 one-click POST carries no session and no CSRF token; they act
# only on a token signed with SECRET_KEY (tests/community/test_mail_unsubscribe.py); the same
# for the unsubscribe link in dossier alert mail (tests/dossier/test_alerts.py).
CSRF_EXEMPT = {
    "community_mail.unsubscribe",
    "community_mail.stop_thread",
    "dossier_alerts.unsubscribe",
}


def test_every_form_route_rejects_a_post_without_csrf_token(make_app) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    # Over https Flask-WTF also wants a same-origin Referer, as a browser sends.
    client.environ_base["HTTP_REFERER"] = "https://localhost/"
    page = client.get("/inloggen").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    with app.app_context():
        admin = make_user(role=Role.ADMIN)
        email = admin.email
        login = {"email": email, "password": DEFAULT_PASSWORD, "csrf_token": token}
        assert client.post("/inloggen", data=login).headers["Location"] == CODE_PAGE
        code = {"code": next_code(admin), "csrf_token": token}
        assert client.post(CODE_PAGE, data=code).status_code == 302
    post_rules = [r for r in app.url_map.iter_rules() if "POST" in (r.methods or ())]
    assert len(post_rules) >= 5
    assert {r.endpoint for r in post_rules} >= CSRF_EXEMPT  # the list names real routes
    for rule in post_rules:
        url = _fill(rule.rule)
        response = client.post(url, data={"email": email})
        assert response.status_code == 400, rule.rule
        if rule.endpoint in CSRF_EXEMPT:  # refused by its own token check instead
            assert "Deze link werkt niet" in response.text, rule.rule
        else:
            assert "Het formulier is verlopen of ongeldig" in response.text, rule.rule


def test_double_submitted_invitation_creates_one_account(
    client: FlaskClient, login_as, outbox
) -> None:
    login_as(role=Role.ADMIN)
    form = {"email": "nieuw@example.org", "name": "Nieuw Lid", "role": "member", "nonce": "n" * 24}
    first = client.post("/beheer/gebruikers", data=form)
    second = client.post("/beheer/gebruikers", data=form)
    assert first.status_code == second.status_code == 302
    assert User.query.filter_by(email="nieuw@example.org").count() == 1
    assert len(outbox()) == 1 and "wachtwoord-instellen" in outbox()[0].get_content()


def test_inviting_an_existing_address_is_a_form_error(client: FlaskClient, login_as) -> None:
    login_as(role=Role.ADMIN)
    make_user(email="bestaat@example.org")
    form = {"email": "Bestaat@example.org", "name": "Dubbel", "role": "member", "nonce": "m" * 24}
    response = client.post("/beheer/gebruikers", data=form)
    assert response.status_code == 200
    assert "Er bestaat al een account met dit e-mailadres." in response.text


def test_passwords_are_hashed_with_argon2id(app: Flask) -> None:
    stored = hash_password(DEFAULT_PASSWORD)
    assert stored.startswith("$argon2id$") and DEFAULT_PASSWORD not in stored
    assert verify_password(stored, DEFAULT_PASSWORD)
    assert not verify_password(stored, DEFAULT_PASSWORD + "!")
    assert not verify_password(None, DEFAULT_PASSWORD)


def test_production_hash_cost_meets_owasp_minimum(tmp_path) -> None:
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    hasher: PasswordHasher = app.extensions["kispub_hasher"]
    # OWASP: argon2id with at least 19 MiB memory and 2 iterations.
    assert hasher.memory_cost >= 19 * 1024 and hasher.time_cost >= 2


def _fill(rule: str) -> str:
    """A URL matching the rule: "1" for numeric placeholders, "x" for the rest."""
    return re.sub(r"<(int:)?[^>]+>", lambda m: "1" if m[1] else "x", rule)


def test_every_back_office_route_is_for_editors_only(app: Flask, client: FlaskClient) -> None:
    """Anonymous visitors are sent to the login page and members get 403, on every method."""
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/beheer")]
    assert len(rules) >= 10
    member = make_user(role=Role.MEMBER)
    calls = [(rule, method) for rule in rules for method in sorted(rule.methods & {"GET", "POST"})]
    for rule, method in calls:
        with client.open(_fill(rule.rule), method=method) as response:
            assert response.status_code == 302, rule.rule
            assert response.headers["Location"].startswith("/inloggen"), rule.rule
    client.post("/inloggen", data={"email": member.email, "password": DEFAULT_PASSWORD})
    for rule, method in calls:
        with client.open(_fill(rule.rule), method=method) as response:
            assert response.status_code == 403, rule.rule


def test_an_address_taken_between_the_check_and_the_insert_is_a_clear_error(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(email="anna@example.org")
    # As if a concurrent request created the account after this one looked the address up.
    monkeypatch.setattr(services, "find_user_by_email", lambda email: None)
    new = services.NewUser(email="Anna@example.org", name="Anna", role=Role.MEMBER)
    with pytest.raises(services.AccountError, match="Er bestaat al een account"):
        services.create_user(new)

"""CSRF on every community form: a POST without the token is refused and writes nothing.

The routes come from the URL map: the members' pages, the joining pages and the moderators'
pages, so a form added later is covered without editing this file. The POSTs carry fields
that would make most forms valid, so "nothing written" means the token stopped them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kispub.accounts.models import Role, User
from tests.community.helpers import make_member
from tests.community.routes import MEMBERS, PUBLIC, STAFF, calls, make_sample, table_counts
from tests.factories import DEFAULT_PASSWORD
from tests.second_factor import log_in

REFUSED = "Het formulier is verlopen of ongeldig"  # kispub/core/errors.py, the CSRF page
# Plausible values for the fields the community's forms have, so only the token is missing.
FIELDS = {
    "title": "Een onderwerp zonder token",
    "body": "Een bericht zonder token.",
    "name": "Zonder Token",
    "email": "zonder.token@example.org",
    "organisation": "Gemeente Voorbeeld",
    "field_role": "professional",
    "motivation": "Ik wil meepraten.",
    "message": "Een bericht.",
    "bio": "Over mij.",
    "domain": "voorbeeld.example",
    "note": "Notitie",
    "password": DEFAULT_PASSWORD,
    "confirm": DEFAULT_PASSWORD,
    "accept": "y",
    "nonce": "n" * 24,
}


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """CSRF on, as in production."""
    return {**app_config, "WTF_CSRF_ENABLED": True}


def log_in_with_token(client: FlaskClient, user: User) -> None:
    """Log in through the real form, token and all (and the second step for staff)."""
    page = client.get("/inloggen").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None
    assert log_in(client, user, DEFAULT_PASSWORD, csrf_token=token.group(1)).status_code == 302


def _client(app: Flask) -> FlaskClient:
    client = app.test_client()
    # Over https Flask-WTF also wants a same-origin Referer, as a browser sends.
    client.environ_base["HTTP_REFERER"] = "https://localhost/"
    return client


def _outbox(app: Flask) -> int:
    return len(list(Path(app.config["OUTBOX_DIR"]).glob("*.eml")))


def test_every_community_form_refuses_a_post_without_token(app: Flask) -> None:
    admin = make_member(role=Role.ADMIN)  # an approved member who may reach every page
    sample = make_sample(admin)
    staff, outsider = _client(app), _client(app)
    log_in_with_token(staff, admin)
    # The members' and moderators' forms as the admin, the joining forms as an outsider.
    posts = [(staff, rule) for rule, _ in calls(app, MEMBERS, ("POST",))]
    posts += [(staff, rule) for rule, _ in calls(app, STAFF, ("POST",))]
    posts += [(outsider, rule) for rule, _ in calls(app, PUBLIC, ("POST",))]
    if not posts:
        pytest.skip("no community forms yet (the discussion and joining work add them)")
    before, mail = table_counts(), _outbox(app)
    for client, rule in posts:
        url = sample.url(rule)
        response = client.post(url, data=FIELDS)
        assert response.status_code == 400, f"{rule.endpoint} {url}"
        assert REFUSED in response.text, f"{rule.endpoint} {url}"
    assert table_counts() == before
    assert _outbox(app) == mail


def test_the_token_check_is_really_on(app: Flask) -> None:
    """Without this, the test above could pass on an app that checks no token at all."""
    client = _client(app)
    response = client.post("/inloggen", data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 400 and REFUSED in response.text

"""CSRF on every form of the dossier back office: a POST without its token writes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kispub.accounts.models import Role, User
from tests.clock import freeze
from tests.dossier.admin_helpers import NOW, make_sample
from tests.dossier.test_admin_access import FIELDS, POSTS, counts
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.second_factor import log_in

REFUSED = "Het formulier is verlopen of ongeldig"  # kispub/core/errors.py, the CSRF page


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """CSRF on, as in production."""
    return {**app_config, "WTF_CSRF_ENABLED": True}


def logged_in_with_token(app: Flask, user: User) -> FlaskClient:
    """A client logged in through the real form, token and all (and the second step)."""
    client = app.test_client()
    client.environ_base["HTTP_REFERER"] = "https://localhost/"  # same origin, as a browser
    page = client.get("/inloggen").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None
    assert log_in(client, user, DEFAULT_PASSWORD, csrf_token=token.group(1)).status_code == 302
    return client


def test_every_form_refuses_a_post_without_its_token(app: Flask) -> None:
    freeze(app, NOW)
    sample = make_sample()
    client = logged_in_with_token(app, make_user(role=Role.EDITOR))
    before = counts()
    for path in POSTS:
        response = client.post(sample.url(path), data=FIELDS)
        assert response.status_code == 400, path
        assert REFUSED in response.text, path
    assert counts() == before
    # With the token the page gives, the same button works: the check is really the token.
    page = client.get(sample.url("/beheer/dossiers/{dossier}")).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    moved = client.post(
        sample.url("/beheer/dossiers/items/{item}/verplaatsen"),
        data={"csrf_token": token.group(1), "richting": "omhoog"},
    )
    assert moved.status_code == 302
    assert counts() != before

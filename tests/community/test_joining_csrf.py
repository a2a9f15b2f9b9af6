"""With CSRF protection on (as in production), every joining and back-office form refuses a
POST without its token, and works with the token its page hands out."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kispub.accounts.models import Role, User
from kispub.community.models import MemberStatus
from kispub.community.services.domains import add_trusted_domain
from kispub.community.services.invitations import PersonalInvitation, invite_person
from tests.community.helpers import make_member, make_person
from tests.community.joining_helpers import link, request_form, verify_link
from tests.factories import DEFAULT_PASSWORD
from tests.second_factor import log_in

# Over https Flask-WTF also wants a same-origin Referer, as a browser sends.
REFERER = "https://localhost/"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "WTF_CSRF_ENABLED": True}


def _token(client: FlaskClient, path: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(path).text)
    assert found, path
    return found[1]


def _logged_in(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_REFERER"] = REFERER
    token = _token(client, "/inloggen")
    response = log_in(client, user, DEFAULT_PASSWORD, csrf_token=token)  # staff: 2nd step too
    assert response.status_code == 302
    return client


def test_every_form_on_the_joining_pages_carries_its_token(app: Flask, outbox) -> None:
    # (tests/accounts/test_access.py sends every POST route of the app without a token.)
    moderator = make_member(role=Role.ADMIN)
    person = make_person(MemberStatus.PENDING)
    invite_person(moderator, PersonalInvitation("sem@example.org", "Sem"))
    invitation = link(outbox()[0], "/community/lid-worden/uitnodiging/")
    add_trusted_domain(moderator, "gemeente.nl")
    anonymous = app.test_client()
    anonymous.environ_base["HTTP_REFERER"] = REFERER
    anonymous.post(
        "/community/lid-worden/",
        data={**request_form(), "csrf_token": _token(anonymous, "/community/lid-worden/")},
    )
    confirmation = verify_link(outbox()[-1])
    pages = {anonymous: ["/community/lid-worden/", invitation, confirmation]}
    pages[_logged_in(app, moderator)] = [
        f"/beheer/community/aanvragen/{person.id}",
        "/beheer/community/uitnodigingen",
        "/beheer/community/uitnodigingen/bestand",
        "/beheer/community/domeinen",
    ]
    for client, paths in pages.items():
        for path in paths:
            html = client.get(path).text
            forms = re.findall(r"<form[^>]*method=\"post\".*?</form>", html, flags=re.S)
            assert forms, path
            for form in forms:
                # A form with a prefix names it "prefix-csrf_token"; Flask-WTF reads both.
                assert re.search(r'name="(?:[\w]+-)?csrf_token"', form), (path, form[:200])


def test_the_request_form_works_with_its_token(app: Flask) -> None:
    client = app.test_client()
    client.environ_base["HTTP_REFERER"] = REFERER
    token = _token(client, "/community/lid-worden/")
    response = client.post("/community/lid-worden/", data={**request_form(), "csrf_token": token})
    assert response.status_code == 302


def test_a_prefixed_back_office_form_works_with_its_token(app: Flask, outbox) -> None:
    client = _logged_in(app, make_member(role=Role.MODERATOR))
    html = client.get("/beheer/community/uitnodigingen").text
    token = re.search(r'name="persoon-csrf_token" type="hidden" value="([^"]+)"', html)
    assert token
    data = {"persoon-csrf_token": token[1], "persoon-email": "sem@example.org",
            "persoon-name": "Sem", "persoon-nonce": "een-nonce-van-genoeg-tekens"}  # fmt: skip
    response = client.post("/beheer/community/uitnodigingen/persoonlijk", data=data)
    assert response.status_code == 302 and len(outbox()) == 1

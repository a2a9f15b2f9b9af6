"""The stop links in community mail and the e-mail settings page, with CSRF on as in production.

The one-click POST (RFC 8058) comes without session or CSRF token and must work with a valid
signed token, and only with one; a GET only asks. Everything else still applies.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from kispub.community.access import COMMUNITY_CSP, NO_STORE
from kispub.community.models import EmailMode, Member, ThreadWatch
from kispub.community.services.email_settings import (
    set_thread_mail,
    stop_thread_url,
    unsubscribe_url,
)
from kispub.core.mail import UNSUBSCRIBE_SALT, unsubscribe_link
from kispub.extensions import db
from tests.community.discussion_helpers import make_thread
from tests.community.helpers import make_member
from tests.community.mail_helpers import member_with_mode
from tests.community.routes import table_counts
from tests.factories import DEFAULT_PASSWORD

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """CSRF on, as in production; a small rate limit on the stop links."""
    return {
        **app_config,
        "WTF_CSRF_ENABLED": True,
        "COMMUNITY_UNSUBSCRIBE_RATE_LIMIT": "6 per minute",
    }


def path_of(url: str) -> str:
    return url.removeprefix("https://kis.example")


def mode_of(user_id: int) -> EmailMode:
    db.session.expire_all()
    member = db.session.get(Member, user_id)
    assert member is not None
    return member.email_mode


_addresses = itertools.count(1)


def stranger(app: Flask) -> FlaskClient:
    """A client with no cookie at all, as a mail program's one-click POST arrives, from an
    address of its own (the rate limit counts per address)."""
    client = app.test_client(use_cookies=False)
    client.environ_base["REMOTE_ADDR"] = f"198.51.100.{next(_addresses) % 250 + 1}"
    return client


def test_one_click_unsubscribe_needs_no_session_and_no_csrf_token(app: Flask) -> None:
    bram = member_with_mode(EmailMode.IMMEDIATE)
    path = path_of(unsubscribe_url(bram.id))
    response = stranger(app).post(path, data=ONE_CLICK)
    assert response.status_code == 200
    assert "U krijgt geen e-mail meer van de KIS-community" in response.text
    assert mode_of(bram.id) is EmailMode.NEVER
    # Exempt from CSRF only: the site's and the community's headers are all there.
    assert response.headers["Cache-Control"] == NO_STORE
    assert response.headers["Content-Security-Policy"] == COMMUNITY_CSP
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Set-Cookie" not in response.headers
    # Again: still 200, still NEVER (a mail program may retry).
    assert stranger(app).post(path).status_code == 200
    assert mode_of(bram.id) is EmailMode.NEVER


def test_a_get_only_asks_and_its_button_does_it(app: Flask) -> None:
    bram = member_with_mode(EmailMode.DAILY)
    path = path_of(unsubscribe_url(bram.id))
    before = table_counts()
    page = stranger(app).get(path)
    assert page.status_code == 200
    assert table_counts() == before and mode_of(bram.id) is EmailMode.DAILY
    form = re.search(r'<form method="post" action="([^"]+)">', page.text)
    assert form is not None and form.group(1) == path
    assert "Ja, afmelden" in page.text
    assert stranger(app).head(path).status_code == 200
    assert mode_of(bram.id) is EmailMode.DAILY
    assert stranger(app).post(form.group(1)).status_code == 200
    assert mode_of(bram.id) is EmailMode.NEVER


def _forgeries(user_id: int, thread_id: int) -> list[str]:
    good = unsubscribe_url(user_id).rsplit("/", 1)[1]
    other_key = URLSafeTimedSerializer("een-andere-sleutel", salt=UNSUBSCRIBE_SALT)
    payload, stamp, _signature = good.split(".")
    return [
        good[:-2] + ("AA" if not good.endswith("AA") else "BB"),  # altered signature
        "x" * 24,
        f"{payload}.{stamp}",  # no signature
        other_key.dumps({"uid": user_id, "list": "community"}),  # signed with another key
        # Signed by us, but not this link's kind: another list, a thread link, no member.
        unsubscribe_link("community_mail.unsubscribe", {"uid": user_id, "list": "themes"}).rsplit(
            "/", 1
        )[1],
        stop_thread_url(user_id, thread_id).rsplit("/", 1)[1],
        unsubscribe_link("community_mail.unsubscribe", {"uid": "1", "list": "community"}).rsplit(
            "/", 1
        )[1],
    ]


def test_a_bad_or_forged_token_is_refused_and_changes_nothing(app: Flask) -> None:
    bram = member_with_mode(EmailMode.WEEKLY)
    thread = make_thread(bram)
    before = table_counts()
    for token in _forgeries(bram.id, thread.id):
        client = stranger(app)
        for method in ("GET", "POST"):
            response = client.open(f"/community/afmelden/{token}", method=method)
            assert response.status_code == 400, (token, method)
            assert "Deze link werkt niet" in response.text
    assert table_counts() == before and mode_of(bram.id) is EmailMode.WEEKLY


def test_the_stop_links_are_rate_limited_per_address(app: Flask) -> None:
    bram = member_with_mode(EmailMode.WEEKLY)
    client = stranger(app)
    answers = [client.get("/community/afmelden/" + "y" * 30).status_code for _ in range(7)]
    assert answers == [400] * 6 + [429]
    # The limit counts valid links too: nobody tries tokens faster than this.
    assert client.post(path_of(unsubscribe_url(bram.id))).status_code == 429
    assert mode_of(bram.id) is EmailMode.WEEKLY


def test_stopping_one_thread_asks_on_get_and_stops_on_post(app: Flask) -> None:
    bram, anna = member_with_mode(EmailMode.IMMEDIATE), make_member()
    thread = make_thread(anna)
    path = path_of(stop_thread_url(bram.id, thread.id))
    page = stranger(app).get(path)
    assert page.status_code == 200 and "Ja, geen e-mail meer over dit onderwerp" in page.text
    assert thread.title not in page.text  # a public page shows nothing members wrote
    assert db.session.get(ThreadWatch, (bram.id, thread.id)) is None
    assert stranger(app).post(path).status_code == 200
    db.session.expire_all()
    watch = db.session.get(ThreadWatch, (bram.id, thread.id))
    assert watch is not None and watch.mail_stopped and watch.level is None and not watch.reason
    assert mode_of(bram.id) is EmailMode.IMMEDIATE  # the rest of their mail goes on
    # A thread link is not an unsubscribe-all link, nor the other way round.
    token = path.rsplit("/", 1)[1]
    assert stranger(app).post(f"/community/afmelden/{token}").status_code == 400
    all_token = unsubscribe_url(bram.id).rsplit("/", 1)[1]
    assert stranger(app).post(f"/community/afmelden/onderwerp/{all_token}").status_code == 400


def log_in(client: FlaskClient, email: str) -> None:
    """Log in through the real form, CSRF token and all."""
    page = client.get("/inloggen").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None
    form = {"email": email, "password": DEFAULT_PASSWORD, "csrf_token": token.group(1)}
    assert client.post("/inloggen", data=form).status_code == 302


def _token(page: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_the_settings_page_changes_the_mode_and_resumes_stopped_threads(app: Flask) -> None:
    bram, anna = make_member(), make_member()
    quiet = make_thread(anna, title="Een stil onderwerp")
    set_thread_mail(bram.id, quiet.id, stopped=True)
    client = app.test_client()
    client.environ_base["HTTP_REFERER"] = "https://localhost/"  # Flask-WTF over https
    log_in(client, bram.email)

    page = client.get("/community/instellingen")
    assert page.status_code == 200
    assert re.search(r'<input checked id="email_mode-2"[^>]*value="weekly"', page.text)
    assert "Een stil onderwerp" in page.text
    # The members' form keeps its CSRF check.
    assert client.post("/community/instellingen", data={"email_mode": "never"}).status_code == 400
    assert mode_of(bram.id) is EmailMode.WEEKLY

    form = {"email_mode": "immediate", "csrf_token": _token(page.text)}
    assert client.post("/community/instellingen", data=form).status_code == 302
    assert mode_of(bram.id) is EmailMode.IMMEDIATE
    resume = f"/community/instellingen/onderwerp/{quiet.id}/hervatten"
    assert client.post(resume, data={"csrf_token": _token(page.text)}).status_code == 302
    db.session.expire_all()
    watch = db.session.get(ThreadWatch, (bram.id, quiet.id))
    assert watch is not None and not watch.mail_stopped
    assert "Een stil onderwerp" not in client.get("/community/instellingen").text
    bad = client.post("/community/instellingen", data={**form, "email_mode": "vaak"})
    assert bad.status_code == 200 and mode_of(bram.id) is EmailMode.IMMEDIATE

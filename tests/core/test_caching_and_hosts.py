"""HSTS, trusted hosts, and what caches may keep: never the back office or a member's pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kispub.accounts.models import Role, User
from kispub.community.models import FlagReason, MemberStatus
from kispub.community.services.domains import add_trusted_domain
from kispub.community.services.flagging import flag_post
from kispub.community.services.invitations import InviteLink, create_invite_link
from kispub.core.outbox import OutboxMessage
from kispub.extensions import db
from kispub.podcast import services as podcast_services
from kispub.podcast.models import EpisodeStatus
from kispub.podcast.services import EpisodeData, EpisodeFiles
from tests.ateliers.helpers import make_atelier, register
from tests.clock import freeze
from tests.community.discussion_helpers import make_thread, post_numbered
from tests.community.helpers import make_person
from tests.dossier.helpers import make_dossier, make_group, make_item
from tests.factories import make_user
from tests.jobs.helpers import queue
from tests.podcast.conftest import FIXTURES, make_series

HSTS = "max-age=31536000; includeSubDomains"


@pytest.mark.parametrize("path", ["/", "/inloggen", "/static/css/site.css", "/bestaat-niet"])
def test_https_sites_send_hsts_on_every_response(client: FlaskClient, path: str) -> None:
    with client.get(path) as response:
        assert response.headers["Strict-Transport-Security"] == HSTS


def test_plain_http_sites_send_no_hsts(make_app: Callable[..., Flask]) -> None:
    app = make_app(BASE_URL="http://127.0.0.1:5000")
    assert "Strict-Transport-Security" not in app.test_client().get("/").headers


@pytest.mark.parametrize("path", ["/", "/podcast", "/themas", "/inloggen", "/bestaat-niet"])
@pytest.mark.parametrize("host", ["evil.example", "kis.example.evil.example", "evil.example:443"])
def test_a_foreign_host_header_is_refused(client: FlaskClient, path: str, host: str) -> None:
    response = client.get(path, headers={"Host": host})
    assert response.status_code == 400
    assert "evil" not in response.headers.get("Location", "")
    assert "evil.example" not in response.text


@pytest.mark.parametrize("host", ["kis.example", "kis.example:443", "localhost", "127.0.0.1:5000"])
def test_the_sites_own_and_loopback_hosts_are_answered(client: FlaskClient, host: str) -> None:
    assert client.get("/", headers={"Host": host}).status_code == 200
    slash = client.get("/podcast", headers={"Host": host})
    assert slash.status_code in (301, 308)
    assert slash.headers["Location"].endswith("/podcast/")


def test_a_forwarded_host_is_checked_too(make_app: Callable[..., Flask]) -> None:
    app = make_app(PROXY_FIX=True)
    forged = app.test_client().get("/podcast", headers={"X-Forwarded-Host": "evil.example"})
    assert forged.status_code == 400


def test_trusted_hosts_can_be_configured(make_app: Callable[..., Flask]) -> None:
    app = make_app(TRUSTED_HOSTS=["www.kis.example"])
    assert app.test_client().get("/", headers={"Host": "www.kis.example"}).status_code == 200
    assert app.test_client().get("/", headers={"Host": "kis.example"}).status_code == 400


# --- caching ------------------------------------------------------------------------------


@pytest.fixture
def back_office(app: Flask) -> dict[str, Any]:
    """One of everything the back office edits, for the ids in its URLs."""
    series = make_series(app)
    with app.test_request_context(), (FIXTURES / "cbr_tagged.mp3").open("rb") as stream:
        draft = podcast_services.create_episode(
            series.id,
            EpisodeData(title="Concept", status=EpisodeStatus.DRAFT),
            EpisodeFiles(stream),
        ).item
    assert draft is not None
    atelier = make_atelier()
    registration = register(atelier)
    queue("test-message")
    message_id = db.session.scalar(db.select(OutboxMessage.id))
    staff = make_user(role=Role.ADMIN)
    invitation, _link = create_invite_link(staff, InviteLink(max_uses=5, days=7))
    return {
        "episode_id": draft.id,
        "series_id": series.id,
        "atelier_id": atelier.id,
        "registration_id": registration.id,
        "message_id": message_id,
        "user_id": make_person(MemberStatus.PENDING).id,
        "invitation_id": invitation.id,
        "domain_id": add_trusted_domain(staff, "gemeente.nl").id,
        **_moderation_ids(),
        **_dossier_ids(),
    }


def _dossier_ids() -> dict[str, Any]:
    """A dossier with a group and an item, for the dossier back office's URLs."""
    dossier = make_dossier()
    group = make_group(dossier)
    item = make_item(dossier, group_id=group.id)
    return {"dossier_id": dossier.id, "group_id": group.id, "item_id": item.id}


def _moderation_ids() -> dict[str, Any]:
    """A thread with a reported post, for the moderation pages' URLs."""
    thread = make_thread(make_user(), posts=2)
    post = post_numbered(thread.id, 2)
    review_id = flag_post(make_user(), post.id, FlagReason.SPAM).review_id
    return {"thread_id": thread.id, "post_id": post.id, "review_id": review_id, "action": "x"}


def _back_office_requests(app: Flask, ids: dict[str, Any]) -> list[tuple[str, str]]:
    """(method, url) for every back-office route; reads before writes."""
    adapter = app.url_map.bind("kis.example")
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/beheer"):
            continue
        url = adapter.build(rule.endpoint, {name: ids[name] for name in rule.arguments})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, url))
    assert len(found) >= 15
    return sorted(found, key=lambda pair: pair[0] != "GET")


def test_no_back_office_answer_is_ever_cacheable(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], back_office: dict[str, Any]
) -> None:
    anonymous = app.test_client()
    login_as(role=Role.ADMIN)
    for method, url in _back_office_requests(app, back_office):
        for who, browser in (("admin", client), ("anonymous", anonymous)):
            with browser.open(url, method=method) as answer:
                assert answer.status_code < 500, (method, url)
                assert answer.headers["Cache-Control"] == "private, no-store", (who, method, url)


def test_the_draft_preview_is_never_cached(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], back_office: dict[str, Any]
) -> None:
    login_as(role=Role.EDITOR)
    url = f"/beheer/podcast/aflevering/{back_office['episode_id']}/audio"
    for headers, status in (({}, 200), ({"Range": "bytes=0-9"}, 206)):
        with client.get(url, headers=headers) as response:
            assert response.status_code == status
            assert response.headers["Cache-Control"] == "private, no-store"


MEMBER_PAGES = [
    "/",
    "/account",
    "/themas/",
    "/podcast/",
    "/kennisateliers/",
    "/kennisateliers/mijn",
]


@pytest.mark.parametrize("path", MEMBER_PAGES)
def test_pages_for_a_logged_in_member_are_private(
    client: FlaskClient, login_as: Callable[..., User], path: str
) -> None:
    login_as(role=Role.MEMBER)
    response = client.get(path)
    assert response.status_code == 200
    directives = {part.strip() for part in response.headers["Cache-Control"].split(",")}
    assert "private" in directives and "public" not in directives


def test_what_is_the_same_for_everyone_stays_public_for_members(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    make_series(app)
    login_as(role=Role.MEMBER)
    feed = client.get("/kennisateliers.ics")
    with client.get("/static/css/site.css") as stylesheet:
        for response in (feed, stylesheet):
            directives = {part.strip() for part in response.headers["Cache-Control"].split(",")}
            assert "public" in directives and "private" not in directives


def test_anonymous_pages_keep_no_store(client: FlaskClient) -> None:
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_a_public_answer_that_refreshes_the_session_cookie_is_private(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    clock = freeze(app, datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
    login_as(role=Role.MEMBER)
    clock.advance(minutes=5)  # the session's "last seen" is due for a refresh
    feed = client.get("/kennisateliers.ics")
    assert "Set-Cookie" in feed.headers
    directives = {part.strip() for part in feed.headers["Cache-Control"].split(",")}
    assert "private" in directives and "public" not in directives
    again = client.get("/kennisateliers.ics")  # nothing to refresh: public as before
    assert "Set-Cookie" not in again.headers and "public" in again.headers["Cache-Control"]

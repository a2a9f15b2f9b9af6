"""Access with no exceptions: every community route, every person, every method.

The routes come from the app's URL map (tests/community/routes.py), so a route added later is
in the matrix without anyone editing this file: closed to anonymous visitors (to the login
page) and to everyone logged in without approved membership (403 with the reason), open to
approved members and moderators, and ``private, no-store`` on every answer. Outside the
members' blueprint only the joining pages are public, and nothing members write shows on any
public page, feed or theme page.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete
from werkzeug.datastructures import Headers
from werkzeug.routing import Rule

from kispub.accounts.models import Role, User
from kispub.community.access import COMMUNITY_CSP, NO_STORE
from kispub.community.models import Member, MemberStatus
from kispub.community.services.posting import reply
from kispub.content import demo_files, load_content
from kispub.core.database import write_transaction
from kispub.extensions import db
from kispub.podcast.models import Episode, Series
from kispub.themes.models import Theme
from tests.community.helpers import make_member, make_person
from tests.community.routes import MAIL, MEMBERS, PUBLIC, STAFF, Sample, calls, make_sample, rules
from tests.factories import DEFAULT_PASSWORD
from tests.second_factor import log_in as log_in_with_second_step

# The skeleton's seven members' endpoints; the full community has many more. An empty or
# shrunken URL map (a blueprint not registered) must not pass the matrix by testing nothing.
MIN_MEMBER_ROUTES = 7
# Every community endpoint an outsider may reach. A public endpoint that is not listed here
# fails test_only_the_listed_joining_pages_are_public: add it here on purpose, or not at all.
# The way in, and nothing else: none of these shows a word members wrote.
PUBLIC_ENDPOINTS = {
    "community_join.request_membership",
    "community_join.check_mail",
    "community_join.accept_invitation",
    "community_join.verify",
    "community_join.welcome",
    "community_join.received",
    # The stop links in community mail (RFC 8058 one-click unsubscribe, stop one thread): a
    # mail program POSTs without session, so they cannot be behind the door. They show no
    # word members wrote, and act only on a token signed with SECRET_KEY naming the member.
    "community_mail.unsubscribe",
    "community_mail.stop_thread",
}
CLOSED_PAGE = "Alleen voor leden van de community"  # the heading of the 403 door page
REASONS = {
    "unverified": "Bevestig eerst uw e-mailadres",
    "pending": "Uw aanvraag wacht op goedkeuring",
    "declined": "Uw aanvraag voor lidmaatschap is afgewezen",
    "suspended": "Uw lidmaatschap van de community is geschorst",
    "no membership": "U bent (nog) geen lid van de community",
}


@dataclass(frozen=True)
class Visitor:
    """A person in the access matrix, logged in on ``client`` (unless anonymous)."""

    kind: str
    client: FlaskClient
    sample: Sample


def log_in(client: FlaskClient, user: User) -> None:
    """The login form, and the second step with a real code for staff."""
    response = log_in_with_second_step(client, user, DEFAULT_PASSWORD)
    assert response.status_code == 302, response.text


def person(kind: str) -> User | None:
    """The person of one row of the matrix."""
    if kind == "anonymous":
        return None
    if kind == "member":
        return make_member()
    if kind == "moderator":
        return make_member(role=Role.MODERATOR)
    if kind == "no membership":  # logged in, never started joining (or the row is gone)
        user = make_person(MemberStatus.PENDING)
        with write_transaction() as session:
            session.execute(delete(Member).where(Member.user_id == user.id))
        return user
    return make_person(MemberStatus(kind))


@pytest.fixture
def visitor(request: pytest.FixtureRequest, app: Flask, client: FlaskClient) -> Visitor:
    """The matrix row's person, logged in, and a thread written by a member (them if they are)."""
    user = person(request.param)
    if user is not None:
        log_in(client, user)
    author = user if request.param in ("member", "moderator") else make_member()
    assert author is not None
    return Visitor(request.param, client, make_sample(author))


def _requests(app: Flask, sample: Sample) -> list[tuple[Rule, str, str]]:
    return [(rule, method, sample.url(rule)) for rule, method in calls(app, MEMBERS)]


def assert_private(headers: Headers, what: str) -> None:
    """The community's headers: no cache keeps it, no outside image or site learns of it."""
    assert headers["Cache-Control"] == NO_STORE, what
    assert headers["Content-Security-Policy"] == COMMUNITY_CSP, what
    assert headers["Referrer-Policy"] == "same-origin", what


def test_the_enumeration_finds_the_members_routes(app: Flask) -> None:
    found = rules(app, MEMBERS)
    assert len(found) >= MIN_MEMBER_ROUTES, [r.rule for r in found]
    endpoints = {r.endpoint for r in found}
    assert {"community.index", "community.theme", "community.thread", "community.post"} <= endpoints
    # Nothing else is mounted under /community and so skips the door by accident.
    under = {r.endpoint for r in app.url_map.iter_rules() if r.rule.startswith("/community")}
    assert {e for e in under if not e.startswith((MEMBERS, PUBLIC, MAIL))} == set()


@pytest.mark.parametrize("visitor", ["anonymous"], indirect=True)
def test_anonymous_visitors_are_sent_to_log_in_on_every_route(app: Flask, visitor: Visitor) -> None:
    for rule, method, url in _requests(app, visitor.sample):
        response = visitor.client.open(url, method=method)
        what = f"{method} {url} ({rule.endpoint})"
        if response.status_code == 401:  # a JSON endpoint may say so instead of redirecting
            assert response.is_json, what
        else:
            assert response.status_code == 302, what
            assert response.headers["Location"].startswith("/inloggen?next="), what
        assert_private(response.headers, what)


@pytest.mark.parametrize("visitor", list(REASONS), indirect=True)
def test_people_without_approved_membership_get_403_with_the_reason(
    app: Flask, visitor: Visitor
) -> None:
    reason = REASONS[visitor.kind]
    for rule, method, url in _requests(app, visitor.sample):
        response = visitor.client.open(url, method=method)
        what = f"{method} {url} ({rule.endpoint})"
        assert response.status_code == 403, what
        assert CLOSED_PAGE in response.text and reason in response.text, what
        assert_private(response.headers, what)


@pytest.mark.parametrize("visitor", ["member", "moderator"], indirect=True)
def test_approved_members_and_moderators_come_in_everywhere(app: Flask, visitor: Visitor) -> None:
    for rule, method, url in _requests(app, visitor.sample):
        response = visitor.client.open(url, method=method)
        what = f"{method} {url} ({rule.endpoint}): {response.status_code}"
        assert response.status_code < 500, what
        assert not response.headers.get("Location", "").startswith("/inloggen"), what
        # A refusal of one action (editing someone else's post) may be a 403, the door never.
        assert CLOSED_PAGE not in response.text, what
        if method == "GET":
            assert response.status_code != 403, what
        assert_private(response.headers, what)


def test_moderators_pages_are_closed_to_outsiders_and_plain_members(
    app: Flask, client: FlaskClient
) -> None:
    pairs = calls(app, STAFF)
    if not pairs:
        pytest.skip("no community_admin routes yet (the joining work adds them)")
    sample = make_sample(make_member())
    for rule, method in pairs:
        response = client.open(sample.url(rule), method=method)
        assert response.status_code == 302, rule.rule
        assert response.headers["Location"].startswith("/inloggen"), rule.rule
    log_in(client, make_member())
    for rule, method in pairs:
        assert client.open(sample.url(rule), method=method).status_code == 403, rule.rule


def test_only_the_listed_joining_pages_are_public(app: Flask) -> None:
    community = {
        r.endpoint
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("community")
        or r.rule.startswith(("/community", "/beheer/community"))
    }
    public = {e for e in community if not e.startswith((MEMBERS, STAFF))}
    assert public == PUBLIC_ENDPOINTS
    assert all(e.startswith((PUBLIC, MAIL)) for e in public)


def test_the_joining_pages_are_private_too(app: Flask, client: FlaskClient) -> None:
    for rule in rules(app, PUBLIC):
        if "GET" in (rule.methods or ()) and not rule.arguments:
            response = client.get(rule.build({})[1])  # type: ignore[index]
            assert response.status_code < 500, rule.rule
            assert_private(response.headers, rule.rule)


def test_images_only_from_the_site_and_no_referrer_to_other_sites(
    app: Flask, client: FlaskClient
) -> None:
    """A community page allows images from the site only: outside images are tracking pixels."""
    log_in(client, make_member())
    response = client.get("/community/")
    policy = dict(d.split(" ", 1) for d in response.headers["Content-Security-Policy"].split("; "))
    assert policy["img-src"] == "'self'"
    assert policy["default-src"] == "'self'" and policy["script-src"] == "'self'"
    assert response.headers["Referrer-Policy"] == "same-origin"
    # The rest of the site keeps its own policy.
    home = client.get("/")
    assert home.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_links_in_posts_send_no_referrer(app: Flask) -> None:
    author = make_member()
    sample = make_sample(author)
    post = reply(author, sample.thread_id, "Zie [het rapport](https://example.org/rapport).")
    assert 'href="https://example.org/rapport"' in post.html
    assert 'rel="noopener noreferrer nofollow"' in post.html


# --- nothing of the community on public pages -------------------------------------------


def _public_urls(app: Flask) -> list[str]:
    """Every public GET URL whose arguments can be filled with something that exists."""
    episodes = list(db.session.scalars(db.select(Episode)))
    known: dict[str, list[str]] = {
        "slug": [t.slug for t in db.session.scalars(db.select(Theme))] + _atelier_slugs(),
        "series": [s.slug for s in db.session.scalars(db.select(Series))],
        "episode": [e.slug for e in episodes],
        "guid": [e.guid for e in episodes[:1]],
    }
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        if rule.rule.startswith(("/community", "/beheer")):
            continue
        if not all(name in known for name in rule.arguments):
            continue  # a token or an id nobody outside has: not a page anyone can list
        names = sorted(rule.arguments)
        for values in itertools.product(*(known[name] for name in names)):
            built = rule.build(dict(zip(names, values, strict=True)))
            if built is not None:
                urls.append(built[1])
    return urls


def _atelier_slugs() -> list[str]:
    from kispub.ateliers.models import Atelier  # read only to list the public pages

    return [a.slug for a in db.session.scalars(db.select(Atelier))]


def test_nothing_members_write_appears_on_any_public_page(app: Flask, client: FlaskClient) -> None:
    for path in demo_files():
        load_content(path)
    marker = f"Geheimwoord{uuid.uuid4().hex[:12]}"
    author = make_member()
    make_sample(author, title=f"Onderwerp {marker}", body=f"Tekst {marker}")
    urls = _public_urls(app)
    assert {"/", "/themas/", "/themas/onderwijs", "/podcast/feed.xml"} <= set(urls)
    assert len(urls) >= 30
    pages = 0
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code == 200 and not response.mimetype.startswith(("audio/", "image/")):
            pages += 1
            assert marker not in response.get_data(as_text=True), url
    assert pages >= 20

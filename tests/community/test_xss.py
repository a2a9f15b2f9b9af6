"""Stored XSS: payloads in titles, bodies and profile fields come back inert on every page."""

from __future__ import annotations

from flask import Flask

from kispub.community.models import Member
from kispub.extensions import db
from tests.community.discussion_helpers import client_for
from tests.community.hostile import hostile_community
from tests.community.xss import PAYLOADS, assert_inert, live_markup


def test_the_checker_sees_every_payload_as_live_markup_when_unescaped() -> None:
    # Otherwise a page could pass because the checker is blind, not because it is safe.
    blind = [payload for payload in PAYLOADS if not live_markup(payload)]
    harmless_as_text = {p for p in PAYLOADS if p.startswith(("[klik]", "![x]", "{{", "@<"))}
    assert set(blind) <= harmless_as_text  # Markdown and template syntax: text until rendered
    assert len(PAYLOADS) >= 30


def test_every_payload_is_inert_on_every_page_it_reaches(app: Flask) -> None:
    hostile = hostile_community()
    client = client_for(app, hostile.reader)
    handle = db.session.get(Member, hostile.author.id).handle  # type: ignore[union-attr]
    urls = [
        "/community/",
        "/community/thema/participatie",
        "/community/thema/participatie?pagina=2",
        f"/community/leden/{handle}",
        "/community/leden?q=Aanvaller",
        "/community/leden?q=%3Cscript%3E",
        "/community/zoeken?q=xss",
        "/community/zoeken?q=%3Cscript%3Ewindow.__xss%3D1%3C%2Fscript%3E",
        f"/community/bericht/{hostile.edited_post_id}/versies",
        *(f"/community/onderwerp/{thread_id}" for thread_id in hostile.thread_ids),
        *(f"/community/onderwerp/{thread_id}?citeer=2" for thread_id in hostile.thread_ids[:5]),
    ]
    for url in urls:
        answer = client.get(url)
        assert answer.status_code == 200, url
        html = answer.get_data(as_text=True)
        assert "Eva Aanvaller" in html or "&lt;script&gt;" in html or "xss" in html, url
        assert_inert(html)

    own = client_for(app, hostile.author).get("/community/profiel")
    assert own.status_code == 200
    assert_inert(own.get_data(as_text=True))
    lookup = client.get("/community/leden.json?q=eva")
    # Data, not a page: the name comes back as it is, in JSON no browser will sniff as HTML.
    assert lookup.mimetype == "application/json"
    assert lookup.headers["X-Content-Type-Options"] == "nosniff"
    assert lookup.get_json()["members"][0]["name"] == PAYLOADS[0]

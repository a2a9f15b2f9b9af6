"""Stored XSS in a real browser: pages full of hostile input run nothing and load nothing.

The ``page`` fixture fails on any console error, which is where Chromium reports a script or
image the Content-Security-Policy blocked: a payload the HTML let through would show there
even where CSP stopped it.
"""

from __future__ import annotations

from typing import Any

from kispub.community.models import Member
from kispub.extensions import db
from tests.browser.conftest import log_in
from tests.community.hostile import hostile_community


def test_hostile_content_runs_nothing_in_chromium(page: Any, live_server: str) -> None:
    hostile = hostile_community()
    handle = db.session.get(Member, hostile.author.id).handle  # type: ignore[union-attr]
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith(live_server) else outside.append(request.url)
        ),
    )
    log_in(page, hostile.reader)

    for url in (
        "/community/thema/participatie",
        *(f"/community/onderwerp/{thread_id}" for thread_id in hostile.thread_ids[:8]),
        f"/community/leden/{handle}",
        "/community/leden?q=Aanvaller",
        "/community/zoeken?q=xss",
        f"/community/bericht/{hostile.edited_post_id}/versies",
    ):
        page.goto(url)
        page.wait_for_load_state("load")
        assert page.evaluate("typeof window.__xss") == "undefined", url

    assert dialogs == [] and outside == []

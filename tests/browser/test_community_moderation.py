"""Moderation in Chromium, at desktop and phone width: a member reports a post with the
keyboard-usable form, and the report form, the review queue, a round of reports, the
moderation pages and the log are axe-core clean (WCAG 2.1 AA) and fit the screen."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from kispub.community.models import FlagReason, FlagReview
from kispub.community.services.flagging import flag_post
from kispub.community.services.moderating import ThreadAction, thread_action
from kispub.community.services.posting import reply
from kispub.extensions import db
from tests.browser.conftest import assert_accessible, log_in
from tests.community.discussion_helpers import make_thread, post_numbered
from tests.community.helpers import make_member
from tests.community.moderation_helpers import moderator, newcomer

# What sticks out past the right edge of the window (to name it when a page does not fit).
OVERFLOWING = """[...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
    .slice(0, 5).map(e => e.tagName + ' ' + e.textContent.trim().slice(0, 40))"""


def check(page: Any, url: str | None = None) -> None:
    """The page (after going to ``url``) is axe-core clean and no wider than the window."""
    if url:
        page.goto(url)
    assert_accessible(page)
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, (page.url, page.evaluate(OVERFLOWING))


@pytest.mark.parametrize("width", [1280, 390])
def test_the_report_form_is_accessible_and_works(page: Any, width: int) -> None:
    author, reader = make_member(name="Karim Schrijver"), make_member(name="Lotte Lezer")
    thread = make_thread(author, posts=2, title="Werkervaringsplaatsen in de regio")
    second = post_numbered(thread.id, 2)
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, reader)
    page.goto(f"/community/onderwerp/{thread.id}")
    page.get_by_role("link", name="Meld bericht 2").click()
    expect(page.get_by_role("heading", name="Bericht 2 van Karim Schrijver melden")).to_be_visible()
    check(page)
    page.get_by_label("Anders").check()
    page.get_by_role("button", name="Melding versturen").click()  # "anders" without a text
    expect(page.get_by_role("alert")).to_be_visible()
    check(page)
    page.get_by_label("Toelichting").fill("Dit hoort in een ander thema.")
    page.get_by_role("button", name="Melding versturen").click()
    expect(page.get_by_text("Een moderator bekijkt uw melding")).to_be_visible()
    check(page, f"/community/bericht/{second.id}/melden")  # "already reported"


@pytest.mark.parametrize("width", [1280, 390])
def test_the_moderators_pages_are_accessible(page: Any, width: int) -> None:
    author = make_member(name="Karim Schrijver")
    thread = make_thread(author, posts=2, title="Een lange titel over inburgering " * 3)
    second = post_numbered(thread.id, 2)
    for _n in range(3):
        flag_post(make_member(), second.id, FlagReason.SPAM)
    held = reply(newcomer(name="Nieuw Lid"), thread.id, "Mijn eerste bericht, met **opmaak**.")
    mod = moderator(name="Mo Derator")
    thread_action(mod, thread.id, ThreadAction.PIN, "=Belangrijk voor iedereen")
    review_id = db.session.scalar(select(FlagReview.id))
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, mod)

    check(page, "/beheer/community/meldingen-van-leden")
    page.goto(f"/beheer/community/meldingen-van-leden/{review_id}")
    page.get_by_role("button", name="Beslissing opslaan").click()  # no decision, no reason
    expect(page.get_by_role("alert")).to_be_visible()
    check(page)
    page.get_by_label("Onterecht").check()
    page.get_by_label("Reden").fill("Geen spam, wel een link")
    page.get_by_role("button", name="Beslissing opslaan").click()
    expect(page.get_by_text("Beslist: Onterecht (teruggezet).")).to_be_visible()
    check(page, "/beheer/community/meldingen-van-leden?status=rejected")
    check(page, f"/beheer/community/meldingen-van-leden/{review_id}")
    for url in (
        "/beheer/community/ter-goedkeuring",
        f"/beheer/community/ter-goedkeuring/{held.id}",
        f"/beheer/community/onderwerp/{thread.id}",
        f"/beheer/community/bericht/{second.id}",
        "/beheer/community/leden?q=karim",
        f"/beheer/community/leden/{author.id}",
        "/beheer/community/moderatielog",
        "/beheer/community/moderatielog?actie=flag_rejected",
    ):
        check(page, url)

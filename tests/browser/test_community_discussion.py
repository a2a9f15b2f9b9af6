"""The discussion in a real browser: axe-core on every page type, and quoting and replying
with JavaScript switched off."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from kispub.accounts.models import Role
from kispub.community.services.posting import accept_answer, delete_post, edit_post
from tests.browser.conftest import assert_accessible, log_in
from tests.community.discussion_helpers import make_thread, post_numbered
from tests.community.helpers import make_member


def discussion(asker: Any, other: Any) -> int:
    """A question with an edited post, a deleted post, an accepted answer and two pages."""
    thread = make_thread(asker, posts=24, repliers=[asker, other], question=True)
    edit_post(other, post_numbered(thread.id, 3).id, "Aangepast: zie **de gids**.")
    delete_post(asker, post_numbered(thread.id, 4).id)
    accept_answer(asker, thread.id, 3)
    return thread.id


def test_every_discussion_page_is_accessible(page: Any) -> None:
    asker = make_member(name="Amina Yilmaz", role=Role.MODERATOR)
    other = make_member(name="Bram Visser")
    thread_id = discussion(asker, other)
    third = post_numbered(thread_id, 3)
    log_in(page, other)

    for url in (
        "/community/",
        "/community/thema/participatie",
        f"/community/onderwerp/{thread_id}",
        f"/community/onderwerp/{thread_id}?pagina=2",
        f"/community/onderwerp/{thread_id}?citeer=3",
        "/community/thema/participatie/nieuw",
        f"/community/bericht/{third.id}/bewerken",
        f"/community/bericht/{third.id}/verwijderen",
        f"/community/bericht/{third.id}/versies",
    ):
        page.goto(url)
        assert_accessible(page)
    # A form with its errors.
    page.goto("/community/thema/participatie/nieuw")
    page.get_by_role("button", name="Plaats onderwerp").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^Titel:")).click()
    expect(page.get_by_label("Titel")).to_be_focused()


def test_quote_and_reply_without_javascript(browser: Any, live_server: str) -> None:
    asker, other = make_member(name="Amina Yilmaz"), make_member(name="Bram Visser")
    thread = make_thread(asker, posts=2, repliers=[asker, other])
    context = browser.new_context(base_url=live_server, locale="nl-NL", java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, other)
        page.goto(f"/community/onderwerp/{thread.id}")
        page.get_by_role("link", name="Citeer bericht 1").click()
        reply = page.get_by_label("Uw reactie")
        expect(reply).to_have_value(re.compile(r"^> \*\*Amina Yilmaz\*\* schreef in bericht 1:"))
        reply.press("End")
        reply.press("Control+End")
        reply.type("Goed punt.")
        page.get_by_role("button", name="Plaats reactie").click()
        page.wait_for_url(re.compile(r"#bericht-3$"))
        article = page.get_by_role("article", name=re.compile("^Bericht 3 van Bram Visser"))
        expect(article.locator("blockquote")).to_contain_text("Wie heeft ervaring")
        expect(article).to_contain_text("Goed punt.")
    finally:
        context.close()

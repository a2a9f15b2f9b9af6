"""Notifications in a real browser: member A replies to member B's post, B sees the count in
the header and the notification, opens it; axe-core on the notifications page and the
watch-level forms, at desktop and phone width."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in
from tests.community.discussion_helpers import make_thread
from tests.community.helpers import make_member


def fits_the_screen(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("width", [1280, 390])
def test_a_reply_reaches_the_author_in_the_header_and_on_the_notifications_page(
    page: Any, browser: Any, live_server: str, width: int
) -> None:
    author = make_member(name="Bram Visser")
    replier = make_member(name="Amina Yilmaz")
    thread = make_thread(author, title="Taalcafés in de wijk")

    # Member A replies to B's opening post in a browser of their own.
    context = browser.new_context(base_url=live_server, locale="nl-NL")
    other = context.new_page()
    log_in(other, replier)
    other.goto(f"/community/onderwerp/{thread.id}?reageer=1")
    other.get_by_label("Uw reactie").fill("Bij ons werkt een taalcafé op dinsdagavond goed.")
    other.get_by_role("button", name="Plaats reactie").click()
    expect(other.get_by_text("Bij ons werkt een taalcafé")).to_be_visible()
    context.close()

    # Member B sees it.
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, author)
    link = page.get_by_role("link", name="Meldingen (1 ongelezen)")
    expect(link).to_be_visible()
    link.click()
    page.wait_for_url(re.compile(r"/community/meldingen$"))
    expect(page.get_by_role("heading", name="Meldingen", level=1)).to_be_visible()
    notification = page.get_by_role(
        "link", name=re.compile("^Amina Yilmaz reageerde op uw bericht in “Taalcafés in de wijk”")
    )
    expect(notification).to_be_visible()
    assert_accessible(page)
    assert fits_the_screen(page)

    notification.click()
    page.wait_for_url(re.compile(rf"/community/onderwerp/{thread.id}#bericht-2$"))
    expect(page.get_by_role("link", name="Meldingen", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Meldingen over dit onderwerp")).to_be_visible()
    assert_accessible(page)  # the thread page with its watch-level form
    assert fits_the_screen(page)

    # The level changes with the form, without JavaScript needed.
    page.get_by_label(re.compile("^Negeren")).check()
    page.get_by_role("button", name="Keuze bewaren").click()
    expect(page.get_by_text("U volgt dit onderwerp nu op niveau Negeren.")).to_be_visible()
    expect(page.get_by_label(re.compile("^Negeren"))).to_be_checked()

    page.goto("/community/thema/participatie")
    expect(page.get_by_role("heading", name="Meldingen over dit thema")).to_be_visible()
    assert_accessible(page)
    assert fits_the_screen(page)

"""The e-mail settings page and the stop links' pages in Chromium: axe-core clean, fitting a
phone, and working by keyboard-reachable buttons without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest

from kispub.community.models import EmailMode, Member
from kispub.community.services.email_settings import (
    set_thread_mail,
    stop_thread_url,
    unsubscribe_url,
)
from kispub.extensions import db
from tests.browser.conftest import assert_accessible, log_in
from tests.community.discussion_helpers import make_thread
from tests.community.helpers import make_member
from tests.community.mail_helpers import member_with_mode


def fits_the_screen(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def mode_of(user_id: int) -> EmailMode:
    db.session.rollback()  # a fresh snapshot: the server thread committed the change
    member = db.session.get(Member, user_id)
    assert member is not None
    return member.email_mode


@pytest.mark.parametrize("width", [1280, 390])
def test_the_settings_page_is_accessible_and_saves(page: Any, width: int) -> None:
    bram, anna = make_member(name="Bram Visser"), make_member()
    quiet = make_thread(anna, title="Een onderwerp waarover Bram geen e-mail meer wil " * 2)
    set_thread_mail(bram.id, quiet.id, stopped=True)
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, bram)
    page.goto("/community/instellingen")
    assert_accessible(page)
    assert fits_the_screen(page)

    page.get_by_label("Dagelijks overzicht").check()
    page.get_by_role("button", name="Instellingen opslaan").click()
    page.wait_for_selector(".flash")
    assert mode_of(bram.id) is EmailMode.DAILY
    assert_accessible(page)  # with the message that it was saved
    page.get_by_role("button", name="E-mail weer ontvangen over").click()
    page.wait_for_selector(".flash")
    assert "Een onderwerp waarover" not in page.content()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_stop_pages_are_accessible_and_their_buttons_work(
    page: Any, live_server: str, width: int
) -> None:
    bram = member_with_mode(EmailMode.IMMEDIATE)
    thread = make_thread(make_member())
    page.set_viewport_size({"width": width, "height": 800})
    for url, button in (
        (stop_thread_url(bram.id, thread.id), "Ja, geen e-mail meer over dit onderwerp"),
        (unsubscribe_url(bram.id), "Ja, afmelden"),
    ):
        page.goto(url.removeprefix(live_server))
        assert_accessible(page)
        assert fits_the_screen(page)
        page.get_by_role("button", name=button).click()
        page.wait_for_selector("h1:has-text('Afgemeld')")
        assert_accessible(page)
    assert mode_of(bram.id) is EmailMode.NEVER
    answer = page.goto("/community/afmelden/niet-van-ons")
    assert answer is not None and answer.status == 400
    assert_accessible(page)

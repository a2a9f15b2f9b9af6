"""The back office hub and the admins' account pages in a real browser, checked with axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from kispub.accounts.models import Role
from kispub.community.models import MemberStatus
from kispub.extensions import db
from tests.browser.conftest import assert_accessible, log_in
from tests.community.helpers import make_person
from tests.factories import make_user

WIDTHS = [1280, 390]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_hub_is_accessible_and_reached_from_the_header_by_keyboard(page, width: int) -> None:
    make_person(MemberStatus.PENDING, name="Piet Jansen")
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, make_user(role=Role.ADMIN, name="Anna Admin"))
    link = page.get_by_role("link", name="Beheer", exact=True)
    for _ in range(30):  # Tab through the header until the link has the focus
        page.keyboard.press("Tab")
        if link.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("the header's Beheer link is not reachable with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/beheer/$"))
    expect(page.get_by_role("heading", name="Beheer", level=1)).to_be_visible()
    for title in ("Podcast", "Community", "Kennisateliers", "Dossiers", "Gebruikers"):
        expect(page.locator("#inhoud").get_by_role("link", name=title, exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="1 aanvraag").click()
    expect(page.get_by_role("link", name="Piet Jansen")).to_be_visible()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_account_confirmation_pages_are_accessible_and_work(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    person = make_user(name="Piet Jansen", password=None)
    person_id = person.id
    log_in(page, make_user(role=Role.ADMIN, name="Anna Admin"))
    page.goto("/beheer/gebruikers")
    assert_accessible(page)

    page.get_by_role("link", name="Rol wijzigen (Piet Jansen)").click()
    expect(page.get_by_role("heading", name="Rol van Piet Jansen wijzigen")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Nieuwe rol").select_option("moderator")
    page.get_by_role("button", name="Rol wijzigen").click()
    expect(page.get_by_text("Piet Jansen is nu Moderator.")).to_be_visible()

    page.get_by_role("link", name="Uitnodiging opnieuw versturen (Piet Jansen)").click()
    assert_accessible(page)
    page.get_by_role("button", name="Uitnodiging versturen").click()
    expect(page.get_by_text("Een nieuwe uitnodiging is verstuurd")).to_be_visible()

    page.get_by_role("link", name="Schorsen (Piet Jansen)").click()
    expect(page.get_by_role("heading", name="Account van Piet Jansen schorsen")).to_be_visible()
    assert_accessible(page)
    page.get_by_label(re.compile("^Reden")).fill("Op eigen verzoek, tijdelijk")
    page.get_by_role("button", name="Account schorsen").click()
    expect(page.get_by_text("Het account van Piet Jansen is geschorst.")).to_be_visible()

    page.get_by_role("link", name="Heractiveren (Piet Jansen)").click()
    assert_accessible(page)
    page.get_by_role("button", name="Account heractiveren").click()
    expect(page.get_by_text("Het account van Piet Jansen is weer actief.")).to_be_visible()
    db.session.expire_all()
    assert db.session.get(type(person), person_id).active  # type: ignore[union-attr]


@pytest.mark.parametrize("width", WIDTHS)
def test_a_refused_change_is_explained_accessibly(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    admin = make_user(role=Role.ADMIN, name="Anna Admin")
    log_in(page, admin)
    page.goto(f"/beheer/gebruikers/{admin.id}/schorsen")
    page.get_by_role("button", name="Account schorsen").click()
    expect(page.get_by_role("alert")).to_contain_text("U kunt uw eigen account niet schorsen.")
    assert_accessible(page)

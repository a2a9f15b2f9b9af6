"""Home, login, reset and error pages in a real browser, checked with axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from kispub.accounts.models import Role
from kispub.core.database import write_transaction
from kispub.core.mail import build_message
from kispub.core.outbox import OutboxMessage, OutboxStatus, queue_mail
from kispub.extensions import db
from kispub.themes.services import ensure_default_themes
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.second_factor import next_code


@pytest.mark.parametrize(
    "path",
    ["/", "/inloggen", "/wachtwoord-vergeten", "/themas/", "/themas/onderwijs", "/bestaat-niet"],
)
def test_public_pages_are_accessible(page, path: str) -> None:
    ensure_default_themes()
    response = page.goto(path)
    assert response.status == (404 if path == "/bestaat-niet" else 200)
    assert page.locator("html").get_attribute("lang") == "nl"
    assert_accessible(page)


def test_keyboard_user_reaches_the_content_through_the_skip_link(page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    assert page.url.endswith("#inhoud")


def test_log_in_and_out_with_the_keyboard(page) -> None:
    user = make_user(role=Role.ADMIN, name="Anna Admin")
    code = next_code(user)  # an admin: a real code from the app (enrolled here directly)
    page.goto("/inloggen")
    page.get_by_label("E-mailadres").fill(user.email)
    page.get_by_label("Wachtwoord").fill(DEFAULT_PASSWORD)
    page.get_by_label("Wachtwoord").press("Enter")
    page.wait_for_url(re.compile(r"/inloggen/tweede-stap$"))
    page.get_by_label("Code").fill(code)
    page.get_by_label("Code").press("Enter")
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/beheer/gebruikers")
    expect(page.get_by_role("heading", name="Gebruikers")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Mijn account").click()
    expect(page.get_by_role("heading", name="Wachtwoord wijzigen")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_text("U bent uitgelogd.")).to_be_visible()


def test_wrong_password_shows_an_accessible_error(page) -> None:
    make_user(email="anna@example.org")
    page.goto("/inloggen")
    page.get_by_label("E-mailadres").fill("anna@example.org")
    page.get_by_label("Wachtwoord").fill("helemaal fout")
    page.get_by_role("button", name="Inloggen").click()
    alert = page.get_by_role("alert")
    assert "Onbekend e-mailadres of onjuist wachtwoord." in alert.inner_text()
    assert page.get_by_label("Wachtwoord").get_attribute("aria-invalid") == "true"
    assert_accessible(page)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_outbox_page_is_accessible_and_a_failed_message_can_be_sent_again(
    page, width: int
) -> None:
    admin = make_user(role=Role.ADMIN)
    with write_transaction():
        message = build_message("anna@example.org", "Bevestiging", "Tot dan!", key="mislukt")
        queue_mail(message, "mislukt")  # delivered at once: the tests run jobs immediately
        db.session.execute(
            update(OutboxMessage).values(status=OutboxStatus.FAILED, last_error="550 nee")
        )
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, admin)
    page.goto("/beheer/outbox")
    expect(page.get_by_role("cell", name="550 nee")).to_be_visible()
    assert_accessible(page)
    retry = re.compile(r"^Opnieuw versturen\W+Bevestiging aan anna@example\.org$")
    page.get_by_role("button", name=retry).click()
    expect(page.get_by_role("cell", name="Verstuurd", exact=True)).to_be_visible()
    assert_accessible(page)

"""Staff's second factor in a real browser: the enrolment page (with its QR code as inline
SVG) and the code page are WCAG 2.1 AA clean at desktop and phone widths, the strict CSP
lets the QR code render, and a whole login works with the keyboard and a real code."""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest
from playwright.sync_api import expect

from kispub.accounts.models import Role
from kispub.core import clock
from tests.browser.conftest import assert_accessible
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.second_factor import enrol, next_code


def _password(page: Any, email: str, path: str = "/inloggen") -> None:
    page.goto(path)
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


@pytest.mark.parametrize("width", [1280, 390])
def test_enrolment_and_code_pages_are_accessible(page: Any, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    editor = make_user(role=Role.EDITOR, name="Eva Redacteur")
    _password(page, editor.email)
    page.wait_for_url(re.compile(r"/inloggen/tweede-stap/instellen$"))
    qr = page.get_by_role("img", name=re.compile("QR-code"))
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box is not None and box["width"] >= 150 and box["width"] <= width  # scannable
    assert_accessible(page)

    page.get_by_label("Code uit de app").fill("000000")
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.get_by_role("alert")).to_be_visible()  # the error summary
    assert page.get_by_label("Code uit de app").get_attribute("aria-invalid") == "true"
    assert_accessible(page)

    secret = page.locator(".totp-secret code").inner_text().replace(" ", "")
    page.get_by_label("Code uit de app").fill(pyotp.TOTP(secret).at(clock.now()))
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.get_by_role("heading", name="Uw herstelcodes")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    assert_accessible(page)
    page.get_by_role("link", name="Ik heb de codes bewaard, ga verder").click()
    page.get_by_role("button", name=re.compile("Uitloggen")).click()

    _password(page, editor.email)
    page.wait_for_url(re.compile(r"/inloggen/tweede-stap$"))
    assert_accessible(page)
    page.get_by_label("Code").fill("12345")
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)


def test_a_whole_staff_login_with_the_keyboard_and_a_real_code(page: Any) -> None:
    admin = make_user(role=Role.ADMIN, name="Anna Beheer")
    enrol(admin)
    page.goto("/inloggen?next=/beheer/gebruikers")
    page.get_by_label("E-mailadres").focus()
    page.keyboard.type(admin.email)
    page.keyboard.press("Tab")
    page.keyboard.type(DEFAULT_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/inloggen/tweede-stap$"))
    code_field = page.get_by_label("Code")
    assert code_field.get_attribute("autocomplete") == "one-time-code"
    # The code field is the first field of the form: reached from the skip link with Tab.
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Enter")
    while not code_field.evaluate("el => el === document.activeElement"):
        page.keyboard.press("Tab")
    page.keyboard.type(next_code(admin))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/beheer/gebruikers(#inhoud)?$"))  # the skip link's anchor stays
    expect(page.get_by_role("heading", name="Gebruikers")).to_be_visible()
    assert_accessible(page)

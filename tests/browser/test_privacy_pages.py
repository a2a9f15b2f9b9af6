"""The AVG pages in Chromium, at desktop and phone width: the account page's data section
before and after an export, the delete-confirmation page (also with an error) and the admin's
version of it: axe-core clean and nothing wider than the screen."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from kispub.accounts.models import Role
from tests.accounts.privacy_helpers import give_data
from tests.browser.conftest import assert_accessible, log_in
from tests.community.helpers import make_member


def fits_the_screen(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def check(page: Any) -> None:
    assert_accessible(page)
    assert fits_the_screen(page), page.url


@pytest.mark.parametrize("width", [1280, 390])
def test_the_data_section_export_and_delete_pages_are_accessible(page: Any, width: int) -> None:
    anna = make_member(name="Anna de Vries-van Oosterhout", organisation="Gemeente Heuvelstad")
    give_data(anna, make_member(), marker="ANNA", other_marker="ANDER")
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, anna)

    page.goto("/account")
    check(page)
    page.get_by_role("button", name="Kopie van mijn gegevens aanvragen").click()
    page.wait_for_url("**/account#uw-gegevens")
    assert page.get_by_text("Uw gegevens staan klaar.").is_visible()
    check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download uw gegevens").click()
    assert download.value.suggested_filename.startswith("kis-gegevens-")

    page.get_by_role("link", name="Mijn account verwijderen").click()
    check(page)
    page.get_by_label("Uw wachtwoord").fill("niet het goede wachtwoord")
    page.get_by_role("button", name="Mijn account definitief verwijderen").click()
    # expect() waits for the answer to the POST; a bare is_visible() raced it
    expect(page.get_by_text("Het wachtwoord klopt niet.").first).to_be_visible()
    check(page)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_admins_delete_page_is_accessible(page: Any, width: int) -> None:
    admin = make_member(role=Role.ADMIN)
    person = make_member(name="Bram Bakker", email="bram@example.org")
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, admin)
    page.goto("/beheer/gebruikers")
    check(page)
    page.goto(f"/beheer/gebruikers/{person.id}/verwijderen")
    check(page)
    page.get_by_role("button", name="Account definitief verwijderen").click()
    expect(page.get_by_text("Dit veld is verplicht.").first).to_be_visible()
    check(page)

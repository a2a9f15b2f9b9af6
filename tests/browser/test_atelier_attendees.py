"""Editors managing attendees in a real browser: the list, removing, promoting, mailing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kispub.accounts.models import Role
from kispub.ateliers.models import RegistrationStatus
from kispub.ateliers.queries import attendees
from kispub.extensions import db
from tests.ateliers.helpers import make_atelier, register
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import make_user

WIDTHS = [1280, 390]


def check(page: Any) -> None:
    """axe-core clean, and no wider than the window."""
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def people(atelier_id: int) -> list[tuple[str, RegistrationStatus]]:
    db.session.rollback()  # see what the server committed
    return [(r.email, r.status) for r in attendees(atelier_id)]


@pytest.fixture
def atelier(app: Any) -> Any:
    atelier = make_atelier(title="Inburgering en participatie van statushouders", capacity=1)
    register(atelier, "anna@example.org", name="Anna de Vries", organisation="Gemeente Utrecht")
    register(atelier, "bram@example.org", name="Bram Wachter")
    return atelier


def open_list(page: Any, atelier: Any, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, make_user(role=Role.EDITOR))
    page.goto(f"/beheer/ateliers/{atelier.id}/deelnemers")


@pytest.mark.parametrize("width", WIDTHS)
def test_adding_and_removing_an_attendee(page: Any, atelier: Any, width: int) -> None:
    open_list(page, atelier, width)
    expect(page.get_by_text("1 plaats", exact=False).first).to_be_visible()
    check(page)

    page.get_by_role("link", name="Deelnemer toevoegen").click()
    page.get_by_role("button", name="Toevoegen").click()  # empty: errors
    expect(page.get_by_role("alert")).to_be_visible()
    check(page)
    page.get_by_label("Naam").fill("Piet Telefoon")
    page.get_by_label("E-mailadres").fill("piet@example.org")
    page.get_by_role("button", name="Toevoegen").click()
    expect(page.get_by_text("Piet Telefoon staat op de wachtlijst")).to_be_visible()

    page.get_by_role("link", name=re.compile(r"^Afmelden\s?: Anna de Vries$")).click()
    expect(page.get_by_role("heading", name="Anna de Vries afmelden?")).to_be_visible()
    expect(
        page.get_by_text("De vrije plaats gaat naar de eerste op de wachtlijst, Bram")
    ).to_be_visible()
    check(page)
    page.get_by_role("button", name="Afmelden").click()
    page.wait_for_url(re.compile(rf"/beheer/ateliers/{atelier.id}/deelnemers$"))
    expect(page.get_by_text("De vrije plaats ging naar Bram Wachter.")).to_be_visible()
    check(page)
    assert people(atelier.id) == [
        ("bram@example.org", RegistrationStatus.REGISTERED),
        ("piet@example.org", RegistrationStatus.WAITLISTED),
    ]


@pytest.mark.parametrize("width", WIDTHS)
def test_promoting_above_capacity_is_confirmed(page: Any, atelier: Any, width: int) -> None:
    open_list(page, atelier, width)
    page.get_by_role("button", name=re.compile(r"^Plaats geven\s?: Bram Wachter$")).click()
    expect(page.get_by_role("heading", name="Bram Wachter een plaats geven?")).to_be_visible()
    check(page)
    page.get_by_role("button", name="Toch een plaats geven").click()
    expect(page.get_by_text("Bram Wachter heeft een plaats gekregen")).to_be_visible()
    check(page)
    assert [status for _email, status in people(atelier.id)] == [RegistrationStatus.REGISTERED] * 2


@pytest.mark.parametrize("width", WIDTHS)
def test_mailing_the_attendees(page: Any, atelier: Any, width: int) -> None:
    open_list(page, atelier, width)
    page.get_by_role("link", name="E-mail aan deelnemers").click()
    page.get_by_role("button", name="Verder").click()  # empty: errors
    expect(page.get_by_role("alert")).to_be_visible()
    check(page)
    page.get_by_label("Onderwerp").fill("Routebeschrijving")
    page.get_by_label("Bericht").fill("De ingang is aan de achterkant.\n\nTot dan!")
    page.get_by_label("Wie een plaats heeft en de wachtlijst").check()
    page.get_by_role("button", name="Verder").click()
    expect(page.get_by_text("Dit bericht gaat naar 2 personen.")).to_be_visible()
    check(page)
    page.get_by_role("button", name="Versturen").click()
    expect(page.get_by_text("Het bericht gaat naar 2 personen.")).to_be_visible()
    check(page)

"""The dossier back office in Chromium: an item made through the forms and reordered with
JavaScript switched off, and axe-core on every back-office page, at desktop and phone width."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from kispub.accounts.models import Role
from kispub.dossier.models import ItemKind
from tests.ateliers.helpers import make_atelier
from tests.browser.conftest import assert_accessible, log_in
from tests.dossier.helpers import make_dossier, make_group, make_item
from tests.factories import make_theme, make_user


@pytest.fixture
def dossier(app: Any, live_server: str) -> Any:
    make_theme("Participatie")
    dossier = make_dossier(slug="coronadossier", title="Coronadossier")
    group = make_group(dossier, "Nieuwe migratie")
    make_group(dossier, "Participatie")
    make_item(dossier, title="Corona helpdesk voor statushouders gestart", group_id=group.id)
    make_item(dossier, ItemKind.INFOGRAPHIC, title="Inclusief communiceren", group_id=group.id)
    make_item(dossier, title="Nog een concept", published_at=None)
    make_atelier(title="Corona, spanningen en lokaal bestuur")
    return dossier


@pytest.fixture
def no_script_page(browser: Any, live_server: str) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server, locale="nl-NL", java_script_enabled=False)
    yield context.new_page()
    context.close()


def hidden_part(visible: str, title: str) -> re.Pattern[str]:
    """A control's name: its visible word and the (visually hidden) title it acts on."""
    return re.compile(rf"^{re.escape(visible)}\s*: {re.escape(title)}$")


def items_of(page: Any, group: str) -> Any:
    section = page.locator("section.dossier-admin-group").filter(
        has=page.get_by_role("heading", name=group, exact=True)
    )
    return section.locator(".dossier-admin-title")


def test_an_item_is_added_and_moved_without_javascript(no_script_page: Any, dossier: Any) -> None:
    page = no_script_page
    log_in(page, make_user(role=Role.EDITOR))
    page.goto("/coronadossier")
    page.get_by_role("link", name="Dit dossier beheren").click()
    page.get_by_role("link", name="Nieuw item").click()
    page.get_by_label("Artikel", exact=True).check()
    page.get_by_role("button", name="Verder").click()
    page.wait_for_url(re.compile(r"soort=artikel"))

    page.get_by_role("button", name="Toevoegen").click()  # empty: the form says what is wrong
    expect(page.get_by_role("alert")).to_contain_text("Titel: Dit veld is verplicht.")
    page.get_by_label("Titel", exact=True).fill("Thuiswerken en inburgering")
    page.get_by_label("Tekst (HTML-versie)").fill("Wat thuiswerken betekent.")
    page.get_by_label("Groep").select_option(label="Nieuwe migratie")
    page.get_by_label("Participatie").check()
    page.get_by_label("Datum").fill("2020-06-01")
    page.get_by_label("Gepubliceerd (nu, of blijft gepubliceerd)").check()
    page.get_by_role("button", name="Toevoegen").click()
    expect(page.get_by_text("Het item is toegevoegd.")).to_be_visible()
    expect(items_of(page, "Nieuwe migratie")).to_have_text(
        ["Thuiswerken en inburgering", "Inclusief communiceren",
         "Corona helpdesk voor statushouders gestart"]
    )  # fmt: skip

    page.get_by_role("button", name=hidden_part("Omlaag", "Thuiswerken en inburgering")).click()
    expect(items_of(page, "Nieuwe migratie")).to_have_text(
        ["Inclusief communiceren", "Thuiswerken en inburgering",
         "Corona helpdesk voor statushouders gestart"]
    )  # fmt: skip
    page.get_by_role("button", name=hidden_part("Omhoog", "Participatie")).click()
    headings = page.locator("section.dossier-admin-group h3")
    expect(headings).to_have_text(["Participatie", "Nieuwe migratie", "Overig (geen groep)"])

    page.goto("/coronadossier")
    entries = page.locator("#groep-nieuwe-migratie ~ ul .dossier-entry h3")
    expect(entries).to_have_text(
        ["Inclusief communiceren", "Thuiswerken en inburgering",
         "Corona helpdesk voor statushouders gestart"]
    )  # fmt: skip


@pytest.mark.parametrize("width", [1280, 390])
def test_the_back_office_pages_are_accessible(page: Any, dossier: Any, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, make_user(role=Role.EDITOR))
    item = dossier.id  # most pages below are reached by their links, as an editor would
    page.goto("/beheer/dossiers/")
    assert_accessible(page)
    page.locator("#inhoud").get_by_role("link", name="Coronadossier", exact=True).click()
    expect(page).to_have_title(re.compile("^Beheren: Coronadossier"))
    assert_accessible(page)
    page.get_by_role("link", name="Dossier bewerken").click()
    page.get_by_label("Titel").fill("")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)
    page.goto(f"/beheer/dossiers/{item}")
    page.get_by_role("link", name=hidden_part("Groep bewerken", "Participatie")).click()
    expect(page).to_have_title(re.compile("^Groep bewerken: Participatie"))
    assert_accessible(page)
    page.goto(f"/beheer/dossiers/{item}/items/nieuw")
    assert_accessible(page)
    page.goto(f"/beheer/dossiers/{item}/items/nieuw?soort=kennisatelier&zoek=corona")
    expect(page.get_by_label(re.compile("Corona, spanningen en lokaal bestuur"))).to_be_visible()
    page.get_by_role("button", name="Toevoegen").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)
    page.goto(f"/beheer/dossiers/{item}")
    page.get_by_role("link", name="Inclusief communiceren", exact=True).click()
    expect(page).to_have_title(re.compile("^Bewerken: Inclusief communiceren"))
    assert_accessible(page)
    page.goto(f"/beheer/dossiers/{item}")
    page.get_by_role("link", name=hidden_part("Verwijderen", "Nog een concept")).click()
    expect(page).to_have_title(re.compile("^Verwijderen: Nog een concept"))
    assert_accessible(page)
    page.goto(f"/beheer/dossiers/{item}")
    page.get_by_role("link", name="Voorbeeld bekijken").click()
    expect(page).to_have_title(re.compile("^Coronadossier"))
    expect(page.get_by_role("link", name="Nog een concept")).to_be_visible()
    assert_accessible(page)

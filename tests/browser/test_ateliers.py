"""Kennisateliers in a real browser: registering, the calendar menu, axe-core on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from kispub.accounts.models import Role
from kispub.ateliers.queries import attendees
from kispub.core.links import LinkedItem, register_content_kind
from kispub.extensions import db
from tests.ateliers.helpers import make_atelier, move_to, register, soon
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import make_theme, make_user


@pytest.fixture
def atelier(app):
    theme = make_theme("Nieuwe migratie")
    return make_atelier(
        title="Inburgering en participatie van statushouders",
        theme_slugs=(theme.slug,),
        capacity=2,
        online=True,
        online_url="https://meet.example/atelier",
        speakers=(),
    )


def test_list_page_is_accessible(page, atelier) -> None:
    past = make_atelier(title="Institutioneel racisme")
    move_to(past, soon(days=-300))
    page.goto("/kennisateliers/")
    expect(page.get_by_role("heading", name="Binnenkort")).to_be_visible()
    expect(page.get_by_role("link", name=atelier.title)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Nieuwe migratie").first.click()
    page.wait_for_url(re.compile(r"thema=nieuwe-migratie"))
    assert_accessible(page)


def test_atelier_page_and_its_calendar_menu_are_accessible(page, atelier) -> None:
    page.goto(f"/kennisateliers/{atelier.slug}")
    menu = page.locator("details.calendar-menu")
    expect(page.get_by_role("link", name="Google Agenda")).to_be_hidden()
    assert_accessible(page)
    menu.locator("summary").focus()
    page.keyboard.press("Enter")  # opens without JavaScript of our own
    expect(page.get_by_role("link", name="Google Agenda")).to_be_visible()
    expect(page.get_by_role("link", name="Agendabestand downloaden (.ics)")).to_be_visible()
    assert_accessible(page)


def test_registering_in_the_browser(page, atelier) -> None:
    page.goto(f"/kennisateliers/{atelier.slug}")
    page.get_by_role("link", name="Aanmelden").click()
    page.wait_for_url(re.compile(r"/aanmelden$"))
    assert_accessible(page)
    page.get_by_label("Naam").fill("Anna de Vries")
    page.get_by_label("E-mailadres").fill("anna@example.org")
    page.get_by_label("Organisatie").fill("Gemeente Voorbeeldstad")
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url(re.compile(rf"/kennisateliers/{atelier.slug}$"))

    expect(page.get_by_text("U bent aangemeld. We hebben een bevestiging gestuurd")).to_be_visible()
    expect(page.get_by_text("Nog 1 plaats vrij")).to_be_visible()
    db.session.rollback()  # see what the server committed
    assert [r.email for r in attendees(atelier.id)] == ["anna@example.org"]
    assert_accessible(page)


def test_registration_errors_are_accessible(page, atelier) -> None:
    page.goto(f"/kennisateliers/{atelier.slug}/aanmelden")
    page.get_by_label("E-mailadres").fill("geen adres")
    page.get_by_role("button", name="Aanmelden").click()
    alert = page.get_by_role("alert")

    assert "Dit veld is verplicht." in alert.inner_text()
    assert page.get_by_label("Naam").get_attribute("aria-invalid") == "true"
    assert_accessible(page)


def test_full_atelier_and_member_pages_are_accessible(page, atelier) -> None:
    register(atelier)
    register(atelier)
    member = make_user(email="lid@example.org")
    log_in(page, member)
    page.goto(f"/kennisateliers/{atelier.slug}/aanmelden")
    assert page.get_by_label("E-mailadres").input_value() == "lid@example.org"
    page.get_by_role("button", name="Aanmelden voor de wachtlijst").click()
    expect(page.get_by_text("Het kennisatelier is vol: u staat op de wachtlijst")).to_be_visible()
    assert_accessible(page)
    page.goto("/kennisateliers/mijn")
    page.get_by_role("button", name="Agenda-adres maken").click()
    expect(page.get_by_label("Uw agenda-adres")).to_have_value(re.compile(r"\.ics$"))
    assert_accessible(page)


def test_editor_form_is_accessible(page, atelier) -> None:
    editor = make_user(role=Role.EDITOR)
    log_in(page, editor)
    page.goto("/beheer/ateliers/")
    assert_accessible(page)
    page.goto(f"/beheer/ateliers/{atelier.id}/bewerken")
    page.get_by_label("Einde").fill("2020-01-01T10:00")
    page.get_by_role("button", name="Opslaan").click()
    assert "Het einde moet na het begin liggen." in page.get_by_role("alert").inner_text()
    assert_accessible(page)


def test_editor_picks_related_episodes_by_title(app, page, atelier) -> None:
    episodes = [
        LinkedItem("episode", n, title, f"/podcast/{n}", meta=f"Denkers en doeners · {n}")
        for n, title in enumerate(("Bert Wijbenga", "Shame sexting", "Abdellah Mehraz"), 1)
    ]
    register_content_kind(
        app,
        "episode",
        lambda ids: [e for e in episodes if e.id in ids],
        label="Podcastafleveringen",
        choices=lambda: episodes,
    )
    editor = make_user(role=Role.EDITOR)
    log_in(page, editor)
    page.goto(f"/beheer/ateliers/{atelier.id}/bewerken")
    group = page.get_by_role("group", name="Podcastafleveringen")
    group.get_by_label("Bert Wijbenga").check()
    group.get_by_label("Abdellah Mehraz").check()
    assert_accessible(page)
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("De wijzigingen zijn opgeslagen.")).to_be_visible()
    assert (
        page.get_by_role("group", name="Podcastafleveringen")
        .get_by_label("Abdellah Mehraz")
        .is_checked()
    )

    page.goto(f"/kennisateliers/{atelier.slug}")
    related = page.get_by_role("region", name="Luister ook")
    expect(related.get_by_role("link", name="Bert Wijbenga")).to_be_visible()
    expect(related.get_by_role("link", name="Abdellah Mehraz")).to_be_visible()
    assert related.get_by_role("link", name="Shame sexting").count() == 0


@pytest.mark.parametrize("width", [1280, 390])
def test_cancel_confirmation_page(page, atelier, width) -> None:
    register(atelier, "anna@example.org", name="Anna Zit")
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, make_user(role=Role.EDITOR))
    page.goto(f"/beheer/ateliers/{atelier.id}/bewerken")
    assert page.get_by_label("Status").locator("option[value=cancelled]").count() == 0
    page.get_by_role("link", name="Kennisatelier annuleren").click()
    page.wait_for_url(re.compile(r"/annuleren$"))
    expect(page.get_by_text("Anna Zit <anna@example.org>")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Ja, annuleer dit kennisatelier").click()
    page.wait_for_url(re.compile(r"/bewerken$"))
    expect(
        page.get_by_text("Het kennisatelier is geannuleerd. 1 persoon krijgt een e-mail.")
    ).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("width", [1280, 390])
def test_capacity_confirmation_page(page, atelier, width) -> None:
    register(atelier, "anna@example.org", name="Anna Eerst")
    register(atelier, "bob@example.org", name="Bob Laatst")
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, make_user(role=Role.EDITOR))
    page.goto(f"/beheer/ateliers/{atelier.id}/bewerken")
    page.get_by_label("Aantal plaatsen").fill("1")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("alert")).to_contain_text("Er zijn al 2 aanmeldingen")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Minder plaatsen instellen")).click()
    page.wait_for_url(re.compile(r"/plaatsen\?aantal=1$"))
    expect(page.get_by_text("Bob Laatst <bob@example.org>")).to_be_visible()
    assert page.get_by_text("Anna Eerst").count() == 0
    assert_accessible(page)
    page.get_by_role("button", name="Ja, stel 1 plaats in").click()
    page.wait_for_url(re.compile(r"/bewerken$"))
    expect(page.get_by_text("1 aanmelding staat weer op de wachtlijst")).to_be_visible()
    db.session.rollback()  # see what the server committed
    assert [(r.email, r.status.value) for r in attendees(atelier.id)] == [
        ("anna@example.org", "registered"),
        ("bob@example.org", "waitlisted"),
    ]


@pytest.mark.parametrize("width", [1280, 390])
def test_preview_page_of_a_draft(page, app, width) -> None:
    from kispub.ateliers.models import AtelierPublication

    draft = make_atelier(title="Nog niet openbaar", publication=AtelierPublication.DRAFT)
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, make_user(role=Role.EDITOR))
    page.goto(f"/beheer/ateliers/{draft.id}/bewerken")
    expect(page.get_by_text("De link werkt tot")).to_be_visible()
    assert_accessible(page)
    url = page.locator("a[href*='/kennisateliers/voorbeeld/']").get_attribute("href")
    page.context.clear_cookies()  # whoever holds the link, without an account
    response = page.goto(url)
    assert response.status == 200
    assert response.headers["x-robots-tag"] == "noindex"
    expect(page.get_by_text("Voorbeeld — nog niet gepubliceerd.")).to_be_visible()
    expect(page.get_by_role("heading", name="Nog niet openbaar")).to_be_visible()
    assert page.get_by_role("link", name="Aanmelden").count() == 0
    assert_accessible(page)

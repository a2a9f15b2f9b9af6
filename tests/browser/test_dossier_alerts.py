"""Asking for e-mail about a dossier's new items in Chromium: the form, the confirm button
behind the mailed link and the unsubscribe page, axe-core clean, fitting a phone, working
without JavaScript."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kispub.dossier.alert_tokens import unsubscribe_url
from kispub.dossier.models import AlertFrequency, DossierSubscription
from kispub.extensions import db
from tests.browser.conftest import assert_accessible
from tests.dossier.alert_helpers import text
from tests.dossier.helpers import make_dossier
from tests.factories import make_theme


def fits_the_screen(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def subscriptions() -> list[DossierSubscription]:
    db.session.rollback()  # a fresh snapshot: the server thread committed the change
    return list(db.session.scalars(db.select(DossierSubscription)))


def link_in(mail: Any, path: str, live_server: str) -> str:
    found = re.search(rf"{re.escape(live_server)}({re.escape(path)}\S+)", text(mail))
    assert found, text(mail)
    return found[1]


@pytest.mark.parametrize("width", [1280, 390])
def test_ask_confirm_and_stop_by_buttons(page: Any, live_server: str, outbox, width: int) -> None:
    make_theme("Participatie")
    make_dossier(title="Coronadossier", slug="corona")
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/dossiers/corona?thema=participatie")
    page.get_by_role("link", name="Ontvang e-mail bij nieuwe items").click()
    expect(page.get_by_role("heading", name="Ontvang e-mail bij nieuwe items")).to_be_visible()
    assert_accessible(page)
    assert fits_the_screen(page)
    page.get_by_label("E-mailadres").fill("noor@example.org")
    page.get_by_label("Wekelijks").check()
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("heading", name="Kijk in uw mailbox")).to_be_visible()
    assert_accessible(page)

    [mail] = outbox()
    page.goto(link_in(mail, "/dossiers/e-mail/bevestigen/", live_server))
    expect(page.get_by_text("Alle items over Participatie")).to_be_visible()
    assert_accessible(page)
    assert fits_the_screen(page)
    page.get_by_role("button", name="Ja, stuur mij deze e-mail").click()
    expect(page.locator(".flash")).to_contain_text("U krijgt voortaan e-mail")
    [subscription] = subscriptions()
    assert subscription.frequency is AlertFrequency.WEEKLY and subscription.confirmed_at

    page.goto(unsubscribe_url(subscription.id, subscription.email).removeprefix(live_server))
    assert_accessible(page)
    page.get_by_role("button", name="Ja, afmelden").click()
    expect(page.get_by_role("heading", name="Afgemeld")).to_be_visible()
    assert_accessible(page)
    assert subscriptions() == []
    answer = page.goto("/dossiers/e-mail/afmelden/niet-van-ons")
    assert answer is not None and answer.status == 400
    assert_accessible(page)

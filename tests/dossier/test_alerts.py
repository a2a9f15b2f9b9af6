"""Asking for e-mail about a dossier's new items: double opt-in, the same answer for every
address, the confirm and unsubscribe links (GET asks, POST acts), bad links, clean-up, AVG."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from itsdangerous import URLSafeSerializer

from kispub.accounts.privacy import Erasure
from kispub.core.database import write_transaction
from kispub.core.outbox import OutboxMessage
from kispub.dossier.models import AlertFrequency, DossierSubscription
from kispub.dossier.privacy import alerts_section
from kispub.dossier.services.alert_sending import announce_new_items
from kispub.dossier.services.alerts import erase_subscriber, purge_unconfirmed
from kispub.extensions import db
from tests.clock import freeze
from tests.dossier.alert_helpers import (
    ask,
    confirm_link,
    mails_to,
    stranger,
    subscribe,
    subscription,
    text,
    unsubscribe_link,
)
from tests.dossier.helpers import make_dossier, make_item
from tests.factories import make_theme, make_user

NOW = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)
CHECK_MAIL = "/dossiers/corona/e-mail/verstuurd"


@pytest.fixture
def clock(app):
    return freeze(app, NOW)


@pytest.fixture
def dossier(app, clock):
    make_theme("Participatie")
    return make_dossier(title="Coronadossier", slug="corona")


def test_the_form_asks_for_an_address_and_how_often(client, dossier) -> None:
    page = client.get("/dossiers/corona/e-mail?thema=participatie&type=artikel")
    assert page.status_code == 200
    assert "Coronadossier: Artikelen over Participatie" in page.text
    assert "elke maandag om 7.00 uur" in page.text
    for label in ("E-mailadres", "Direct", "Dagelijks", "Wekelijks"):
        assert label in page.text
    assert page.headers["Cache-Control"] == "private, no-store"
    assert client.get("/dossiers/corona/e-mail?thema=bestaat-niet").status_code == 404
    assert client.get("/dossiers/bestaat-niet/e-mail").status_code == 404


def test_asking_mails_a_link_and_nothing_else_until_it_is_confirmed(
    client, outbox, dossier, clock
) -> None:
    response = ask(client, dossier, "Noor@Example.org", "immediately", "thema=participatie")
    assert response.status_code == 302 and response.location == CHECK_MAIL
    assert "Kijk in uw mailbox" in client.get(CHECK_MAIL).text
    [mail] = outbox()
    assert mail["To"] == "noor@example.org"
    assert mail["Subject"] == "Bevestig uw e-mail over Coronadossier"
    assert "alle items over Participatie, direct" in text(mail)
    asked = subscription(dossier, "noor@example.org")
    assert asked is not None and asked.confirmed_at is None
    assert asked.filters == "thema=participatie"

    clock.advance(minutes=10)  # a new item: the unconfirmed address hears nothing
    make_item(dossier, title="Nieuw", theme_slugs=("participatie",), published_at=clock.now)
    announce_new_items()
    assert len(outbox()) == 1

    path = confirm_link(mail)
    shown = client.get(path)  # what a mail scanner does: nothing changes
    assert shown.status_code == 200
    assert "Ja, stuur mij deze e-mail" in shown.text and "noor@example.org" in shown.text
    assert subscription(dossier, "noor@example.org").confirmed_at is None
    done = client.post(path)
    assert done.status_code == 302 and done.location == "/dossiers/corona"
    assert "U krijgt voortaan e-mail" in client.get("/dossiers/corona").text
    confirmed = subscription(dossier, "noor@example.org")
    assert confirmed.confirmed_at == clock.now == confirmed.sent_until
    assert confirmed.frequency is AlertFrequency.IMMEDIATELY


def test_the_answer_is_the_same_for_a_subscribed_address(client, outbox, dossier) -> None:
    subscribe(client, outbox, dossier, frequency="daily")
    before = len(outbox())
    again = ask(client, dossier, "noor@example.org", "weekly")
    fresh = ask(client, dossier, "bert@example.org", "weekly")
    assert again.status_code == fresh.status_code == 302
    assert again.location == fresh.location == CHECK_MAIL
    # The owner of the address learns it in their own mailbox, nobody else does.
    mail = mails_to(outbox()[before:], "noor@example.org")[0]
    assert "U krijgt al e-mail over dit dossier" in text(mail)
    assert subscription(dossier, "noor@example.org").frequency is AlertFrequency.DAILY
    assert client.post(confirm_link(mail)).status_code == 302  # the change, once confirmed
    assert subscription(dossier, "noor@example.org").frequency is AlertFrequency.WEEKLY


def test_a_double_submit_mails_one_link(client, outbox, dossier) -> None:
    data = {"email": "noor@example.org", "frequency": "daily", "nonce": "n" * 24}
    first = client.post("/dossiers/corona/e-mail", data=data)
    second = client.post("/dossiers/corona/e-mail", data=data)
    assert first.location == second.location == CHECK_MAIL
    assert len(outbox()) == 1


def test_a_wrong_address_or_choice_is_explained_and_mails_nothing(client, outbox, dossier) -> None:
    bad = ask(client, dossier, "geen-adres")
    assert bad.status_code == 200 and "Vul een geldig e-mailadres in" in bad.text
    unknown = ask(client, dossier, frequency="elk-uur")
    assert unknown.status_code == 200 and 'aria-describedby="frequency-hint frequency-error"' in (
        unknown.text
    )
    assert outbox() == [] and db.session.scalars(db.select(DossierSubscription)).all() == []


def test_an_archive_takes_no_alerts(client, outbox, app) -> None:
    freeze(app, NOW)
    make_dossier(slug="oud", ends_on=date(2021, 12, 31))
    page = client.get("/dossiers/oud/e-mail")
    assert page.status_code == 200 and "is een archief" in page.text and "<form" not in page.text
    response = client.post("/dossiers/oud/e-mail", data={"email": "a@example.org"})
    assert response.status_code == 200 and outbox() == []


@pytest.mark.parametrize(
    "token",
    [
        "onzin",
        URLSafeSerializer("een-andere-sleutel", salt="kispub-dossier-alert-confirm").dumps(
            {"s": 1, "e": "x", "f": "daily", "q": ""}
        ),
    ],
)
def test_a_bad_or_forged_link_gets_a_clear_page(client, dossier, token: str) -> None:
    for method in (client.get, client.post):
        confirm = method(f"/dossiers/e-mail/bevestigen/{token}")
        assert confirm.status_code == 400 and "Deze link werkt niet" in confirm.text
        stop = method(f"/dossiers/e-mail/afmelden/{token}")
        assert stop.status_code == 400 and "Deze link werkt niet" in stop.text


def test_an_altered_expired_or_spent_link_gets_a_clear_page(client, outbox, dossier, clock) -> None:
    ask(client, dossier)
    path = confirm_link(outbox()[0])
    altered = path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb")
    assert client.post(altered).status_code == 400
    # A confirmation link is no unsubscribe link, though both are ours.
    token = path.rsplit("/", 1)[1]
    assert client.post(f"/dossiers/e-mail/afmelden/{token}").status_code == 400
    clock.advance(hours=73)
    expired = client.post(path)
    assert expired.status_code == 400 and "verlopen" in expired.text
    assert subscription(dossier, "noor@example.org").confirmed_at is None
    purge_unconfirmed()
    ask(client, dossier, "bert@example.org")
    clock.advance(hours=1)
    fresh = confirm_link(mails_to(outbox(), "bert@example.org")[0])
    with write_transaction() as session:
        session.execute(db.delete(DossierSubscription))
    gone = client.get(fresh)
    assert gone.status_code == 400 and "bestaat niet meer" in gone.text


def test_one_click_unsubscribe_needs_no_session_and_no_csrf_token(
    app, client, outbox, dossier, clock
) -> None:
    subscribe(client, outbox, dossier)
    clock.advance(minutes=5)
    make_item(dossier, title="Nieuw", published_at=clock.now)
    announce_new_items()
    alert = mails_to(outbox(), "noor@example.org")[-1]
    path = unsubscribe_link(alert)
    app.config["WTF_CSRF_ENABLED"] = True
    asked = stranger(app).get(path)  # a mail scanner: nothing changes
    assert asked.status_code == 200 and "Ja, afmelden" in asked.text
    assert subscription(dossier, "noor@example.org") is not None
    done = stranger(app).post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "U krijgt geen e-mail meer" in done.text
    assert done.headers["Cache-Control"] == "private, no-store"
    assert done.headers["X-Frame-Options"] == "DENY"
    assert subscription(dossier, "noor@example.org") is None
    # Mail for the subscription that was still waiting is forgotten with it.
    keys = db.session.scalars(db.select(OutboxMessage.key)).all()
    assert not [key for key in keys if ":items:" in key]
    assert stranger(app).post(path).status_code == 200  # again: nothing to do, no error


def test_the_confirm_button_needs_its_csrf_token(app, client, outbox, dossier) -> None:
    ask(client, dossier)
    path = confirm_link(outbox()[0])
    app.config["WTF_CSRF_ENABLED"] = True
    forged = stranger(app).post(path)
    assert forged.status_code == 400 and "Het formulier is verlopen" in forged.text
    assert subscription(dossier, "noor@example.org").confirmed_at is None


def test_asking_is_throttled_per_ip_and_per_address(app, outbox, dossier) -> None:
    client = app.test_client()
    statuses = [ask(client, dossier, "x", ip="203.0.113.9").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    spread = [ask(client, dossier, ip=f"198.51.100.{n}").status_code for n in range(4)]
    assert spread == [302, 302, 302, 429]
    assert len(mails_to(outbox(), "noor@example.org")) == 3


def test_unconfirmed_requests_are_deleted_when_their_link_expires(
    client, outbox, dossier, clock
) -> None:
    subscribe(client, outbox, dossier, "bevestigd@example.org")
    ask(client, dossier, "vergeten@example.org")
    clock.advance(hours=71)
    assert purge_unconfirmed() == 0
    clock.advance(hours=2)
    assert purge_unconfirmed() == 1
    assert subscription(dossier, "vergeten@example.org") is None
    assert subscription(dossier, "bevestigd@example.org") is not None
    keys = db.session.scalars(db.select(OutboxMessage.key)).all()
    assert len(keys) == 1  # the forgotten address's confirmation mail went with it


def test_a_persons_alerts_are_in_their_export_and_go_with_their_account(
    client, outbox, dossier
) -> None:
    user = make_user(email="noor@example.org")
    subscribe(client, outbox, dossier, frequency="weekly", query="thema=participatie")
    subscribe(client, outbox, dossier, "bert@example.org")
    assert alerts_section(make_user(email="niemand@example.org")) is None  # no empty section
    [alert] = alerts_section(user)["e-mail_over_nieuwe_items"]
    assert alert["dossier"] == "Coronadossier" and alert["hoe_vaak"] == "Wekelijks"
    assert alert["welke_items"] == "Alle items over Participatie"
    with write_transaction():
        erase_subscriber(Erasure(user.id, "noor@example.org", False, user.id))
    assert subscription(dossier, "noor@example.org") is None
    assert subscription(dossier, "bert@example.org") is not None
    assert mails_to(outbox(), "noor@example.org")  # what was delivered is not ours to undo
    keys = db.session.scalars(db.select(OutboxMessage.recipient)).all()
    assert "noor@example.org" not in keys

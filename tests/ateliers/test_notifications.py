"""Mail is composed apart from sending, and each service call sends at one place, once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from email.message import EmailMessage

import pytest
from flask import Flask

from kispub.ateliers import notifications
from kispub.ateliers.notifications import AtelierMail
from kispub.ateliers.queries import attendees, registration_for_token
from kispub.ateliers.services.editing import update_atelier
from kispub.ateliers.services.registration import cancel_registration
from kispub.ateliers.tokens import make_registration_token
from tests.ateliers.helpers import atelier_data, make_atelier, register

Outbox = Callable[[], list[EmailMessage]]


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[list[AtelierMail]]:
    """Every call of notifications.send, with the messages it was given (none go out)."""
    calls: list[list[AtelierMail]] = []

    def record(mails: Sequence[AtelierMail]) -> None:
        calls.append(list(mails))

    monkeypatch.setattr(notifications, "send", record)
    return calls


def test_builders_compose_without_sending(app: Flask, outbox: Outbox) -> None:
    atelier = make_atelier(capacity=1)
    seated, waiting = register(atelier, "zit@example.org"), register(atelier, "wacht@example.org")
    before = len(outbox())

    confirmation = notifications.registration_confirmation(seated)
    waitlisted = notifications.registration_confirmation(waiting)
    changed = notifications.atelier_changed(atelier, [seated, waiting])

    assert len(outbox()) == before
    assert (confirmation.to, confirmation.subject) == (
        "zit@example.org",
        f"Aanmelding bevestigd: {atelier.title}",
    )
    assert [a.filename for a in confirmation.attachments] == [f"{atelier.slug}.ics"]
    assert waitlisted.subject.startswith("U staat op de wachtlijst") and not waitlisted.attachments
    assert "/kennisateliers/aanmelding/" in confirmation.body
    assert [m.to for m in changed] == ["zit@example.org", "wacht@example.org"]
    assert notifications.registration_confirmation(seated).key == confirmation.key
    keys = {confirmation.key, waitlisted.key, *(m.key for m in changed)}
    assert len(keys) == 4
    assert not any("@" in key for key in keys)  # no personal data in a stored key


def test_registering_sends_once(app: Flask, sent: list[list[AtelierMail]]) -> None:
    atelier = make_atelier()
    sent.clear()
    registration = register(atelier, "anna@example.org")

    assert [[m.to for m in call] for call in sent] == [["anna@example.org"]]
    assert sent[0][0].key.startswith(f"atelier:{atelier.id}:registration:{registration.id}:")


def test_an_update_sends_changes_and_promotions_in_one_call(
    app: Flask, sent: list[list[AtelierMail]]
) -> None:
    atelier = make_atelier(capacity=1)
    register(atelier, "zit@example.org")
    register(atelier, "wacht@example.org")
    sent.clear()
    data = atelier_data(slug=atelier.slug, title=atelier.title, starts_at=atelier.starts_at)
    update_atelier(atelier.id, replace(data, capacity=2, venue_name="Andere zaal"))

    (call,) = sent
    assert [(m.to, m.subject.split(":")[0]) for m in call] == [
        ("zit@example.org", "Gewijzigd"),
        ("wacht@example.org", "Gewijzigd"),
        ("wacht@example.org", "Er is een plaats voor u vrijgekomen"),
    ]
    assert len({m.key for m in call}) == 3
    sent.clear()
    update_atelier(atelier.id, replace(data, capacity=2, venue_name="Andere zaal", title="X"))
    assert sent == [[]]  # not significant: the one call sends nothing


def test_cancelling_sends_the_promotion_once(app: Flask, sent: list[list[AtelierMail]]) -> None:
    atelier = make_atelier(capacity=1)
    seated = register(atelier, "zit@example.org")
    register(atelier, "wacht@example.org")
    sent.clear()
    token = make_registration_token(seated.id, atelier.id, seated.email)
    assert registration_for_token(token) is not None

    assert cancel_registration(token) is not None
    assert [[(m.to, m.subject.split(":")[0]) for m in call] for call in sent] == [
        [("wacht@example.org", "Er is een plaats voor u vrijgekomen")]
    ]
    assert [r.email for r in attendees(atelier.id)] == ["wacht@example.org"]

"""Mail is composed from what a service wrote and queued in the same transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from email.message import EmailMessage

import pytest
from flask import Flask
from sqlalchemy import select

from kispub.ateliers import notifications
from kispub.ateliers.queries import attendees
from kispub.ateliers.services.editing import update_atelier
from kispub.ateliers.services.registration import AlreadyRegistered, cancel_registration
from kispub.ateliers.tokens import make_registration_token
from kispub.core.outbox import OutboxMessage
from kispub.extensions import db
from tests.ateliers.helpers import atelier_data, make_atelier, register

Outbox = Callable[[], list[EmailMessage]]
Queued = Callable[[], list[tuple[str, str]]]


@pytest.fixture
def queued(app: Flask) -> Callable[[], list[tuple[str, str]]]:
    """(recipient, subject prefix) of every message in the outbox, oldest first."""

    def read() -> list[tuple[str, str]]:
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [(row.recipient, row.subject.split(":")[0]) for row in rows]

    return read


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


def test_registering_queues_the_confirmation_in_its_transaction(app: Flask, queued: Queued) -> None:
    atelier = make_atelier()
    registration = register(atelier, "anna@example.org")

    assert queued() == [("anna@example.org", "Aanmelding bevestigd")]
    key = db.session.scalars(select(OutboxMessage.key)).one()
    assert key.startswith(f"atelier:{atelier.id}:registration:{registration.id}:")
    with pytest.raises(AlreadyRegistered):
        register(atelier, "Anna@example.org")
    assert len(queued()) == 1  # the refused registration rolled back and queued nothing


def test_an_update_queues_changes_and_promotions(app: Flask, queued: Queued) -> None:
    atelier = make_atelier(capacity=1)
    register(atelier, "zit@example.org")
    register(atelier, "wacht@example.org")
    before = len(queued())
    data = atelier_data(slug=atelier.slug, title=atelier.title, starts_at=atelier.starts_at)
    update_atelier(atelier.id, replace(data, capacity=2, venue_name="Andere zaal"))

    assert queued()[before:] == [
        ("zit@example.org", "Gewijzigd"),
        ("wacht@example.org", "Gewijzigd"),
        ("wacht@example.org", "Er is een plaats voor u vrijgekomen"),
    ]
    after = len(queued())
    update_atelier(atelier.id, replace(data, capacity=2, venue_name="Andere zaal", title="X"))
    assert len(queued()) == after  # not significant: nobody hears of it


def test_cancelling_queues_the_promotion_once(app: Flask, queued: Queued) -> None:
    atelier = make_atelier(capacity=1)
    seated = register(atelier, "zit@example.org")
    register(atelier, "wacht@example.org")
    before = len(queued())
    token = make_registration_token(seated.id, atelier.id, seated.email)

    assert cancel_registration(token) is not None
    assert cancel_registration(token) is None  # the link works once
    assert queued()[before:] == [("wacht@example.org", "Er is een plaats voor u vrijgekomen")]
    assert [r.email for r in attendees(atelier.id)] == ["wacht@example.org"]

"""Cancelling an atelier and lowering its places: each only through its confirmation page."""

from __future__ import annotations

import html as html_lib
from dataclasses import replace
from email.message import EmailMessage
from typing import Any

import pytest
from flask.testing import FlaskClient

from kispub.ateliers.models import Atelier, AtelierStatus, RegistrationStatus
from kispub.ateliers.queries import attendees, get_atelier
from kispub.ateliers.seats import waiting_list
from kispub.ateliers.services.editing import (
    AtelierError,
    CapacityBelowRegistered,
    update_atelier,
)
from kispub.ateliers.services.lifecycle import cancel_atelier, lower_capacity
from kispub.extensions import db
from tests.ateliers.helpers import atelier_data, body, make_atelier, register
from tests.clock import Clock

Outbox = Any


def text(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return html_lib.unescape(response.get_data(as_text=True))


def edit_form(atelier: Atelier, **overrides: str) -> dict[str, str]:
    """The edit form as the browser sends it back unchanged, with overrides."""
    values = {
        "title": atelier.title,
        "slug": atelier.slug,
        "starts_at": "2026-12-02T14:00",
        "ends_at": "2026-12-02T16:00",
        "venue_name": atelier.venue_name or "",
        "capacity": "" if atelier.capacity is None else str(atelier.capacity),
        "status": atelier.status.value,
        "publication": "published",
    }
    values.update(overrides)
    return values


def fresh(atelier_id: int) -> Atelier:
    db.session.expire_all()
    found = get_atelier(atelier_id)
    assert found is not None
    return found


def recipients(messages: list[EmailMessage]) -> list[str]:
    return [str(message["To"]) for message in messages]


# -- cancelling --------------------------------------------------------------------------------


@pytest.mark.usefixtures("editor")
def test_the_edit_form_cannot_cancel(client: FlaskClient, outbox: Outbox, clock: Clock) -> None:
    atelier = make_atelier(capacity=None)
    register(atelier, "anna@example.org")
    path = f"/beheer/ateliers/{atelier.id}/bewerken"
    page = text(client, path)
    sent = len(outbox())

    assert 'value="cancelled"' not in page
    assert f'href="/beheer/ateliers/{atelier.id}/annuleren"' in page
    response = client.post(path, data=edit_form(atelier, status="cancelled"))
    assert response.status_code == 200  # the form again, with an error
    assert fresh(atelier.id).status is AtelierStatus.SCHEDULED
    assert len(outbox()) == sent


def test_the_service_refuses_a_cancel_through_the_form(app: Any, clock: Clock) -> None:
    atelier = make_atelier()
    data = atelier_data(title=atelier.title, slug=atelier.slug, starts_at=atelier.starts_at)
    with pytest.raises(AtelierError, match="Kennisatelier annuleren"):
        update_atelier(atelier.id, replace(data, status=AtelierStatus.CANCELLED))


@pytest.mark.usefixtures("editor")
def test_cancelling_shows_who_is_told_then_mails_them(
    client: FlaskClient, outbox: Outbox, clock: Clock
) -> None:
    atelier = make_atelier(capacity=1)
    register(atelier, "anna@example.org", name="Anna Zit")
    register(atelier, "bob@example.org", name="Bob Wacht")
    path = f"/beheer/ateliers/{atelier.id}/annuleren"
    sent = len(outbox())

    page = text(client, path)
    assert "2 personen krijgen een e-mail" in page
    assert "Anna Zit <anna@example.org>" in page and "Bob Wacht <bob@example.org>" in page
    assert fresh(atelier.id).status is AtelierStatus.SCHEDULED  # a GET changes nothing
    assert len(outbox()) == sent

    response = client.post(path)
    assert response.status_code == 302
    cancelled = fresh(atelier.id)
    assert cancelled.status is AtelierStatus.CANCELLED and cancelled.sequence == 1
    mails = outbox()[sent:]
    assert sorted(recipients(mails)) == ["anna@example.org", "bob@example.org"]
    assert {m["Subject"] for m in mails} == {f"Geannuleerd: {atelier.title}"}
    assert "2 personen krijgen een e-mail" in text(client, response.headers["Location"])

    assert "al geannuleerd" in text(client, path)
    client.post(path)  # a second submit mails nobody again
    assert len(outbox()) == sent + 2
    assert 'value="cancelled"' in text(client, f"/beheer/ateliers/{atelier.id}/bewerken")


def test_cancel_pages_are_for_editors_only(client: FlaskClient, login_as, clock: Clock) -> None:
    atelier = make_atelier()
    login_as(email="lid@example.org")
    assert client.get(f"/beheer/ateliers/{atelier.id}/annuleren").status_code == 403
    assert client.post(f"/beheer/ateliers/{atelier.id}/annuleren").status_code == 403
    assert client.get(f"/beheer/ateliers/{atelier.id}/plaatsen?aantal=1").status_code == 403
    assert fresh(atelier.id).status is AtelierStatus.SCHEDULED


# -- capacity ----------------------------------------------------------------------------------


def full_atelier(clock: Clock) -> tuple[Atelier, list[str]]:
    """Four seats taken in the order a, b, c, then d (promoted from the waiting list); e waits.

    Made as: three places, a b c registered and d e waiting, then four places.
    """
    atelier = make_atelier(capacity=3)
    emails = [f"{name}@example.org" for name in "abcde"]
    for email in emails:
        register(atelier, email, name=email[0].upper())
        clock.advance(minutes=1)
    data = atelier_data(
        title=atelier.title, slug=atelier.slug, starts_at=atelier.starts_at, capacity=4
    )
    (promoted,) = update_atelier(atelier.id, data).promoted
    assert promoted.email == "d@example.org"
    clock.advance(minutes=1)
    return atelier, emails


def test_lowering_moves_the_latest_seats_to_the_front_of_the_waiting_list_in_order(
    app: Any, outbox: Outbox, clock: Clock
) -> None:
    atelier, _ = full_atelier(clock)
    sent = len(outbox())

    moved = lower_capacity(atelier.id, 2)

    assert [r.email for r in moved] == ["c@example.org", "d@example.org"]
    db.session.expire_all()
    assert [r.email for r in waiting_list(atelier.id)] == [
        "c@example.org",
        "d@example.org",
        "e@example.org",
    ]
    people = attendees(atelier.id)
    assert [(r.email, r.status) for r in people][:2] == [
        ("a@example.org", RegistrationStatus.REGISTERED),
        ("b@example.org", RegistrationStatus.REGISTERED),
    ]
    assert fresh(atelier.id).capacity == 2
    mails = outbox()[sent:]
    assert sorted(recipients(mails)) == ["c@example.org", "d@example.org"]
    assert {m["Subject"] for m in mails} == {f"U staat weer op de wachtlijst: {atelier.title}"}
    assert "weer op de wachtlijst, vooraan" in body(mails[0])

    # A freed seat goes to the front: the first moved back.
    data = atelier_data(
        title=atelier.title, slug=atelier.slug, starts_at=atelier.starts_at, capacity=3
    )
    (promoted,) = update_atelier(atelier.id, data).promoted
    assert promoted.email == "c@example.org"


def test_lowering_twice_mails_each_time(app: Any, outbox: Outbox, clock: Clock) -> None:
    atelier, _ = full_atelier(clock)
    lower_capacity(atelier.id, 3)
    clock.advance(minutes=1)
    data = atelier_data(
        title=atelier.title, slug=atelier.slug, starts_at=atelier.starts_at, capacity=4
    )
    update_atelier(atelier.id, data)
    clock.advance(minutes=1)
    sent = len(outbox())
    lower_capacity(atelier.id, 3)

    assert len(outbox()) == sent + 1  # the second move has its own message key


def test_the_edit_form_refuses_fewer_places_than_taken(app: Any, clock: Clock) -> None:
    atelier, _ = full_atelier(clock)
    data = atelier_data(
        title=atelier.title, slug=atelier.slug, starts_at=atelier.starts_at, capacity=2
    )
    with pytest.raises(CapacityBelowRegistered) as raised:
        update_atelier(atelier.id, data)

    assert raised.value.field == "capacity" and raised.value.registered == 4
    assert "Er zijn al 4 aanmeldingen" in str(raised.value)
    assert fresh(atelier.id).capacity == 4
    with pytest.raises(AtelierError, match="van 1 tot en met"):
        lower_capacity(atelier.id, 0)


@pytest.mark.usefixtures("editor")
def test_fewer_places_go_through_the_confirmation_page(
    client: FlaskClient, outbox: Outbox, clock: Clock
) -> None:
    atelier, _ = full_atelier(clock)
    edit = f"/beheer/ateliers/{atelier.id}/bewerken"

    for capacity, message in (("0", "van 1 tot en met 10.000"), ("-3", "van 1 tot en met")):
        response = client.post(edit, data=edit_form(atelier, capacity=capacity))
        assert message in response.get_data(as_text=True)
    response = client.post(edit, data=edit_form(atelier, capacity="2"))
    page = html_lib.unescape(response.get_data(as_text=True))
    assert "Er zijn al 4 aanmeldingen" in page
    confirm = f"/beheer/ateliers/{atelier.id}/plaatsen?aantal=2"
    assert f'href="{confirm.replace("&", "&amp;")}"' in response.get_data(as_text=True)
    assert fresh(atelier.id).capacity == 4
    sent = len(outbox())

    page = text(client, confirm)
    assert "2 aanmeldingen gaan terug naar de wachtlijst" in page
    assert page.index("C <c@example.org>") < page.index("D <d@example.org>")
    assert "A <a@example.org>" not in page
    assert len(outbox()) == sent and fresh(atelier.id).capacity == 4

    response = client.post(f"/beheer/ateliers/{atelier.id}/plaatsen", data={"aantal": "2"})
    assert response.status_code == 302
    assert fresh(atelier.id).capacity == 2
    assert len(outbox()) == sent + 2
    assert "2 aanmeldingen staan weer op de wachtlijst" in text(
        client, response.headers["Location"]
    )
    assert client.get(f"/beheer/ateliers/{atelier.id}/plaatsen?aantal=0").status_code == 404
    assert client.get(f"/beheer/ateliers/{atelier.id}/plaatsen?aantal=x").status_code == 404


@pytest.mark.usefixtures("editor")
def test_no_maximum_and_more_places_save_from_the_form(client: FlaskClient, clock: Clock) -> None:
    atelier, _ = full_atelier(clock)
    edit = f"/beheer/ateliers/{atelier.id}/bewerken"
    assert client.post(edit, data=edit_form(atelier, capacity="")).status_code == 302
    assert fresh(atelier.id).capacity is None


def test_cancel_service_refuses_twice(app: Any, clock: Clock) -> None:
    atelier = make_atelier()
    cancel_atelier(atelier.id)
    with pytest.raises(AtelierError, match="al geannuleerd"):
        cancel_atelier(atelier.id)

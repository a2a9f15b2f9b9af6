"""Registering: the form, confirmation e-mails with the .ics, duplicates, the waiting list."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from email.message import EmailMessage

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete

from kispub.ateliers.models import AtelierStatus, Registration, RegistrationStatus
from kispub.ateliers.queries import attendees, registration_for_token
from kispub.ateliers.services.editing import update_atelier
from kispub.ateliers.services.lifecycle import cancel_atelier
from kispub.ateliers.services.registration import AlreadyRegistered, RegistrationError
from kispub.core import clock
from kispub.core.database import write_transaction
from tests.ateliers.helpers import (
    atelier_data,
    body,
    events_by_uid,
    ics_attachment,
    make_atelier,
    register,
)

Outbox = Callable[[], list[EmailMessage]]


def manage_link(message: EmailMessage) -> str:
    """The path of the signed link in a message."""
    match = re.search(r"https://kis\.example(/kennisateliers/aanmelding/\S+)", body(message))
    assert match, body(message)
    return match[1]


def test_registering_through_the_form_sends_a_confirmation_with_the_ics(
    client: FlaskClient, outbox: Outbox
) -> None:
    atelier = make_atelier(online=True, online_url="https://meet.example/atelier")
    data = {"name": "Anna de Vries", "email": " Anna@Example.org ", "organisation": "Pharos"}
    response = client.post(f"/kennisateliers/{atelier.slug}/aanmelden", data=data)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/kennisateliers/{atelier.slug}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "U bent aangemeld." in page
    (registration,) = attendees(atelier.id)
    assert (registration.name, registration.email, registration.organisation) == (
        "Anna de Vries",
        "anna@example.org",
        "Pharos",
    )
    (message,) = outbox()
    assert message["To"] == "anna@example.org"
    assert message["Subject"] == f"Aanmelding bevestigd: {atelier.title}"
    assert "https://meet.example/atelier" in body(message)
    calendar = ics_attachment(message)
    (vevent,) = calendar.events
    assert str(vevent["UID"]) == f"atelier-{atelier.id}@kis.example"
    assert vevent["DTSTART"].dt == atelier.starts_at
    assert vevent["SEQUENCE"] == 0
    (conference,) = vevent.conferences  # the attendee's own .ics has the meeting link
    assert conference.uri == "https://meet.example/atelier"


def test_a_members_fields_are_prefilled(client: FlaskClient, login_as) -> None:
    atelier = make_atelier()
    login_as(name="Fatima Voorbeeld", email="fatima@example.org", organisation="Gemeente X")
    page = client.get(f"/kennisateliers/{atelier.slug}/aanmelden").get_data(as_text=True)

    assert 'value="Fatima Voorbeeld"' in page
    assert 'value="fatima@example.org"' in page
    assert 'value="Gemeente X"' in page


def test_the_same_address_registers_once(outbox: Outbox) -> None:
    atelier = make_atelier()
    register(atelier, "anna@example.org")

    with pytest.raises(AlreadyRegistered):
        register(atelier, "ANNA@example.org")
    assert len(attendees(atelier.id)) == 1
    assert len(outbox()) == 1


def _answer(client: FlaskClient, slug: str, email: str) -> tuple[int, str, str]:
    """Status, redirect target and the page shown after it, with the address blanked."""
    data = {"name": "Iemand", "email": email, "organisation": ""}
    response = client.post(f"/kennisateliers/{slug}/aanmelden", data=data)
    location = response.headers.get("Location", "")
    page = client.get(location).get_data(as_text=True) if location else ""
    return response.status_code, location, page.replace(email.strip().lower(), "ADRES")


@pytest.mark.parametrize("capacity", [3, 1])
def test_a_repeated_registration_looks_exactly_like_a_new_one(
    client: FlaskClient, outbox: Outbox, capacity: int
) -> None:
    atelier = make_atelier(capacity=capacity)
    register(atelier, "anna@example.org")

    # A newcomer first, so the places left are the same when the repeat comes in.
    new = _answer(client, atelier.slug, "nieuw@example.org")
    repeat = _answer(client, atelier.slug, " ANNA@example.org ")

    assert new == repeat
    assert new[0] == 302
    assert ("U bent aangemeld." if capacity == 3 else "u staat op de wachtlijst") in new[2]
    assert [r.email for r in attendees(atelier.id)] == ["anna@example.org", "nieuw@example.org"]


@pytest.mark.usefixtures("clock")  # both repeats in the same hour
def test_a_repeated_registration_is_told_by_e_mail_with_its_own_link(
    client: FlaskClient, outbox: Outbox
) -> None:
    atelier = make_atelier()
    register(atelier, "anna@example.org")
    link = manage_link(outbox()[0])
    data = {"name": "Iemand anders", "email": "anna@example.org"}

    client.post(f"/kennisateliers/{atelier.slug}/aanmelden", data=data)
    client.post(f"/kennisateliers/{atelier.slug}/aanmelden", data=data)  # within the hour

    _confirmation, repeat = outbox()  # the second repeat is not mailed again
    assert repeat["To"] == "anna@example.org"
    assert repeat["Subject"] == f"U was al aangemeld: {atelier.title}"
    assert "U was al aangemeld; er is niets veranderd" in body(repeat)
    assert manage_link(repeat) == link
    assert ics_attachment(repeat) is None
    (registration,) = attendees(atelier.id)
    assert registration.name != "Iemand anders"  # nothing about the registration changed


def test_invalid_form_input_is_refused_with_dutch_messages(client: FlaskClient) -> None:
    atelier = make_atelier()
    response = client.post(
        f"/kennisateliers/{atelier.slug}/aanmelden", data={"name": "", "email": "geen-adres"}
    )
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "Dit veld is verplicht." in page
    assert "Vul een geldig e-mailadres in." in page
    assert attendees(atelier.id) == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"status": AtelierStatus.CANCELLED}, "kunt u zich nu niet aanmelden"),
        ({"status": AtelierStatus.POSTPONED}, "kunt u zich nu niet aanmelden"),
        ({"registration_deadline_at": "past"}, "aanmeldtermijn"),
        ({"starts_at": "past"}, "al voorbij"),
    ],
)
def test_closed_ateliers_take_no_registrations(app: Flask, overrides: dict, message: str) -> None:
    if overrides.get("registration_deadline_at") == "past":
        overrides["registration_deadline_at"] = clock.now() - timedelta(hours=1)
    if overrides.get("starts_at") == "past":
        overrides["starts_at"] = clock.now() - timedelta(days=2)
    atelier = make_atelier(**overrides)

    with pytest.raises(RegistrationError, match=message):
        register(atelier)
    assert attendees(atelier.id) == []


def test_full_atelier_puts_people_on_the_waiting_list_in_order(outbox: Outbox) -> None:
    atelier = make_atelier(capacity=1)
    first = register(atelier, "eerste@example.org")
    second = register(atelier, "tweede@example.org")
    third = register(atelier, "derde@example.org")

    assert [r.status for r in (first, second, third)] == [
        RegistrationStatus.REGISTERED,
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.WAITLISTED,
    ]
    messages = outbox()
    assert [m["Subject"].split(":")[0] for m in messages] == [
        "Aanmelding bevestigd",
        "U staat op de wachtlijst",
        "U staat op de wachtlijst",
    ]
    assert ics_attachment(messages[0]) is not None
    assert ics_attachment(messages[1]) is None  # no seat yet, nothing for the calendar


def test_cancelling_through_the_signed_link_promotes_the_first_in_line(
    client: FlaskClient, outbox: Outbox
) -> None:
    atelier = make_atelier(capacity=1)
    register(atelier, "eerste@example.org")
    register(atelier, "tweede@example.org")
    register(atelier, "derde@example.org")
    link = manage_link(outbox()[0])

    assert client.get(link).status_code == 200  # looking does not cancel (mail scanners GET)
    assert len(attendees(atelier.id)) == 3
    response = client.post(link)

    assert response.status_code == 302
    people = {r.email: r.status for r in attendees(atelier.id)}
    assert people == {
        "tweede@example.org": RegistrationStatus.REGISTERED,
        "derde@example.org": RegistrationStatus.WAITLISTED,
    }
    promotion = outbox()[-1]
    assert promotion["To"] == "tweede@example.org"
    assert promotion["Subject"].startswith("Er is een plaats voor u vrijgekomen")
    assert ics_attachment(promotion) is not None
    assert client.get(link).status_code == 404  # the data is gone


def test_a_tampered_or_foreign_token_is_refused(client: FlaskClient, outbox: Outbox) -> None:
    atelier = make_atelier()
    register(atelier, "anna@example.org")
    link = manage_link(outbox()[0])
    token = link.rsplit("/", 1)[1]

    assert registration_for_token(token) is not None
    assert registration_for_token(token[:-2] + "xx") is None
    assert client.post(link[:-2] + "xx").status_code == 404
    assert len(attendees(atelier.id)) == 1


def test_a_token_does_not_survive_its_row_being_reused(client: FlaskClient, outbox: Outbox) -> None:
    # SQLite may give a deleted row's id to the next registration: the link must not follow.
    atelier = make_atelier()
    register(atelier, "anna@example.org")
    link = manage_link(outbox()[0])
    client.post(link)
    register(atelier, "bob@example.org")

    assert client.post(link).status_code == 404
    assert [r.email for r in attendees(atelier.id)] == ["bob@example.org"]


def test_more_capacity_promotes_the_waiting_list(outbox: Outbox) -> None:
    atelier = make_atelier(capacity=1)
    register(atelier, "eerste@example.org")
    register(atelier, "tweede@example.org")
    data = atelier_data(title=atelier.title, slug=atelier.slug, starts_at=atelier.starts_at)
    change = update_atelier(atelier.id, replace(data, capacity=2))

    assert [r.email for r in change.promoted] == ["tweede@example.org"]
    assert change.significant is False  # a seat more is not a calendar change
    assert outbox()[-1]["To"] == "tweede@example.org"
    assert all(r.status is RegistrationStatus.REGISTERED for r in attendees(atelier.id))


def test_nobody_jumps_the_queue(app: Flask) -> None:
    atelier = make_atelier(capacity=1)
    register(atelier, "eerste@example.org")
    register(atelier, "tweede@example.org")
    # A seat frees without a promotion having run yet (say an editor deleted a row).
    with write_transaction() as session:
        session.execute(delete(Registration).where(Registration.email == "eerste@example.org"))

    assert register(atelier, "derde@example.org").status is RegistrationStatus.WAITLISTED


def test_a_new_time_is_mailed_with_the_updated_ics(outbox: Outbox) -> None:
    atelier = make_atelier(capacity=1, online=True, online_url="https://meet.example/a")
    register(atelier, "zit@example.org")
    register(atelier, "wacht@example.org")
    new_start = atelier.starts_at + timedelta(days=1)
    data = atelier_data(
        title=atelier.title, slug=atelier.slug, starts_at=new_start, capacity=1, online=True,
        online_url="https://meet.example/a",
    )  # fmt: skip
    update_atelier(atelier.id, data)
    seated, waiting = outbox()[-2:]

    assert seated["Subject"] == f"Gewijzigd: {atelier.title}"
    vevent = ics_attachment(seated).events[0]
    assert vevent["SEQUENCE"] == 1
    assert vevent["DTSTART"].dt == new_start
    assert waiting["To"] == "wacht@example.org"
    assert ics_attachment(waiting) is None
    assert "https://meet.example/a" not in body(waiting)


def test_cancelling_an_atelier_is_mailed_with_status_cancelled(outbox: Outbox) -> None:
    atelier = make_atelier()
    register(atelier, "anna@example.org")
    cancel_atelier(atelier.id)
    message = outbox()[-1]

    assert message["Subject"] == f"Geannuleerd: {atelier.title}"
    calendar = ics_attachment(message)
    vevent = events_by_uid(calendar)[f"atelier-{atelier.id}@kis.example"]
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert vevent["SEQUENCE"] == 1


def test_a_title_change_is_not_mailed(outbox: Outbox) -> None:
    atelier = make_atelier()
    register(atelier)
    data = atelier_data(title="Andere titel", slug=atelier.slug, starts_at=atelier.starts_at)
    change = update_atelier(atelier.id, data)

    assert change.changed and not change.significant
    assert len(outbox()) == 1  # only the confirmation

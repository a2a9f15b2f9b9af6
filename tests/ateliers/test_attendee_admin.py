"""Editors managing attendees by hand: add, remove, promote ahead of the queue, mail everyone."""

from __future__ import annotations

import html
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kispub.accounts.models import Role
from kispub.ateliers.models import RegistrationStatus
from kispub.ateliers.queries import attendees
from kispub.extensions import db
from tests.ateliers.helpers import body, ics_attachment, make_atelier, move_to, register, soon

Outbox = Callable[[], list[EmailMessage]]
NONCE = "een-nonce-van-minstens-16-tekens"


def people(atelier_id: int) -> list[tuple[str, RegistrationStatus]]:
    """Who is on the list, seats first, each part in order, as the server committed it."""
    db.session.rollback()
    return [(r.email, r.status) for r in attendees(atelier_id)]


def add_form(**overrides: Any) -> dict[str, Any]:
    values = {"name": "Piet Telefoon", "email": "piet@example.org", "organisation": "Pharos"}
    return {"nonce": NONCE, **values, **overrides}


def text(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def base(atelier_id: int) -> str:
    return f"/beheer/ateliers/{atelier_id}/deelnemers"


@pytest.mark.parametrize("path", ["/toevoegen", "/{rid}/verwijderen", "/{rid}/plaats", "/bericht"])
def test_attendee_management_is_for_editors_only(
    client: FlaskClient, login_as: Callable[..., Any], path: str
) -> None:
    atelier = make_atelier()
    registration = register(atelier)
    url = base(atelier.id) + path.format(rid=registration.id)

    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    login_as(role=Role.MODERATOR)
    assert client.get(url).status_code == client.post(url).status_code == 403
    assert len(people(atelier.id)) == 1


@pytest.mark.usefixtures("editor")
def test_the_list_page_links_to_every_action(client: FlaskClient) -> None:
    atelier = make_atelier(capacity=1)
    seated, waiting = register(atelier), register(atelier)
    page = text(client.get(base(atelier.id)))

    assert "1 plaats" in page and "1 plaatsen" not in page
    assert "Aanmeldingen en wachtlijst" in page
    assert f'href="{base(atelier.id)}/toevoegen"' in page
    assert f'href="{base(atelier.id)}/bericht"' in page
    assert f'href="{base(atelier.id)}/{seated.id}/verwijderen"' in page
    assert f'href="{base(atelier.id)}/{waiting.id}/verwijderen"' in page
    # Only someone on the waiting list can be given a seat.
    assert f'action="{base(atelier.id)}/{waiting.id}/plaats"' in page
    assert f'action="{base(atelier.id)}/{seated.id}/plaats"' not in page


# -- adding -----------------------------------------------------------------------------------


@pytest.mark.usefixtures("editor")
def test_adding_gives_a_free_seat_and_mails_the_usual_confirmation(
    client: FlaskClient, outbox: Outbox
) -> None:
    atelier = make_atelier(capacity=2)
    response = client.post(
        base(atelier.id) + "/toevoegen", data=add_form(email=" Piet@Example.org")
    )

    assert response.status_code == 302 and response.headers["Location"] == base(atelier.id)
    assert "Piet Telefoon heeft een plaats gekregen" in text(client.get(base(atelier.id)))
    assert people(atelier.id) == [("piet@example.org", RegistrationStatus.REGISTERED)]
    (message,) = outbox()
    assert message["To"] == "piet@example.org"
    assert message["Subject"] == f"Aanmelding bevestigd: {atelier.title}"
    assert "/kennisateliers/aanmelding/" in body(message)  # the link to cancel
    assert ics_attachment(message) is not None


@pytest.mark.usefixtures("editor")
def test_adding_to_a_full_atelier_puts_them_last_on_the_waiting_list(
    client: FlaskClient, outbox: Outbox
) -> None:
    atelier = make_atelier(capacity=1)
    register(atelier, "zit@example.org")
    register(atelier, "wacht@example.org")
    response = client.post(base(atelier.id) + "/toevoegen", data=add_form(), follow_redirects=True)

    assert "Het kennisatelier is vol: Piet Telefoon staat op de wachtlijst" in text(response)
    assert people(atelier.id) == [
        ("zit@example.org", RegistrationStatus.REGISTERED),
        ("wacht@example.org", RegistrationStatus.WAITLISTED),
        ("piet@example.org", RegistrationStatus.WAITLISTED),
    ]
    assert outbox()[-1]["Subject"] == f"U staat op de wachtlijst: {atelier.title}"


@pytest.mark.usefixtures("editor")
def test_adding_after_the_deadline_is_allowed(client: FlaskClient) -> None:
    atelier = make_atelier(registration_deadline_at=soon(days=-1))
    response = client.post(base(atelier.id) + "/toevoegen", data=add_form())

    assert response.status_code == 302
    assert people(atelier.id) == [("piet@example.org", RegistrationStatus.REGISTERED)]


@pytest.mark.usefixtures("editor")
def test_the_same_address_twice_is_a_field_error(client: FlaskClient, outbox: Outbox) -> None:
    atelier = make_atelier()
    register(atelier, "piet@example.org")
    response = client.post(
        base(atelier.id) + "/toevoegen", data=add_form(email="PIET@example.org", nonce="x" * 20)
    )

    assert response.status_code == 200
    page = text(response)
    assert 'id="email-error"' in page
    assert "Dit e-mailadres staat al op de lijst van dit kennisatelier." in page
    assert len(people(atelier.id)) == 1
    assert len(outbox()) == 1  # the first registration's confirmation only


@pytest.mark.usefixtures("editor")
def test_a_double_submit_adds_once(client: FlaskClient, outbox: Outbox) -> None:
    atelier = make_atelier()
    first = client.post(base(atelier.id) + "/toevoegen", data=add_form())
    second = client.post(base(atelier.id) + "/toevoegen", data=add_form())

    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert len(people(atelier.id)) == 1
    assert len(outbox()) == 1


@pytest.mark.usefixtures("editor")
def test_nobody_is_added_to_a_past_atelier(client: FlaskClient, outbox: Outbox) -> None:
    atelier = make_atelier()
    move_to(atelier, soon(days=-10))
    response = client.post(base(atelier.id) + "/toevoegen", data=add_form())

    assert response.status_code == 200
    assert "Dit kennisatelier is al voorbij." in text(response)
    assert people(atelier.id) == [] and outbox() == []


# -- removing ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("editor")
def test_removing_asks_first_and_says_what_happens(client: FlaskClient) -> None:
    atelier = make_atelier(capacity=1)
    seated = register(atelier, "zit@example.org", name="Zittende Deelnemer")
    register(atelier, "eerste@example.org", name="Eerste Wachtende")
    register(atelier, "tweede@example.org", name="Tweede Wachtende")
    page = text(client.get(f"{base(atelier.id)}/{seated.id}/verwijderen"))

    assert "Zittende Deelnemer afmelden?" in page
    assert "zit@example.org" in page
    assert "De vrije plaats gaat naar de eerste op de wachtlijst, Eerste Wachtende" in page
    assert 'method="post"' in page
    assert len(people(atelier.id)) == 3  # a GET changes nothing


@pytest.mark.usefixtures("editor")
def test_removing_mails_them_and_gives_the_seat_to_the_first_in_line(
    client: FlaskClient, outbox: Outbox
) -> None:
    atelier = make_atelier(capacity=1)
    seated = register(atelier, "zit@example.org", name="Zittende Deelnemer")
    register(atelier, "eerste@example.org", name="Eerste Wachtende")
    register(atelier, "tweede@example.org")
    before = len(outbox())
    response = client.post(f"{base(atelier.id)}/{seated.id}/verwijderen", follow_redirects=True)

    page = text(response)
    assert "Zittende Deelnemer is afgemeld en heeft een e-mail gekregen." in page
    assert "De vrije plaats ging naar Eerste Wachtende." in page
    assert people(atelier.id) == [
        ("eerste@example.org", RegistrationStatus.REGISTERED),
        ("tweede@example.org", RegistrationStatus.WAITLISTED),
    ]
    removed, promoted = outbox()[before:]
    assert (removed["To"], removed["Subject"]) == ("zit@example.org", f"Afgemeld: {atelier.title}")
    assert "De organisatie heeft u afgemeld" in body(removed)
    assert "/kennisateliers/aanmelding/" not in body(removed)  # that link no longer works
    assert promoted["To"] == "eerste@example.org"
    assert promoted["Subject"].startswith("Er is een plaats voor u vrijgekomen")


@pytest.mark.usefixtures("editor")
def test_removing_someone_waiting_promotes_nobody(client: FlaskClient, outbox: Outbox) -> None:
    atelier = make_atelier(capacity=1)
    register(atelier, "zit@example.org")
    waiting = register(atelier, "wacht@example.org")
    before = len(outbox())
    client.post(f"{base(atelier.id)}/{waiting.id}/verwijderen")

    assert people(atelier.id) == [("zit@example.org", RegistrationStatus.REGISTERED)]
    (removed,) = outbox()[before:]
    assert removed["To"] == "wacht@example.org"


@pytest.mark.usefixtures("editor")
def test_a_registration_of_another_atelier_cannot_be_removed_through_this_one(
    client: FlaskClient,
) -> None:
    mine, other = make_atelier(), make_atelier()
    foreign = register(other)

    assert client.get(f"{base(mine.id)}/{foreign.id}/verwijderen").status_code == 404
    response = client.post(f"{base(mine.id)}/{foreign.id}/verwijderen", follow_redirects=True)
    assert "Deze deelnemer staat niet (meer) op de lijst." in text(response)
    assert len(people(other.id)) == 1
    assert client.get(f"{base(9999)}/toevoegen").status_code == 404


# -- promoting by hand -------------------------------------------------------------------------


@pytest.mark.usefixtures("editor")
def test_promoting_above_capacity_needs_a_confirmation(client: FlaskClient, outbox: Outbox) -> None:
    atelier = make_atelier(capacity=1)
    register(atelier, "zit@example.org")
    register(atelier, "eerste@example.org")
    last = register(atelier, "laatste@example.org", name="Laatste Wachtende")
    url = f"{base(atelier.id)}/{last.id}/plaats"
    before = len(outbox())

    asked = client.post(url)
    assert asked.status_code == 302 and asked.headers["Location"] == url
    assert people(atelier.id)[2] == ("laatste@example.org", RegistrationStatus.WAITLISTED)
    page = text(client.get(url))
    assert "Laatste Wachtende een plaats geven?" in page
    assert "De enige plaats is bezet." in page
    assert "2 deelnemers, meer dan het maximum" in page
    assert outbox()[before:] == []

    done = client.post(url, data={"boven_maximum": "1"}, follow_redirects=True)
    assert "Laatste Wachtende heeft een plaats gekregen en een e-mail." in text(done)
    # The queue is jumped: the first on the waiting list still waits.
    assert people(atelier.id) == [
        ("laatste@example.org", RegistrationStatus.REGISTERED),
        ("zit@example.org", RegistrationStatus.REGISTERED),
        ("eerste@example.org", RegistrationStatus.WAITLISTED),
    ] or people(atelier.id) == [
        ("zit@example.org", RegistrationStatus.REGISTERED),
        ("laatste@example.org", RegistrationStatus.REGISTERED),
        ("eerste@example.org", RegistrationStatus.WAITLISTED),
    ]
    (promoted,) = outbox()[before:]
    assert promoted["To"] == "laatste@example.org"
    assert ics_attachment(promoted) is not None


@pytest.mark.usefixtures("editor")
def test_promoting_someone_with_a_seat_changes_nothing(client: FlaskClient, outbox: Outbox) -> None:
    atelier = make_atelier()
    seated = register(atelier, name="Al Zittend")
    response = client.post(
        f"{base(atelier.id)}/{seated.id}/plaats", data={"boven_maximum": "1"}, follow_redirects=True
    )

    assert "Al Zittend heeft al een plaats." in text(response)
    assert len(outbox()) == 1


# -- mailing everyone -------------------------------------------------------------------------


def message_form(**overrides: Any) -> dict[str, Any]:
    values = {
        "nonce": NONCE,
        "subject": "Routebeschrijving",
        "text": "Beste deelnemers,\n\nDe ingang is aan de **achterkant**.\nTot dan!",
        "audience": "registered",
    }
    return {**values, **overrides}


@pytest.mark.usefixtures("editor")
@pytest.mark.parametrize(
    ("audience", "expected"),
    [("registered", ["a@example.org", "b@example.org"]),
     ("everyone", ["a@example.org", "b@example.org", "c@example.org"])],
)  # fmt: skip
def test_a_message_is_confirmed_then_sent_once_per_person(
    client: FlaskClient, outbox: Outbox, audience: str, expected: list[str]
) -> None:
    atelier = make_atelier(capacity=2)
    for address in ("a@example.org", "b@example.org", "c@example.org"):
        register(atelier, address)
    before = len(outbox())
    url = base(atelier.id) + "/bericht"

    step = client.post(url, data=message_form(audience=audience))
    assert step.status_code == 200
    assert f"Dit bericht gaat naar {len(expected)} personen." in text(step)
    assert outbox()[before:] == []  # nothing sent before the confirmation

    confirmed = message_form(audience=audience, confirmed="1")
    first = client.post(url, data=confirmed)
    second = client.post(url, data=confirmed)  # the button pressed twice
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == base(atelier.id)

    sent = outbox()[before:]
    assert sorted(m["To"] for m in sent) == expected
    for message in sent:
        assert message["Subject"] == "Routebeschrijving"
        # Plain text as typed: no Markdown turned into anything.
        assert "De ingang is aan de **achterkant**.\nTot dan!" in body(message).replace(
            "\r\n", "\n"
        )
        assert "/kennisateliers/aanmelding/" in body(message)  # their own link to cancel
    page = text(client.get(base(atelier.id)))
    assert page.count(f"Het bericht gaat naar {len(expected)} personen.") == 1


@pytest.mark.usefixtures("editor")
def test_a_message_needs_a_subject_and_a_text(client: FlaskClient, outbox: Outbox) -> None:
    atelier = make_atelier()
    register(atelier)
    response = client.post(
        base(atelier.id) + "/bericht", data=message_form(subject="", text="", confirmed="1")
    )

    assert response.status_code == 200
    assert text(response).count("Dit veld is verplicht.") >= 2
    assert len(outbox()) == 1


@pytest.mark.usefixtures("editor")
def test_a_message_to_one_person_says_so(client: FlaskClient) -> None:
    atelier = make_atelier()
    register(atelier)
    step = client.post(base(atelier.id) + "/bericht", data=message_form())

    assert "Dit bericht gaat naar 1 persoon." in text(step)


@pytest.mark.usefixtures("editor")
def test_back_from_the_confirmation_keeps_the_message_and_sends_nothing(
    client: FlaskClient, outbox: Outbox
) -> None:
    atelier = make_atelier()
    register(atelier)
    response = client.post(
        base(atelier.id) + "/bericht", data=message_form(confirmed="1", aanpassen="1")
    )

    page = text(response)
    assert response.status_code == 200
    assert 'value="Routebeschrijving"' in page and "**achterkant**" in page
    assert 'name="confirmed"' not in page
    assert len(outbox()) == 1  # the registration's confirmation only


# -- CSRF and wording ------------------------------------------------------------------------


def test_every_action_needs_its_csrf_token(
    app: Flask, client: FlaskClient, login_as: Callable[..., Any], outbox: Outbox
) -> None:
    atelier = make_atelier(capacity=1)
    seated, waiting = register(atelier), register(atelier)
    login_as(role=Role.EDITOR)
    app.config["WTF_CSRF_ENABLED"] = True
    before = people(atelier.id)

    responses = [
        client.post(base(atelier.id) + "/toevoegen", data=add_form()),
        client.post(f"{base(atelier.id)}/{seated.id}/verwijderen"),
        client.post(f"{base(atelier.id)}/{waiting.id}/plaats", data={"boven_maximum": "1"}),
        client.post(base(atelier.id) + "/bericht", data=message_form(confirmed="1")),
    ]

    assert [r.status_code for r in responses] == [400, 400, 400, 400]
    assert people(atelier.id) == before
    assert len(outbox()) == 2


@pytest.mark.usefixtures("editor")
def test_promotions_after_an_edit_are_counted_in_words(client: FlaskClient) -> None:
    from tests.ateliers.test_editor import form

    atelier = make_atelier(capacity=1)
    register(atelier), register(atelier), register(atelier)
    values = form(title=atelier.title, slug=atelier.slug, nonce=None)
    edit = f"/beheer/ateliers/{atelier.id}/bewerken"

    one = client.post(edit, data={**values, "capacity": "2"}, follow_redirects=True)
    assert "1 persoon van de wachtlijst kreeg een plaats." in text(one)
    client.post(edit, data={**values, "capacity": "1"})
    register(atelier)
    two = client.post(edit, data={**values, "capacity": "4"}, follow_redirects=True)
    assert "2 personen van de wachtlijst kregen een plaats." in text(two)

"""The editors' forms under /beheer/ateliers: access, validation, create once, edit, SEQUENCE."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from kispub.accounts.models import Role
from kispub.ateliers.models import Atelier, AtelierStatus
from kispub.ateliers.queries import atelier_by_slug
from kispub.extensions import db
from tests.ateliers.helpers import make_atelier, register
from tests.factories import make_theme


def form(**overrides: Any) -> dict[str, Any]:
    """A valid submission of the atelier form: 12 February 2027, 14:00 to 16:00 Amsterdam."""
    values: dict[str, Any] = {
        "title": "Taal en werk",
        "slug": "",
        "description": "Over *taal* en werk.",
        "starts_at": "2027-02-12T14:00",
        "ends_at": "2027-02-12T16:00",
        "venue_name": "Zaal De Populier",
        "venue_address": "Stationsplein 1, Utrecht",
        "online_url": "",
        "capacity": "25",
        "registration_deadline_at": "",
        "status": "scheduled",
        "publication": "published",
        "speakers": "Jaap Voorbeeld, Gemeente X\nNoor Proef",
        "hosts": "",
        "nonce": "een-nonce-van-minstens-16-tekens",
    }
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


def count_ateliers() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Atelier))


@pytest.mark.parametrize(
    "path",
    ["/beheer/ateliers/", "/beheer/ateliers/nieuw", "/beheer/ateliers/{id}/bewerken",
     "/beheer/ateliers/{id}/deelnemers", "/beheer/ateliers/{id}/deelnemers.csv"],
)  # fmt: skip
def test_editor_pages_are_for_editors_only(client: FlaskClient, login_as, path: str) -> None:
    atelier = make_atelier()
    url = path.format(id=atelier.id)

    response = client.get(url)
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    login_as(role=Role.MODERATOR)
    assert client.get(url).status_code == 403


@pytest.mark.usefixtures("editor")
def test_create_reads_times_as_amsterdam_and_a_double_submit_creates_one(
    client: FlaskClient,
) -> None:
    theme = make_theme("Arbeidsmarkt")
    data = form(themes=[theme.slug])
    first = client.post("/beheer/ateliers/nieuw", data=data)
    second = client.post("/beheer/ateliers/nieuw", data=data)

    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert count_ateliers() == 1
    atelier = atelier_by_slug("taal-en-werk")
    assert atelier.starts_at == datetime(2027, 2, 12, 13, tzinfo=UTC)  # winter: UTC+1
    assert atelier.capacity == 25
    assert [t.slug for t in atelier.themes] == ["arbeidsmarkt"]
    assert [(p.name, p.affiliation) for p in atelier.speakers] == [
        ("Jaap Voorbeeld", "Gemeente X"),
        ("Noor Proef", ""),
    ]
    assert atelier.sequence == 0


@pytest.mark.usefixtures("editor")
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_at": "2027-02-12T13:00"}, "Het einde moet na het begin liggen."),
        ({"capacity": "-1"}, "Vul een aantal plaatsen van 1 tot en met 10.000 in"),
        ({"capacity": "0"}, "Vul een aantal plaatsen van 1 tot en met 10.000 in"),
        (
            {"registration_deadline_at": "2027-02-12T15:00"},
            "De aanmelddeadline mag niet na het begin liggen.",
        ),
        ({"online_url": "javascript:alert(1)"}, "Vul een geldige link in die begint met https://."),
        ({"online_url": "https//meet"}, "Vul een geldige link in die begint met https://."),
        ({"venue_name": "", "venue_address": ""}, "Vul een locatie in, of kies voor online."),
        ({"starts_at": "morgen"}, "Vul een datum en tijd in"),
        ({"title": ""}, "Dit veld is verplicht."),
        ({"slug": "Met Spaties"}, "Gebruik alleen kleine letters, cijfers en streepjes."),
        ({"slug": "mijn"}, "Kies een andere korte naam"),
        ({"themes": ["bestaat-niet"]}, "is een ongeldige keuze"),
        # 28 March 2027: the clocks go from 02:00 to 03:00, so 02:30 never happens.
        (
            {"starts_at": "2027-03-28T02:30", "ends_at": "2027-03-28T04:00"},
            "zondag 28 maart 2027 om 02:30 bestaat niet",
        ),
        # Out of range: what a database column or a time-zone conversion cannot take.
        ({"capacity": str(2**31)}, "10.000"),
        ({"capacity": "99999999999999999999999"}, "10.000"),
        ({"starts_at": "0001-01-01T00:00"}, "tussen 1900 en 2100"),
        ({"ends_at": "9999-12-31T23:59"}, "tussen 1900 en 2100"),
        ({"registration_deadline_at": "1000-01-01T00:00"}, "tussen 1900 en 2100"),
    ],
)
def test_invalid_input_gets_a_clear_message_and_writes_nothing(
    client: FlaskClient, overrides: dict[str, Any], message: str
) -> None:
    response = client.post("/beheer/ateliers/nieuw", data=form(**overrides))

    assert response.status_code == 200
    assert message in html.unescape(response.get_data(as_text=True))
    assert count_ateliers() == 0


@pytest.mark.usefixtures("editor")
def test_the_ambiguous_autumn_hour_is_read_as_summer_time(client: FlaskClient) -> None:
    # 31 October 2027: 02:30 happens twice; the first (summer time, UTC+2) is meant.
    data = form(starts_at="2027-10-31T02:30", ends_at="2027-10-31T04:00")
    assert client.post("/beheer/ateliers/nieuw", data=data).status_code == 302
    atelier = atelier_by_slug("taal-en-werk")

    assert atelier.starts_at == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    assert atelier.ends_at == datetime(2027, 10, 31, 3, tzinfo=UTC)


@pytest.mark.usefixtures("editor")
def test_unknown_ateliers_are_not_found(client: FlaskClient) -> None:
    for atelier_id in ("12345", "9" * 30):
        assert client.get(f"/beheer/ateliers/{atelier_id}/bewerken").status_code == 404
        assert client.get(f"/beheer/ateliers/{atelier_id}/deelnemers.csv").status_code == 404


@pytest.mark.usefixtures("editor")
def test_a_duplicate_slug_is_refused(client: FlaskClient) -> None:
    make_atelier(slug="taal-en-werk")
    response = client.post("/beheer/ateliers/nieuw", data=form(slug="taal-en-werk"))

    assert "Er is al een kennisatelier met deze korte naam." in response.get_data(as_text=True)
    assert count_ateliers() == 1


@pytest.mark.usefixtures("editor")
def test_editing_keeps_the_uid_and_raises_sequence_for_significant_changes_only(
    client: FlaskClient,
) -> None:
    assert client.post("/beheer/ateliers/nieuw", data=form()).status_code == 302
    atelier = atelier_by_slug("taal-en-werk")
    url = f"/beheer/ateliers/{atelier.id}/bewerken"
    edit_page = client.get(url).get_data(as_text=True)
    assert 'value="2027-02-12T14:00"' in edit_page  # shown in Amsterdam time again

    steps = [
        ({"title": "Taal en werk: wat werkt?"}, 0),  # text only
        ({"capacity": "30"}, 0),
        ({"starts_at": "2027-02-19T14:00", "ends_at": "2027-02-19T16:00"}, 1),  # time
        ({"venue_name": "Online studio"}, 2),  # place
        ({"status": "postponed"}, 3),
        ({"status": "postponed"}, 3),  # no change at all
    ]
    current = form()
    for overrides, expected in steps:
        current.update(overrides)
        assert client.post(url, data=current).status_code == 302
        db.session.rollback()
        edited = db.session.get(Atelier, atelier.id)
        assert edited.sequence == expected, overrides
        assert edited.id == atelier.id and edited.slug == "taal-en-werk"
    assert edited.status is AtelierStatus.POSTPONED


@pytest.mark.usefixtures("editor")
def test_an_unchanged_save_keeps_the_last_modified_time(client: FlaskClient) -> None:
    client.post("/beheer/ateliers/nieuw", data=form())
    atelier = atelier_by_slug("taal-en-werk")
    before = atelier.updated_at
    response = client.post(f"/beheer/ateliers/{atelier.id}/bewerken", data=form())

    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(Atelier, atelier.id).updated_at == before


@pytest.mark.usefixtures("editor")
def test_attendees_page_lists_seats_then_the_waiting_list(client: FlaskClient) -> None:
    atelier = make_atelier(capacity=1)
    register(atelier, "eerste@example.org", name="Eerste Persoon")
    register(atelier, "tweede@example.org", name="Tweede Persoon")
    page = client.get(f"/beheer/ateliers/{atelier.id}/deelnemers").get_data(as_text=True)

    assert page.index("Eerste Persoon") < page.index("Tweede Persoon")
    assert "Wachtlijst" in page
    overview = client.get("/beheer/ateliers/").get_data(as_text=True)
    assert "1 van 1" in overview

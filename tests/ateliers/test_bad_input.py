"""Line breaks and control characters in an atelier, huge numbers and ancient dates."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import update

from kispub.ateliers.models import Atelier
from kispub.ateliers.queries import atelier_by_slug
from kispub.ateliers.services.editing import AtelierError
from kispub.content import load_content
from kispub.core.database import write_transaction
from kispub.extensions import db
from tests.ateliers.helpers import make_atelier
from tests.ateliers.test_editor import count_ateliers, form


def test_a_line_break_in_a_title_breaks_neither_the_ics_nor_the_registration(
    client: FlaskClient, outbox: Callable[[], list[EmailMessage]]
) -> None:
    atelier = make_atelier(title="Taal\r\nen werk\x01", slug="taal-en-werk")
    assert atelier.title == "Taal en werk"
    with write_transaction():  # a row stored before the rule
        db.session.execute(update(Atelier).values(title="Taal\rvan\x0b werk"))

    ics = client.get("/kennisateliers/taal-en-werk.ics")
    assert ics.status_code == 200
    event = Calendar.from_ical(ics.data).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Taal\nvan\n werk"

    response = client.post(
        "/kennisateliers/taal-en-werk/aanmelden",
        data={"name": "Noor\r\nProef", "email": "noor@example.org", "organisation": "X\x01"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    [mail] = outbox()
    assert mail["Subject"].endswith("Taal van werk")


@pytest.mark.usefixtures("editor")
def test_the_form_repairs_a_slug_with_a_trailing_newline(client: FlaskClient) -> None:
    response = client.post("/beheer/ateliers/nieuw", data=form(slug="taal-en-werk\r\n"))
    assert response.status_code == 302
    assert atelier_by_slug("taal-en-werk") is not None


@pytest.mark.usefixtures("app")
def test_a_slug_with_a_trailing_newline_is_refused_by_the_service() -> None:
    with pytest.raises(AtelierError, match="kleine letters"):
        make_atelier(slug="taal\n")
    assert count_ateliers() == 0


@pytest.mark.usefixtures("editor")
@pytest.mark.parametrize("number", ["99999999999999999999999", str(2**31)])
@pytest.mark.parametrize("page", ["bewerken", "deelnemers", "deelnemers.csv"])
def test_huge_atelier_ids_are_not_found(client: FlaskClient, number: str, page: str) -> None:
    assert client.get(f"/beheer/ateliers/{number}/{page}").status_code == 404


def test_huge_page_numbers_and_control_characters_in_urls(client: FlaskClient) -> None:
    assert client.get("/kennisateliers/?pagina=99999999999999999999999").status_code == 200
    assert client.get("/kennisateliers/%00").status_code == 404
    assert client.get("/kennisateliers/taal%0A.ics").status_code == 404
    unknown = client.get("/kennisateliers/?thema=bestaat-niet").status_code
    for value in ("%00", "a%00b", "taal%0A", "%C0%80"):  # PostgreSQL refuses NUL in text
        assert client.get(f"/kennisateliers/?thema={value}").status_code == unknown


@pytest.mark.usefixtures("app")
def test_a_content_file_cannot_store_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "ateliers.toml"
    path.write_text(
        '[[ateliers]]\nslug = "taal"\ntitle = "Taal\\u0001 en\\nwerk"\n'
        'description = "Regel\\r\\nRegel\\u000b"\nvenue_name = "Zaal\\u007f"\n'
        "starts_at = 2027-02-12T14:00:00\nends_at = 2027-02-12T16:00:00\n",
        encoding="utf-8",
    )
    load_content(path)
    atelier = atelier_by_slug("taal")
    assert atelier is not None
    assert (atelier.title, atelier.description, atelier.venue_name) == (
        "Taal en werk",
        "Regel\nRegel",
        "Zaal",
    )

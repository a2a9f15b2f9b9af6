"""Attendee data: the CSV export (formula injection) and removal after the retention period."""

from __future__ import annotations

import csv
import io

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select, update

from kispub.accounts.models import Role
from kispub.ateliers.export import neutralise_cell
from kispub.ateliers.queries import attendees
from kispub.ateliers.services.registration import purge_attendee_data
from kispub.core.database import write_transaction
from kispub.core.outbox import OutboxMessage, OutboxStatus
from kispub.extensions import db
from tests.ateliers.helpers import make_atelier, move_to, register, soon
from tests.clock import Clock


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+31 6 12345678", "'+31 6 12345678"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("Gemeente Utrecht", "Gemeente Utrecht"),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_formula_like_cells_are_neutralised(value: str, expected: str) -> None:
    assert neutralise_cell(value) == expected


def test_csv_export_for_editors(client: FlaskClient, login_as) -> None:
    atelier = make_atelier(capacity=1)
    register(atelier, "anna@example.org", name="=cmd|' /C calc'!A0", organisation="Pharos")
    register(atelier, "bob@example.org", name="Bob", organisation="@Gemeente")
    login_as(role=Role.EDITOR)

    with client.get(f"/beheer/ateliers/{atelier.id}/deelnemers.csv") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        assert response.headers["Cache-Control"] == "private, no-store"
        assert "attachment" in response.headers["Content-Disposition"]
        text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))

    assert rows[0] == ["Naam", "E-mailadres", "Organisatie", "Status", "Aangemeld op"]
    assert rows[1][:4] == ["'=cmd|' /C calc'!A0", "anna@example.org", "Pharos", "Aangemeld"]
    assert rows[2][:4] == ["Bob", "bob@example.org", "'@Gemeente", "Wachtlijst"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_members_cannot_see_attendees(client: FlaskClient, login_as) -> None:
    atelier = make_atelier()
    register(atelier, "anna@example.org")
    login_as(role=Role.MEMBER)

    assert client.get(f"/beheer/ateliers/{atelier.id}/deelnemers.csv").status_code == 403
    page = client.get(f"/kennisateliers/{atelier.slug}").get_data(as_text=True)
    assert "anna@example.org" not in page


def test_purge_removes_registrations_after_the_retention_period(app: Flask, clock: Clock) -> None:
    app.config["ATELIER_ATTENDEE_RETENTION_DAYS"] = 30
    long_ago, recently, upcoming = make_atelier(), make_atelier(), make_atelier()
    for atelier in (long_ago, recently, upcoming):
        register(atelier, "anna@example.org")
    move_to(long_ago, soon(days=-31))
    move_to(recently, soon(days=-20))

    assert purge_attendee_data() == 1
    assert attendees(long_ago.id) == []
    assert len(attendees(recently.id)) == 1
    assert len(attendees(upcoming.id)) == 1
    clock.advance(days=15)
    assert purge_attendee_data() == 1
    assert attendees(recently.id) == []


def test_purge_takes_the_undelivered_mail_to_those_attendees_along(
    app: Flask, clock: Clock
) -> None:
    old, current = make_atelier(), make_atelier()
    register(old, "anna@example.org")
    register(current, "bob@example.org")
    with write_transaction():  # as if the mail server refused both confirmations for good
        db.session.execute(update(OutboxMessage).values(status=OutboxStatus.FAILED))
    move_to(old, soon(days=-100))

    assert purge_attendee_data() == 1
    assert list(db.session.scalars(select(OutboxMessage.recipient))) == ["bob@example.org"]


def test_purge_command(app: Flask, runner: FlaskCliRunner) -> None:
    old = make_atelier()
    register(old, "anna@example.org")
    register(old, "bob@example.org")
    move_to(old, soon(days=-100))
    result = runner.invoke(args=["ateliers", "purge"])

    assert result.exit_code == 0, result.output
    assert "Removed 2 registration(s)" in result.output
    assert attendees(old.id) == []

"""A member's copy of their data (AVG): the ZIP's contents, the link, its expiry, the purge."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete

from kispub.accounts.data_export import purge_data_exports, to_json
from kispub.accounts.models import DataExport, User
from kispub.accounts.privacy import export_sections, register_export_section
from kispub.community.models import Member
from kispub.core.database import write_transaction
from kispub.extensions import db
from tests.accounts.privacy_helpers import (
    download,
    exports_of,
    give_data,
    link_in,
    nonce,
    open_zip,
    path_of,
    request_export,
)
from tests.clock import freeze
from tests.community.discussion_helpers import client_for
from tests.community.helpers import make_member

Outbox = Callable[[], list[EmailMessage]]
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_the_zip_holds_every_section_of_the_members_data_and_nobody_elses(
    app: Flask, outbox: Outbox
) -> None:
    freeze(app, START)
    anna = make_member(name="Anna de Vries", email="anna@example.org", organisation="Gemeente A")
    bram = make_member(name="Bram Bakker", email="bram@example.org", organisation="Stichting B")
    give_data(anna, bram, marker="ANNA-7731", other_marker="BRAM-4410")
    client = client_for(app, anna)
    client_for(app, anna)  # a second login, in the history

    assert request_export(client).status_code == 302
    response = download(client, path_of(link_in(outbox)))

    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    archive, files = open_zip(response.data)
    names = archive.namelist()
    assert names[0] == "README.txt"
    expected = {
        "account", "inloggeschiedenis", "profiel", "berichten", "meldingen", "voorkeuren",
        "lidmaatschap", "kennisateliers", "moderatie",
    }  # fmt: skip
    assert set(files) == expected
    readme = archive.read("README.txt").decode("utf-8")
    for name in expected:
        assert f"{name}.json" in readme
    assert "bestanden/profielfoto.webp" in readme
    assert archive.read("bestanden/profielfoto.webp")[:4] == b"RIFF"

    assert files["account"]["e-mailadres"] == "anna@example.org"
    assert files["account"]["organisatie"] == "Gemeente A"
    assert files["account"]["aangemaakt_op"] == START.isoformat()
    assert [e["actie"] for e in files["inloggeschiedenis"]] == ["login", "login"]
    assert files["profiel"]["introductie"] == "Introductie ANNA-7731"
    assert files["profiel"]["themas"] == ["Participatie"]
    assert files["profiel"]["profielfoto"] == "bestanden/profielfoto.webp"
    posts = files["berichten"]
    assert [post["nummer"] for post in posts] == [1, 3]
    assert posts[1]["tekst"] == "Tweede tekst ANNA-7731"
    assert [v["tekst"] for v in posts[1]["eerdere_versies"]] == ["Eerste tekst ANNA-7731"]
    # Hers only: the moderator's message to her, and what the worker told her about the thread.
    mine = [n for n in files["meldingen"] if n["tekst"] == "Melding voor mij ANNA-7731"]
    assert len(mine) == 1 and mine[0]["van"] == "Bram Bakker"  # as the notification showed it
    assert "BRAM-4410" not in json.dumps(files["meldingen"])
    preferences = files["voorkeuren"]
    assert preferences["e-mail"] == "Direct bij vermeldingen en reacties op mij"
    assert preferences["themas"][0]["niveau"] == "Volgen"
    assert preferences["onderwerpen"][0]["niveau"] == "Negeren"
    assert preferences["onderwerpen"][0]["e-mail_gestopt"] is True
    assert [step["actie"] for step in files["lidmaatschap"]] == ["approved"]
    registrations = files["kennisateliers"]["aanmeldingen"]
    assert [r["e-mailadres"] for r in registrations] == ["anna@example.org"]
    assert registrations[0]["organisatie"] == "Mijn organisatie"

    everything = b"".join(archive.read(name) for name in names if not name.endswith(".webp"))
    for foreign in (b"BRAM-4410", b"bram@example.org", b"Stichting B"):
        assert foreign not in everything


def test_the_json_is_indented_utf8_with_iso_dates() -> None:
    moment = datetime(2026, 12, 7, 10, 30, tzinfo=UTC)
    text = to_json({"naam": "Fatima El Amraní", "op": moment}).decode("utf-8")
    assert text == '{\n  "naam": "Fatima El Amraní",\n  "op": "2026-12-07T10:30:00+00:00"\n}\n'


def test_a_double_click_makes_one_export_and_another_must_wait_a_day(
    app: Flask, outbox: Outbox
) -> None:
    clock = freeze(app, START)
    anna = make_member(email="anna@example.org")
    client = client_for(app, anna)
    same = nonce()

    first, second = request_export(client, same), request_export(client, same)
    assert first.location == second.location
    assert len(exports_of(anna)) == 1
    assert len([m for m in outbox() if "gegevens" in str(m["Subject"])]) == 1

    refused = request_export(client)
    assert refused.status_code == 302
    page = client.get("/account").text
    assert "U vroeg onlangs al een kopie aan. Een nieuwe kan na dinsdag 3 november 2026" in page
    assert "U kunt opnieuw een kopie aanvragen na" in page
    assert len(exports_of(anna)) == 1

    clock.advance(hours=24, minutes=1)
    request_export(client_for(app, anna))  # logged in anew: the session timed out
    assert len(exports_of(anna)) == 2


def test_the_link_works_only_for_its_owner_while_logged_in(app: Flask, outbox: Outbox) -> None:
    anna, bram = make_member(), make_member()
    request_export(client_for(app, anna))
    path = path_of(link_in(outbox))

    anonymous = app.test_client().get(path)
    assert anonymous.status_code == 302 and "/inloggen" in anonymous.location
    assert client_for(app, bram).get(path).status_code == 404
    owner = client_for(app, anna)
    assert download(owner, path).status_code == 200
    forged = path[:-3] + ("abc" if not path.endswith("abc") else "xyz")
    assert owner.get(forged).status_code == 404
    owner.post("/uitloggen")
    assert owner.get(path).status_code == 302


def test_the_account_page_shows_the_ready_export_until_it_expires(
    app: Flask, outbox: Outbox
) -> None:
    clock = freeze(app, START)
    anna = make_member()
    client = client_for(app, anna)
    page = client.get("/account").text
    assert "Uw gegevens" in page and "Kopie van mijn gegevens aanvragen" in page

    request_export(client)
    page = client.get("/account").text
    assert "Uw gegevens staan klaar." in page
    link = link_in(outbox)
    assert "Download uw gegevens" in page

    clock.advance(days=7, minutes=1)
    client = client_for(app, anna)  # the session itself timed out meanwhile
    assert "Uw gegevens staan klaar." not in client.get("/account").text
    expired = client.get(path_of(link))
    assert expired.status_code == 410
    assert "verlopen" in expired.text


def test_a_pending_export_is_shown_and_blocks_another_request(app: Flask) -> None:
    anna = make_member()
    with write_transaction() as session:
        session.add(DataExport(user_id=anna.id, token="a" * 32))
    client = client_for(app, anna)
    assert "worden klaargezet" in client.get("/account").text
    request_export(client)
    assert len(exports_of(anna)) == 1


def test_the_purge_deletes_expired_exports_lost_builds_and_stray_files(
    app: Flask, outbox: Outbox
) -> None:
    clock = freeze(app, START)
    anna, bram = make_member(), make_member()
    request_export(client_for(app, anna))
    folder = Path(app.config["DATA_EXPORT_DIR"])
    (anna_file,) = folder.glob("*.zip")
    stray = folder / "niemand.zip"
    stray.write_bytes(b"left by a crash")
    old = time.time() - 2 * 3600
    os.utime(stray, (old, old))
    clock.advance(days=6)
    request_export(client_for(app, bram))
    clock.advance(days=1, minutes=1)

    assert purge_data_exports() == 1  # anna's; bram's lives another six days

    assert exports_of(anna) == [] and len(exports_of(bram)) == 1
    assert not anna_file.exists() and not stray.exists()
    assert len(list(folder.glob("*.zip"))) == 1

    with write_transaction() as session:  # a build whose worker died
        session.add(DataExport(user_id=anna.id, token="b" * 32, requested_at=clock.now))
    clock.advance(hours=7)
    assert purge_data_exports() == 1
    assert exports_of(anna) == []


def test_a_section_that_has_nothing_is_left_out(app: Flask, outbox: Outbox) -> None:
    staff_made = make_member()
    with write_transaction() as session:  # an account without membership (staff, say)
        session.delete(db.session.get(Member, staff_made.id))
    request_export(client_for(app, staff_made))
    _archive, files = open_zip(download(client_for(app, staff_made), path_of(link_in(outbox))).data)
    assert "profiel" not in files and "voorkeuren" not in files
    assert files["berichten"] == [] and files["kennisateliers"]["aanmeldingen"] == []


def test_sections_are_registered_once_by_name(app: Flask) -> None:
    names = [section.name for section in export_sections()]
    assert names[:2] == ["account", "inloggeschiedenis"]
    assert len(names) == len(set(names))
    for bad in ("account", "Met Spaties", "../pad"):
        try:
            register_export_section(app, bad, lambda user: None)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} was accepted")


def test_an_expired_link_is_refused_even_with_its_row_gone(app: Flask, outbox: Outbox) -> None:
    anna = make_member()
    client = client_for(app, anna)
    request_export(client)
    path = path_of(link_in(outbox))
    with write_transaction() as session:
        for export in exports_of(anna):
            session.delete(session.get(DataExport, export.id))
    assert client.get(path).status_code == 410


def test_a_request_with_a_broken_form_changes_nothing(app: Flask) -> None:
    anna = make_member()
    client: FlaskClient = client_for(app, anna)
    assert client.post("/account/gegevens", data={"nonce": "kort"}).status_code == 302
    assert exports_of(anna) == []


def test_an_export_whose_account_is_erased_while_it_is_built_leaves_no_file(
    app: Flask, outbox: Outbox
) -> None:
    anna = make_member()

    def erased_meanwhile(user: User) -> None:
        # As if the person deleted their account while the worker was collecting.
        with write_transaction() as session:
            session.execute(delete(DataExport).where(DataExport.user_id == user.id))

    register_export_section(app, "test-erased-meanwhile", erased_meanwhile)
    request_export(client_for(app, anna))

    assert exports_of(anna) == []
    assert list(Path(app.config["DATA_EXPORT_DIR"]).iterdir()) == []
    assert not [m for m in outbox() if "gegevens" in str(m["Subject"])]

"""Bulk invitations from a CSV file: the per-row report, bad files, confirming once, and
never half an import."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from kispub.accounts.models import Role, User
from kispub.community import notifications
from kispub.community.models import Invitation, MembershipEvent
from kispub.community.services.bulk import BulkFileError, invite_rows, preview_file
from kispub.community.services.invitations import PersonalInvitation, invite_person
from kispub.community.services.rules import JoiningError
from kispub.core.outbox import OutboxMessage
from kispub.extensions import db
from tests.community.helpers import make_member
from tests.community.joining_helpers import nonce

UPLOAD = "/beheer/community/uitnodigingen/bestand"
CONFIRM = f"{UPLOAD}/bevestigen"
GOOD = (
    "name,email,organisation\r\n"
    "Fatima El Amrani,f.elamrani@utrecht.nl,Gemeente Utrecht\r\n"
    "Jan de Boer,jan@pharos.nl,Pharos\r\n"
    '"Vries, Sem de",sem@swn.nl,"Sociaal Werk Nederland"\r\n'
)


def _count(model: type) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _invitation_events() -> int:
    statement = select(func.count()).where(MembershipEvent.invitation_id.is_not(None))
    return db.session.scalar(statement)


def _upload(client: FlaskClient, content: bytes, filename: str = "leden.csv") -> str:
    data = {"file": (io.BytesIO(content), filename), "note": "Congres 2026"}
    response = client.post(UPLOAD, data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _token(html: str) -> str:
    found = re.search(r'name="rows" type="hidden" value="([^"]+)"', html) or re.search(
        r'id="rows" name="rows" type="hidden" value="([^"]+)"', html
    )
    assert found, html
    return found[1]


@pytest.fixture
def staff(client: FlaskClient, login_as: Callable) -> User:
    return login_as(role=Role.MODERATOR)


@pytest.mark.parametrize(
    "content",
    [
        GOOD.encode(),
        b"\xef\xbb\xbf" + GOOD.encode(),  # Excel's "CSV UTF-8" starts with a byte-order mark
        # Excel in Dutch: semicolons, Dutch column names, another order, LF line ends.
        b"E-mailadres;Naam;Organisatie\nf.elamrani@utrecht.nl;Fatima El Amrani;Gemeente Utrecht\n"
        b"jan@pharos.nl;Jan de Boer;Pharos\nsem@swn.nl;Vries, Sem de;Sociaal Werk Nederland\n\n",
    ],
    ids=["comma", "bom", "semicolon"],
)
def test_a_good_file_is_previewed_then_invited_at_once(
    client: FlaskClient, staff: User, outbox, content: bytes
) -> None:
    html = _upload(client, content)
    assert "3 rijen worden uitgenodigd" in html and "Vries, Sem de" in html
    assert _count(Invitation) == 0 and outbox() == []  # the preview changes nothing
    response = client.post(CONFIRM, data={"rows": _token(html), "nonce": nonce()})
    assert response.status_code == 302
    assert "3 uitnodigingen gemaild." in client.get(response.location).get_data(as_text=True)
    invitations = list(db.session.scalars(select(Invitation).order_by(Invitation.email)))
    assert [i.email for i in invitations] == [
        "f.elamrani@utrecht.nl",
        "jan@pharos.nl",
        "sem@swn.nl",
    ]
    assert all(i.note == "Congres 2026" and i.created_by_id == staff.id for i in invitations)
    assert sorted(mail["To"] for mail in outbox()) == [i.email for i in invitations]
    assert _invitation_events() == 3


def test_a_mixed_file_reports_each_bad_row_and_invites_the_rest(
    client: FlaskClient, staff: User, outbox
) -> None:
    make_member(email="bestaat@example.org")
    invite_person(staff, PersonalInvitation("uitgenodigd@example.org", "Al Uitgenodigd"))
    content = (
        "name,email,organisation\n"
        "Goed Een,goed1@example.org,A\n"  # line 2
        ",zonder-naam@example.org,B\n"  # 3: no name
        "Fout Adres,geen-adres,C\n"  # 4
        "Goed Twee,GOED1@example.org,D\n"  # 5: the same address as line 2
        "Heeft Account,bestaat@example.org,E\n"  # 6
        "Al Uitgenodigd,uitgenodigd@example.org,F\n"  # 7
        "Zonder Adres,,G\n"  # 8
        f"{'X' * 121},lang@example.org,H\n"  # 9: a name too long for the account
        "Goed Drie,goed3@example.org\n"  # 10: the organisation column may be left off
    ).encode()
    html = _upload(client, content)
    assert "2 rijen worden uitgenodigd" in html and "7 rijen worden overgeslagen" in html
    for reason in (
        "De naam ontbreekt.",
        "Dit is geen geldig e-mailadres.",
        "Dit adres staat ook op regel 2.",
        "Er bestaat al een account met dit e-mailadres.",
        "Dit adres heeft al een openstaande uitnodiging.",
        "Het e-mailadres ontbreekt.",
        "De naam is langer dan 120 tekens.",
    ):
        assert reason in html, reason
    client.post(CONFIRM, data={"rows": _token(html), "nonce": nonce()})
    invited = set(db.session.scalars(select(Invitation.email)))
    assert invited == {"uitgenodigd@example.org", "goed1@example.org", "goed3@example.org"}
    assert len(outbox()) == 3  # the earlier invitation and the two good rows


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Het bestand is leeg."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "geen CSV-bestand in UTF-8"),
        ("name,email\nJosé,j@example.org\n".encode("utf-16"), "geen CSV-bestand in UTF-8"),
        ("name,email\nJosé,j@example.org\n".encode("latin-1"), "geen CSV-bestand in UTF-8"),
        (b"voornaam,adres\nA,a@example.org\n", "De eerste regel moet de kolommen noemen"),
        (b"name,email,organisation\n", "geen rijen onder de kopregel"),
        (b'name,email\n"A,a@example.org\n', "geen geldige CSV"),
        (b"name,email\n" + b"A,a@example.org\n" * 6, "meer dan 5 rijen"),
        (b"name,email\n" + b"x" * 2048, "groter dan 1 kB"),
    ],
    ids=[
        "empty",
        "png",
        "utf16",
        "latin1",
        "no-header",
        "no-rows",
        "broken-quote",
        "too-many-rows",
        "too-large",
    ],
)
def test_a_bad_file_is_refused_with_the_reason(
    app: Flask, client: FlaskClient, staff: User, content: bytes, message: str
) -> None:
    app.config.update(COMMUNITY_BULK_MAX_ROWS=5, COMMUNITY_BULK_MAX_BYTES=1024)
    html = _upload(client, content)
    assert message in html
    assert 'name="rows"' not in html and _count(Invitation) == 0


def test_an_error_halfway_imports_nothing(
    app: Flask, monkeypatch: pytest.MonkeyPatch, outbox
) -> None:
    staff = make_member(role=Role.MODERATOR)
    content = "".join(f"Persoon {n},p{n}@example.org,Org\n" for n in range(5))
    preview = preview_file(staff, io.BytesIO(f"name,email,organisation\n{content}".encode()))
    assert len(preview.good) == 5
    real = notifications.queue_invitation
    calls: list[Any] = []

    def fail_on_the_third(*args: Any) -> None:
        calls.append(args)
        if len(calls) == 3:
            raise RuntimeError("the mail server's disk is full")
        real(*args)

    monkeypatch.setattr(notifications, "queue_invitation", fail_on_the_third)
    with pytest.raises(RuntimeError):
        invite_rows(staff, preview.token)
    assert len(calls) == 3
    assert _count(Invitation) == 0 and _invitation_events() == 0 and _count(OutboxMessage) == 0
    assert outbox() == []
    monkeypatch.setattr(notifications, "queue_invitation", real)
    assert invite_rows(staff, preview.token).invited == 5  # the same preview, whole, later


def test_confirming_twice_invites_once(client: FlaskClient, staff: User, outbox) -> None:
    form = {"rows": _token(_upload(client, GOOD.encode())), "nonce": nonce()}
    first = client.post(CONFIRM, data=form)
    second = client.post(CONFIRM, data=form)
    assert first.status_code == second.status_code == 302
    assert _count(Invitation) == 3 and len(outbox()) == 3


def test_a_row_taken_since_the_preview_is_skipped_and_reported(
    client: FlaskClient, staff: User, outbox
) -> None:
    html = _upload(client, GOOD.encode())
    make_member(email="jan@pharos.nl")  # joined meanwhile
    response = client.post(CONFIRM, data={"rows": _token(html), "nonce": nonce()})
    page = client.get(response.location).get_data(as_text=True)
    assert "2 uitnodigingen gemaild." in page
    assert "Regel 3 (jan@pharos.nl) overgeslagen" in page
    assert _count(Invitation) == 2


def test_the_preview_cannot_be_forged_or_confirmed_by_someone_else(
    app: Flask, client: FlaskClient, staff: User
) -> None:
    html = _upload(client, GOOD.encode())
    token = _token(html)
    forged = client.post(CONFIRM, data={"rows": token[:-2] + "xx", "nonce": nonce()})
    assert "verlopen of ongeldig" in client.get(forged.location).get_data(as_text=True)
    other = make_member(role=Role.ADMIN)
    with pytest.raises(JoiningError, match="verlopen of ongeldig"):
        invite_rows(other, token)
    with pytest.raises(JoiningError):
        invite_rows(make_member(), token)  # a member cannot invite at all
    assert _count(Invitation) == 0


def test_the_upload_needs_a_file(client: FlaskClient, staff: User) -> None:
    page = client.get(UPLOAD).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    response = client.post(UPLOAD, data={"note": "x"}, content_type="multipart/form-data")
    assert response.status_code == 200 and "Dit veld is verplicht." in response.get_data(
        as_text=True
    )


def test_preview_file_raises_for_a_bad_file(app: Flask) -> None:
    with pytest.raises(BulkFileError):
        preview_file(make_member(role=Role.MODERATOR), io.BytesIO(b"\x00\x01"))

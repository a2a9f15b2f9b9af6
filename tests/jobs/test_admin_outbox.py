"""The outbox page: admins only, statuses and errors shown, failed messages retried."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from kispub.core.database import write_transaction
from kispub.core.outbox import OutboxMessage, OutboxStatus
from kispub.extensions import db
from tests.jobs.helpers import outbox_row, queue


def _fail(key: str) -> int:
    with write_transaction():
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.key == key)
            .values(status=OutboxStatus.FAILED, attempts=5, last_error="SMTPDataError: 550 nee")
        )
    return outbox_row(key).id


def test_only_admins_see_the_outbox(client: FlaskClient, login_as) -> None:
    assert client.get("/beheer/outbox").status_code == 302  # to the login page
    login_as(role="editor")
    assert client.get("/beheer/outbox").status_code == 403
    assert client.post("/beheer/outbox/1/opnieuw").status_code == 403


def test_admin_sees_status_attempts_and_errors_and_retries_a_failed_message(
    app: Flask, client: FlaskClient, login_as, outbox
) -> None:
    queue("ok", subject="Gelukt")
    queue("mis", subject="Mislukt bericht")
    message_id = _fail("mis")
    login_as(role="admin")
    page = client.get("/beheer/outbox")
    assert page.status_code == 200
    html = page.text
    assert (
        '<caption id="outbox-caption">' in html
        and '<th scope="col">' in html
        and '<th scope="row">' in html
    )
    assert "Gelukt" in html and "Verstuurd" in html
    assert "Mislukt bericht" in html and "550 nee" in html and "Opnieuw versturen" in html
    assert html.count("Opnieuw versturen<span") == 1  # only the failed one has the button
    response = client.post(f"/beheer/outbox/{message_id}/opnieuw")
    assert response.status_code == 302
    row = outbox_row("mis")
    assert row.status is OutboxStatus.SENT  # the job ran at once (JOBS_IMMEDIATE)
    assert [m["Subject"] for m in outbox()].count("Mislukt bericht") == 2
    again = client.post(f"/beheer/outbox/{message_id}/opnieuw", follow_redirects=True)
    assert "Alleen mislukte berichten" in again.text


def test_retry_needs_the_csrf_token(app: Flask, client: FlaskClient, login_as) -> None:
    queue("mis")
    message_id = _fail("mis")
    login_as(role="admin")
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/beheer/outbox/{message_id}/opnieuw").status_code == 400
    assert outbox_row("mis").status is OutboxStatus.FAILED


def test_the_outbox_is_paginated(app: Flask, client: FlaskClient, login_as) -> None:
    for n in range(52):
        queue(f"m{n}", subject=f"Bericht {n:02d}")
    login_as(role="admin")
    first = client.get("/beheer/outbox").text
    second = client.get("/beheer/outbox?pagina=2").text
    assert "Bericht 51" in first and "Bericht 00" not in first and 'rel="next"' in first
    assert "Bericht 00" in second and "Bericht 51" not in second and 'rel="prev"' in second
    assert client.get("/beheer/outbox?pagina=3").status_code == 404

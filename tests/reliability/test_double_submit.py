"""16 identical submits at once through the real server arrive as one row; the others get a
clear answer, never a 500."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from kispub.accounts.models import Role
from kispub.ateliers.models import Atelier, Registration
from kispub.extensions import db
from kispub.podcast.models import Episode
from tests.ateliers.helpers import make_atelier
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.reliability.conftest import Answer, Server, log_in, new_series, request, upload_form
from tests.reliability.test_concurrent_writers import atelier_form

SUBMITS = 16


def all_at_once(send: Callable[[], Answer]) -> list[Answer]:
    """Run ``send`` in SUBMITS threads released together; every answer."""
    barrier = threading.Barrier(SUBMITS)
    answers: list[Answer] = []
    lock = threading.Lock()

    def one() -> None:
        barrier.wait(10)
        answer = send()
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=one) for _ in range(SUBMITS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(answers) == SUBMITS
    return answers


def count(model: Any) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_sixteen_identical_submits_make_one_row_each(
    app: Flask, make_server: Callable[..., Server]
) -> None:
    series = new_series(app)
    atelier = make_atelier(capacity=5)
    server = make_server(workers=2, threads=8)
    editor = make_user(role=Role.EDITOR)
    cookie = log_in(server.base_url, editor, DEFAULT_PASSWORD)

    # A registration (no nonce: the same address is the same registration).
    form = {"name": "Dubbel", "email": "dubbel@example.org", "organisation": "KIS"}
    path = f"/kennisateliers/{atelier.slug}/aanmelden"
    answers = all_at_once(lambda: request(server.base_url, "POST", path, form))
    # A repeat gets the same confirmation as the first (it reveals nothing about who
    # registered); the address is told by e-mail instead.
    assert {a.status for a in answers} == {302}
    assert len({a.headers["location"] for a in answers}) == 1
    assert count(Registration) == 1

    # An atelier from the back office, one form nonce.
    created = atelier_form(7, 20, "Zestien keer", nonce="zestien-keer-dezelfde-nonce")
    answers = all_at_once(
        lambda: request(server.base_url, "POST", "/beheer/ateliers/nieuw", created, cookie)
    )
    assert {a.status for a in answers} == {302}
    assert len({a.headers["location"] for a in answers}) == 1
    assert count(Atelier) == 2

    # An episode upload, one form nonce.
    content_type, body = upload_form(series.id, "zestien-keer-dezelfde-upload")

    def upload() -> Answer:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        try:
            headers = {"Cookie": cookie, "Content-Type": content_type}
            conn.request("POST", "/beheer/podcast/nieuw", body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode()
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, text)
        finally:
            conn.close()

    answers = all_at_once(upload)
    assert {a.status for a in answers} == {303}, [a.body[:300] for a in answers if a.status != 303]
    assert len({a.headers["location"] for a in answers}) == 1
    assert count(Episode) == 1

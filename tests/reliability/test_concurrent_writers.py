"""8 writers x 300 registrations and edits through the real server lose nothing."""

from __future__ import annotations

import http.client
import random
import threading
from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select

from kispub.accounts.models import Role
from kispub.ateliers.models import Atelier, Registration, RegistrationStatus
from kispub.core import clock
from kispub.core.outbox import OutboxMessage
from kispub.extensions import db
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.reliability.conftest import Server, log_in, request

WRITERS = 8
OPERATIONS = 300  # per writer: about a minute per database on this machine
ATELIERS = 4
START_CAPACITY = 30


def atelier_form(n: int, capacity: int, title: str, nonce: str = "") -> dict[str, str]:
    """The back office's atelier form, filled in."""
    day = (clock.now() + timedelta(days=40 + n)).strftime("%Y-%m-%d")
    return {"title": title, "slug": f"belast-{n}", "description": "Onder last.",
            "starts_at": f"{day}T14:00", "ends_at": f"{day}T16:00", "venue_name": "Zaal",
            "venue_address": "Stationsplein 1, Utrecht", "capacity": str(capacity),
            "status": "scheduled", "publication": "published", "speakers": "Jaap Voorbeeld",
            "hosts": "", "online_url": "", "registration_deadline_at": "",
            **({"nonce": nonce} if nonce else {})}  # fmt: skip


def test_eight_writers_lose_nothing(app: Flask, make_server: Callable[..., Server]) -> None:
    server = make_server(workers=2, threads=4)
    editor = make_user(role=Role.EDITOR)
    cookie = log_in(server.base_url, editor, DEFAULT_PASSWORD)
    slugs, ids = [], []
    for n in range(ATELIERS):
        form = atelier_form(n, START_CAPACITY, f"Belast {n}", nonce=f"nonce-belast-{n}-0123456789")
        answer = request(server.base_url, "POST", "/beheer/ateliers/nieuw", form, cookie)
        assert answer.status == 302, answer.body[:300]
        ids.append(int(answer.headers["location"].rstrip("/").split("/")[-2]))
        slugs.append(f"belast-{n}")

    accepted: list[tuple[int, str]] = []
    last_edit: dict[int, tuple[str, int]] = {}
    failures: list[str] = []
    lock = threading.Lock()

    def writer(w: int) -> None:
        rng = random.Random(w)  # noqa: S311 - reproducible load
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        capacity = START_CAPACITY
        for op in range(OPERATIONS):
            # Writers 0-3 each own one atelier's edits (so its final state is known).
            if w < ATELIERS and op % 10 == 9:
                capacity += 1
                title = f"Belast {w} versie {op}"
                form = atelier_form(w, capacity, title)
                answer = request(server.base_url, "POST", f"/beheer/ateliers/{ids[w]}/bewerken",
                                 form, cookie, conn)  # fmt: skip
                if answer.status == 302:
                    last_edit[w] = (title, capacity)
            else:
                n = rng.randrange(ATELIERS)
                email = f"w{w}-{op}@example.org"
                form = {"name": f"Schrijver {w} {op}", "email": email, "organisation": "KIS"}
                answer = request(server.base_url, "POST", f"/kennisateliers/{slugs[n]}/aanmelden",
                                 form, connection=conn)  # fmt: skip
                if answer.status == 302:
                    with lock:
                        accepted.append((ids[n], email))
            if answer.status != 302:
                with lock:
                    failures.append(f"{answer.status}: {answer.body[:200]}")
        conn.close()

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert not any(thread.is_alive() for thread in threads), "a writer did not finish"
    assert failures == []

    db.session.rollback()
    rows = list(db.session.scalars(select(Registration)))
    assert sorted((r.atelier_id, r.email) for r in rows) == sorted(accepted)
    for w, atelier_id in enumerate(ids):
        atelier = db.session.get(Atelier, atelier_id)
        assert atelier is not None
        assert (atelier.title, atelier.capacity) == last_edit[w]
        statuses = [r.status for r in rows if r.atelier_id == atelier_id]
        registered = statuses.count(RegistrationStatus.REGISTERED)
        waiting = statuses.count(RegistrationStatus.WAITLISTED)
        assert registered <= atelier.capacity
        assert waiting == 0 or registered == atelier.capacity  # nobody waits for a free seat
    # Every registration's confirmation is in the outbox (promotions add more).
    recipients = db.session.execute(
        select(OutboxMessage.recipient, func.count()).group_by(OutboxMessage.recipient)
    ).all()
    mailed = dict(recipients)
    assert all(mailed.get(r.email, 0) >= 1 for r in rows)
    promoted_possible = sum(1 for r in rows if r.status is RegistrationStatus.REGISTERED)
    assert len(rows) <= sum(mailed.values()) <= len(rows) + promoted_possible

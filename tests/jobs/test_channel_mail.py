"""A channel's mail end to end: a change queues it, a real worker delivers it by SMTP."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask

from kispub.ateliers.services.editing import update_atelier
from tests.ateliers.helpers import atelier_data, make_atelier, register
from tests.jobs.conftest import SMTPServer, wait_for, worker_config
from tests.jobs.helpers import parse

pytestmark = pytest.mark.slow


@pytest.fixture
def app_config(
    app_config: dict[str, Any], queue_storage: dict[str, Any], smtp_server: SMTPServer
) -> dict[str, Any]:
    """Jobs go to the queue, not run in the web process; mail to the loopback server."""
    return worker_config(app_config, queue_storage, smtp_server)


@pytest.mark.parametrize("queue_storage", ["sqlite"], indirect=True)
def test_an_atelier_change_queues_its_mail_and_the_worker_delivers_it(
    app: Flask, make_worker, smtp_server: SMTPServer, app_config: dict[str, Any]
) -> None:
    atelier = make_atelier(capacity=1)
    register(atelier, "zit@example.org")
    register(atelier, "wacht@example.org")
    data = atelier_data(slug=atelier.slug, title=atelier.title, starts_at=atelier.starts_at)
    update_atelier(atelier.id, replace(data, capacity=1, venue_name="Andere zaal"))
    assert smtp_server.handler.accepted == []  # nothing is sent from the request

    make_worker(app_config).start()
    received = wait_for(
        lambda: (
            len(smtp_server.handler.accepted) >= 4
            and [parse(raw) for raw in smtp_server.handler.accepted]
        ),
        30,
        "four messages",
    )
    by_subject = sorted((m["To"], m["Subject"].split(":")[0]) for m in received)
    assert by_subject == [
        ("wacht@example.org", "Gewijzigd"),
        ("wacht@example.org", "U staat op de wachtlijst"),
        ("zit@example.org", "Aanmelding bevestigd"),
        ("zit@example.org", "Gewijzigd"),
    ]
    changed = next(
        m for m in received if m["Subject"].startswith("Gewijzigd") and m["To"] == "zit@example.org"
    )
    ics = [p for p in changed.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(ics) == 1 and "Andere zaal" in ics[0].get_content()
    time.sleep(0.5)  # room for a duplicate delivery to show up
    assert len(smtp_server.handler.accepted) == 4
    assert len({m["Message-ID"] for m in received}) == 4
    assert all(m["Auto-Submitted"] == "auto-generated" for m in received)

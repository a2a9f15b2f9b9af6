"""The development outbox names each message file by date, recipient and subject."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask

from kispub.core.mail import build_message, deliver
from tests.clock import freeze

NAME = re.compile(r"^\d{8}-\d{6}_[a-z0-9-]+_[a-z0-9-]+_[0-9a-f]{8}\.eml$")


def _files(app: Flask) -> list[Path]:
    return sorted(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))


def test_a_message_file_is_named_by_date_recipient_and_subject(app: Flask) -> None:
    freeze(app, datetime(2026, 12, 7, 17, 32, 1, tzinfo=UTC))
    subject = "Uw aanmelding: kennisatelier ‘Onderwijs & taal’ bevestigd"
    deliver(build_message("Anna.de.Vries@example.org", subject, "Tot dan!").as_bytes())
    [path] = _files(app)
    assert NAME.match(path.name), path.name
    assert path.name.startswith(
        "20261207-173201_anna-de-vries-example-org_uw-aanmelding-kennisatelier-onderwijs-taal"
    )


def test_the_same_message_twice_makes_two_files(app: Flask) -> None:
    freeze(app, datetime(2026, 12, 7, 17, 32, 1, tzinfo=UTC))
    for _ in range(2):
        deliver(build_message("anna@example.org", "Hetzelfde", "Tekst").as_bytes())
    assert len({path.name for path in _files(app)}) == 2


def test_a_hostile_or_empty_subject_stays_a_plain_name_in_the_folder(app: Flask) -> None:
    deliver(build_message("anna@example.org", "../../etc/passwd " + "x" * 300, "T").as_bytes())
    deliver(build_message("anna@example.org", "", "T").as_bytes())
    names = [path.name for path in _files(app)]
    assert all(NAME.match(name) and len(name) < 140 for name in names), names
    assert any("_zonder-onderwerp_" in name for name in names)
    assert all(path.parent == Path(app.config["OUTBOX_DIR"]) for path in _files(app))

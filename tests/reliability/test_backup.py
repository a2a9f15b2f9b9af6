"""`flask backup` under write load, then `flask restore` into a fresh database and media folder:
every row of the snapshot and every file come back intact."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from kispub.ateliers.services.registration import RegistrationData, register_for_atelier
from kispub.core.backup import database_is_empty
from kispub.extensions import db
from tests.ateliers.helpers import make_atelier
from tests.conftest import POSTGRES, worker_schema
from tests.reliability.conftest import new_episode, new_series, referenced_files

FIXTURES_AUDIO = ("cbr_tagged.mp3", "vbr_xing.mp3", "vorbis.ogg", "aac.m4a")


@pytest.fixture
def fresh_database(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database to restore into: a new SQLite file, or a new PostgreSQL database."""
    if not POSTGRES:
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    url = make_url(database_url)
    name = worker_schema(f"{url.database}_restore")  # one per xdist worker
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class WriteLoad:
    """A thread registering for ateliers and uploading episodes until stopped."""

    def __init__(self, app: Flask, atelier_id: int, series_id: int) -> None:
        self.app, self.atelier_id, self.series_id = app, atelier_id, series_id
        self.stop = threading.Event()
        self.done = {"registrations": 0, "episodes": 0}
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        n = 0
        with self.app.app_context():
            try:
                while not self.stop.is_set():
                    n += 1
                    data = RegistrationData(f"Deelnemer {n}", f"last{n}@example.org")
                    register_for_atelier(self.atelier_id, data)
                    self.done["registrations"] += 1
                    if n % 3 == 0:
                        fixture = FIXTURES_AUDIO[n % len(FIXTURES_AUDIO)]
                        new_episode(self.app, self.series_id, fixture, title=f"Onder last {n}")
                        self.done["episodes"] += 1
            except BaseException as error:  # reported by the test
                self.errors.append(error)
            finally:
                db.session.remove()

    def __enter__(self) -> WriteLoad:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(60)


def table_counts() -> dict[str, int]:
    db.session.rollback()
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
        for table in db.metadata.sorted_tables
    }


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_backup_under_write_load_restores_whole(
    app: Flask, make_app: Callable[..., Flask], fresh_database: str, tmp_path: Path
) -> None:
    series = new_series(app)
    for n, fixture in enumerate(FIXTURES_AUDIO):
        new_episode(app, series.id, fixture, transcript="gesprek.vtt", title=f"Vooraf {n}")
    atelier = make_atelier(capacity=40)
    folder = tmp_path / "backup"
    runner = app.test_cli_runner()

    with WriteLoad(app, atelier.id, series.id) as load:
        time.sleep(0.3)  # the writer is busy before and while the backup runs
        result = runner.invoke(args=["backup", str(folder)])
        time.sleep(0.3)
    assert load.errors == []
    assert result.exit_code == 0, result.output
    assert load.done["registrations"] > 0 and load.done["episodes"] > 0

    manifest = json.loads((folder / "manifest.json").read_text())
    for entry in manifest["media"]:
        assert sha256(folder / "media" / entry["key"]) == entry["sha256"]
    # Writes went on: the live database has moved past the backup's snapshot.
    assert table_counts()["atelier_registration"] > manifest["row_counts"]["atelier_registration"]

    restored_media = tmp_path / "restored-media"
    restored = make_app(SQLALCHEMY_DATABASE_URI=fresh_database, MEDIA_ROOT=str(restored_media))
    with restored.app_context():
        outcome = restored.test_cli_runner().invoke(args=["restore", str(folder)])
        assert outcome.exit_code == 0, outcome.output
        assert table_counts() == manifest["row_counts"]
        for entry in manifest["media"]:
            assert sha256(restored_media / entry["key"]) == entry["sha256"]
        references = referenced_files(restored)
        assert references and all((restored_media / key).is_file() for key in references)
        # Mail queued with every registration is there too.
        assert (
            manifest["row_counts"]["outbox_message"]
            >= manifest["row_counts"]["atelier_registration"]
        )
        # Restoring over a database that holds rows needs --force.
        again = restored.test_cli_runner().invoke(args=["restore", str(folder)])
        assert again.exit_code == 1 and "not empty" in again.output
        forced = restored.test_cli_runner().invoke(args=["restore", str(folder), "--force"])
        assert forced.exit_code == 0, forced.output
        assert table_counts() == manifest["row_counts"]
        db.session.remove()


def test_a_second_backup_copies_only_new_files_and_damage_is_refused(
    app: Flask, make_app: Callable[..., Flask], fresh_database: str, tmp_path: Path
) -> None:
    series = new_series(app)
    new_episode(app, series.id, "cbr_tagged.mp3")
    folder = tmp_path / "backup"
    runner = app.test_cli_runner()
    assert "(2 new)" in runner.invoke(args=["backup", str(folder)]).output
    new_episode(app, series.id, "vorbis.ogg")
    assert "(1 new)" in runner.invoke(args=["backup", str(folder)]).output

    manifest = json.loads((folder / "manifest.json").read_text())
    damaged = folder / "media" / manifest["media"][0]["key"]
    damaged.write_bytes(damaged.read_bytes()[:-1] + b"!")
    restored = make_app(SQLALCHEMY_DATABASE_URI=fresh_database,
                        MEDIA_ROOT=str(tmp_path / "restored-media"))  # fmt: skip
    with restored.app_context():
        result = restored.test_cli_runner().invoke(args=["restore", str(folder)])
        assert result.exit_code == 1
        assert f"{manifest['media'][0]['key']} is damaged" in result.output
        assert database_is_empty(db.engine)  # nothing was touched
        unfinished = restored.test_cli_runner().invoke(args=["restore", str(tmp_path)])
        assert unfinished.exit_code == 1 and "no finished backup" in unfinished.output
        db.session.remove()


def test_backup_and_restore_are_commands(app: Flask) -> None:
    names = set(app.cli.list_commands(None))  # type: ignore[arg-type]
    assert {"backup", "restore"} <= names

"""The Alembic migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

import itertools
import shutil
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask.testing import FlaskCliRunner
from flask_migrate import upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import SAWarning

from kispub import MIGRATIONS, create_app
from kispub.core.database import is_managed_by_models
from kispub.extensions import db
from tests.conftest import POSTGRES, _base_config, postgres_schema_url, worker_schema


@pytest.fixture
def empty_database_url(tmp_path: Path) -> str:
    """An empty database: a new SQLite file, or a new schema on PostgreSQL."""
    if not POSTGRES:
        return f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    return postgres_schema_url(worker_schema("kispub_migrations"))


def test_the_history_is_one_straight_line() -> None:
    script = ScriptDirectory.from_config(_alembic_config())
    assert len(script.get_heads()) == 1
    revisions = list(script.walk_revisions())  # head first
    for newer, older in itertools.pairwise(revisions):
        assert newer.down_revision == older.revision, f"{newer.revision} does not follow {older}"
    assert revisions[-1].down_revision is None


def test_plain_flask_migrate_commands_upgrade_downgrade_and_upgrade_again(
    empty_database_url: str, tmp_path: Path
) -> None:
    app = create_app(_base_config(empty_database_url, tmp_path))
    runner = app.test_cli_runner()
    with _quiet_reflection():
        _run(runner, ["db", "upgrade"])
        with app.app_context():
            assert _differences() == []
            assert {"user_account", "theme", "podcast_episode", "atelier"} <= _tables()
        _run(runner, ["db", "downgrade", "base"])
        with app.app_context():
            assert _tables() <= {"alembic_version"}
        _run(runner, ["init-db"])
        with app.app_context():
            assert _differences() == []
            db.engine.dispose()


def test_autogenerate_against_a_migrated_database_finds_nothing_to_do(
    empty_database_url: str, tmp_path: Path
) -> None:
    app = create_app(_base_config(empty_database_url, tmp_path))
    runner = app.test_cli_runner()
    # A copy of the migrations folder keeps anything generated out of the source tree.
    migrations = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, migrations, ignore=shutil.ignore_patterns("__pycache__"))
    before = sorted(p.name for p in (migrations / "versions").iterdir())
    with _quiet_reflection():
        _run(runner, ["db", "upgrade"])
        _run(runner, ["db", "revision", "--autogenerate", "-m", "check", "-d", str(migrations)])
    after = sorted(p.name for p in (migrations / "versions").iterdir())
    assert after == before, "autogenerate wrote a revision: the migrations lag the models"
    with app.app_context():
        db.engine.dispose()


def _run(runner: FlaskCliRunner, args: list[str]) -> None:
    result = runner.invoke(args=args)
    assert result.exit_code == 0, f"{args}: {result.output}{result.exception!r}"


def _differences() -> list[object]:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": is_managed_by_models})
        return list(compare_metadata(context, db.metadata))


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def _alembic_config() -> Config:
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@contextmanager
def _quiet_reflection() -> Iterator[None]:
    # SQLite cannot reflect expression indexes; SQLAlchemy and Alembic warn and skip them.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "autogenerate skipping", UserWarning)
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", SAWarning)
        yield


def test_email_uniqueness_ignores_letter_case_in_the_migrated_schema(
    empty_database_url: str, tmp_path: Path
) -> None:
    app = create_app(_base_config(empty_database_url, tmp_path))
    with app.app_context():
        upgrade()
        insert = text(
            "INSERT INTO user_account (email, name, role, active, session_token, created_at) "
            "VALUES (:email, 'x', 'member', true, 't', CURRENT_TIMESTAMP)"
        )
        with db.engine.begin() as conn:
            conn.execute(insert, {"email": "anna@example.org"})
        with pytest.raises(Exception, match=r"(?i)unique"), db.engine.begin() as conn:
            conn.execute(insert, {"email": "ANNA@example.org"})
        db.engine.dispose()


def test_the_episode_number_migration_names_duplicates_made_before_it(
    empty_database_url: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    app = create_app(_base_config(empty_database_url, tmp_path))
    with app.app_context():
        upgrade(revision="0015dossier")
        series = text(
            "INSERT INTO podcast_series (id, slug, title, description, author, owner_name,"
            " owner_email, language, category, explicit, podcast_guid, created_at, updated_at)"
            " VALUES (1, 's', 'S', '', 'a', 'o', 'o@x.nl', 'nl', 'c', false, 'g',"
            " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        )
        episode = text(
            "INSERT INTO podcast_episode (series_id, guid, slug, title, number, episode_type,"
            " status, show_notes, explicit, audio_key, audio_mime, audio_size, duration_ms,"
            " audio_offset, bytes_per_second, chapters, created_at, updated_at)"
            " VALUES (1, :guid, :guid, 'E', 7, 'full', 'draft', '', false, 'k', 'audio/mpeg',"
            " 1, 1, 0, 1.0, '[]', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        )
        with db.engine.begin() as conn:
            conn.execute(series)
            conn.execute(episode, [{"guid": "g1"}, {"guid": "g2"}])
        # Flask-Migrate logs the error and exits, as the command line does.
        with pytest.raises(SystemExit):
            upgrade()
        assert "serie 1, seizoen -, nummer 7" in capfd.readouterr().err
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE podcast_episode SET number = 8 WHERE guid = 'g2'"))
        upgrade()
        indexes = {i["name"] for i in inspect(db.engine).get_indexes("podcast_episode")}
        assert {"uq_podcast_episode_number", "uq_podcast_episode_season_number"} <= indexes
        db.engine.dispose()

"""The Alembic migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import SAWarning

from kispub import create_app
from kispub.extensions import db
from tests.conftest import POSTGRES, POSTGRES_URL, _base_config

SCHEMA = "kispub_migrations"


@pytest.fixture
def empty_database_url(tmp_path: Path) -> str:
    """An empty database: a new SQLite file, or a new schema on PostgreSQL."""
    if not POSTGRES:
        return f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    engine.dispose()
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{SCHEMA}"


def test_migrations_match_the_models_and_downgrade_cleanly(
    empty_database_url: str, tmp_path: Path
) -> None:
    app = create_app(_base_config(empty_database_url, tmp_path))
    with app.app_context(), warnings.catch_warnings():
        # SQLite cannot reflect expression indexes; SQLAlchemy and Alembic warn and skip them.
        warnings.filterwarnings("ignore", "autogenerate skipping", UserWarning)
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", SAWarning)
        upgrade(revision="heads")
        with db.engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert differences == []
        tables = set(inspect(db.engine).get_table_names())
        assert {"user_account", "theme", "form_submission", "content_link"} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_email_uniqueness_ignores_letter_case_in_the_migrated_schema(
    empty_database_url: str, tmp_path: Path
) -> None:
    app = create_app(_base_config(empty_database_url, tmp_path))
    with app.app_context():
        upgrade(revision="heads")
        insert = text(
            "INSERT INTO user_account (email, name, role, active, session_token, created_at) "
            "VALUES (:email, 'x', 'member', true, 't', CURRENT_TIMESTAMP)"
        )
        with db.engine.begin() as conn:
            conn.execute(insert, {"email": "anna@example.org"})
        with pytest.raises(Exception, match=r"(?i)unique"), db.engine.begin() as conn:
            conn.execute(insert, {"email": "ANNA@example.org"})
        db.engine.dispose()

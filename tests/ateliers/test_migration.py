"""The publication migration: ateliers that were public stay public, from their creation."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from kispub import create_app
from kispub.extensions import db
from tests.conftest import _base_config
from tests.test_migrations import _alembic_config, _quiet_reflection, empty_database_url  # noqa: F401

REVISION = "0016ateliers"
INSERT = (
    "INSERT INTO atelier (slug, title, description, starts_at, ends_at, online, status,"
    " sequence, created_at, updated_at) VALUES ('oud', 'Oud', '', '2026-03-01 13:00:00',"
    " '2026-03-01 15:00:00', false, 'scheduled', 0, '2026-01-05 08:30:00',"
    " '2026-01-05 08:30:00')"
)


def test_existing_ateliers_migrate_as_published_from_their_creation(
    empty_database_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    before = ScriptDirectory.from_config(_alembic_config()).get_revision(REVISION).down_revision
    app = create_app(_base_config(empty_database_url, tmp_path))
    with app.app_context(), _quiet_reflection():
        upgrade(revision=str(before))
        with db.engine.begin() as conn:
            conn.execute(text(INSERT))
        upgrade(revision=REVISION)
        with db.engine.connect() as conn:
            row = conn.execute(text("SELECT publication, publish_at FROM atelier")).one()
            assert row[0] == "published"
            assert str(row[1]).startswith("2026-01-05 08:30:00")
        # No server default is left: a new row says what it is (the model's default: draft).
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.execute(text(INSERT.replace("'oud', 'Oud'", "'nieuw', 'Nieuw'")))
        downgrade(revision=str(before))
        db.engine.dispose()

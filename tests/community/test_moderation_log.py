"""The moderation log: visible to moderators only, filtered and paged, exported as CSV with
formulas neutralised, and append-only in the database itself (on SQLite and PostgreSQL,
made by create_all and by the migration)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DatabaseError

from kispub import create_app
from kispub.community.models import FlagReason, ModerationAction, ModerationLogEntry
from kispub.community.services.flagging import flag_post
from kispub.community.services.moderating import ThreadAction, thread_action
from kispub.community.services.sanctions import silence_member
from kispub.core import clock
from kispub.core.database import write_transaction
from kispub.extensions import db
from tests.community.discussion_helpers import client_for, make_thread, post_numbered
from tests.community.helpers import make_member
from tests.community.moderation_helpers import entries, moderator
from tests.conftest import _base_config
from tests.test_migrations import empty_database_url

__all__ = ["empty_database_url"]  # the fixture, used by name

LOG = "/beheer/community/moderatielog"


def next_month() -> date:
    return (clock.now() + timedelta(days=30)).date()


def some_decisions(count: int = 3) -> tuple[int, list[int]]:
    """A thread pinned and unpinned ``count`` times; returns its id and the moderator's id."""
    thread = make_thread(make_member(), title="Onderwerp voor het log")
    mod = moderator(name="Mo Derator")
    for n in range(count):
        action = ThreadAction.PIN if n % 2 == 0 else ThreadAction.UNPIN
        thread_action(mod, thread.id, action, f"Reden {n}")
    return thread.id, [mod.id]


def test_moderators_see_the_log_newest_first_filtered_and_paged(app: Flask, make_app: Any) -> None:
    some_decisions(5)
    paged = make_app(COMMUNITY_MODERATION_LOG_PAGE_SIZE=2)
    staff = client_for(paged, moderator())
    first = staff.get(LOG).text
    assert "5 beslissingen" in first and first.index("Reden 4") < first.index("Reden 3")
    assert "Reden 2" not in first and 'href="/beheer/community/moderatielog?pagina=2"' in first
    assert "Reden 0" in staff.get(f"{LOG}?pagina=3").text
    assert staff.get(f"{LOG}?pagina=4").status_code == 404
    pinned = staff.get(f"{LOG}?actie=thread_pinned").text
    assert "3 beslissingen" in pinned and "Reden 1" not in pinned
    assert staff.get(f"{LOG}?actie=bestaat-niet").status_code == 404
    assert "Onderwerp voor het log" in first and "Mo Derator" in first


def test_members_cannot_see_or_export_the_log(app: Flask) -> None:
    some_decisions(1)
    member = client_for(app, make_member())
    assert member.get(LOG).status_code == 403
    assert member.get(f"{LOG}.csv").status_code == 403
    anonymous = app.test_client()
    assert anonymous.get(f"{LOG}.csv").location.startswith("/inloggen")


def test_the_csv_export_neutralises_formulas(app: Flask) -> None:
    thread = make_thread(make_member(), title='=HYPERLINK("https://evil.example")')
    mod = moderator(name="+Mo")
    thread_action(mod, thread.id, ThreadAction.LOCK, "@SUM(1+1)")
    silence_member(mod, make_member(name="Sam").id, next_month(), "-2+3")
    response = client_for(app, mod).get(f"{LOG}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="moderatielog.csv"' in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    content = response.get_data(as_text=True)
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:4] == ["Tijdstip", "Moderator", "Moderator-id", "Actie"]
    locked, silenced = rows[1], rows[2]
    assert locked[1] == "'+Mo" and locked[3] == "Onderwerp gesloten"
    assert locked[7] == '\'“=HYPERLINK("https://evil.example")”' or locked[7].startswith("“=")
    assert locked[9] == "'@SUM(1+1)" and locked[4] == "thread_locked"
    assert silenced[9].startswith("Tot en met") and silenced[4] == "member_silenced"
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), row
    only = client_for(app, mod).get(f"{LOG}.csv?actie=member_silenced")
    assert 'filename="moderatielog-member_silenced.csv"' in only.headers["Content-Disposition"]
    assert len(list(csv.reader(io.StringIO(only.get_data(as_text=True)), delimiter=";"))) == 2


def _refuses_changes() -> None:
    """UPDATE and DELETE on the log fail in the database, by SQL and through the ORM."""
    for statement in (
        update(ModerationLogEntry).values(reason="Herschreven"),
        delete(ModerationLogEntry),
        text("UPDATE community_moderation_log SET actor_name = 'Niemand'"),
        text("DELETE FROM community_moderation_log"),
    ):
        with pytest.raises(DatabaseError, match="append-only"), write_transaction() as session:
            session.execute(statement)


def test_the_database_refuses_to_change_or_delete_log_entries(app: Flask) -> None:
    some_decisions(2)
    before = [(e.id, e.reason, e.actor_name) for e in entries()]
    _refuses_changes()
    entry = entries()[0]
    entry.reason = "Via het ORM"
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    assert [(e.id, e.reason, e.actor_name) for e in entries()] == before
    # Adding goes on as before.
    thread_action(moderator(), entries()[0].target_id, ThreadAction.LOCK, "Nog een")
    assert len(entries()) == 3


def test_the_migration_makes_the_log_append_only(empty_database_url: str, tmp_path: Path) -> None:
    app = create_app(_base_config(empty_database_url, tmp_path))
    with app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO community_moderation_log (created_at, actor_name, action, "
                    "target_kind, target_id, target_label, reason) VALUES (CURRENT_TIMESTAMP, "
                    "'Mo', 'thread_locked', 'thread', 1, 'x', 'y')"
                )
            )
        _refuses_changes()
        db.session.remove()
        db.engine.dispose()


def test_every_moderation_action_writes_one_entry_in_its_transaction(app: Flask) -> None:
    """A refused action writes nothing; each done action writes exactly one entry."""
    author = make_member()
    thread = make_thread(author, posts=2)
    mod = moderator()
    with pytest.raises(Exception, match="al zo"):
        thread_action(mod, thread.id, ThreadAction.UNPIN, "Niet vastgezet")
    assert entries() == []
    thread_action(mod, thread.id, ThreadAction.PIN, "Belangrijk")
    assert len(entries(ModerationAction.THREAD_PINNED)) == 1
    for _n in range(3):
        flag_post(make_member(), post_numbered(thread.id, 2).id, FlagReason.SPAM)
    assert len(entries(ModerationAction.FLAGS_HID_POST)) == 1

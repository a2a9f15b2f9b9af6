"""The flask --app kispub commands."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from kispub.accounts.models import Role, User
from kispub.accounts.services import authenticate
from kispub.extensions import db
from kispub.themes.models import Theme

PASSWORD = "een lang en geheim wachtwoord"


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_users_create_reads_the_password_from_stdin(runner: FlaskCliRunner) -> None:
    args = ["users", "create", "Eva@KIS.example", "--name", "Eva", "--role", "editor",
            "--organisation", "KIS", "--password-stdin"]  # fmt: skip
    result = runner.invoke(args=args, input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "Created editor eva@kis.example" in result.output
    user = authenticate("eva@kis.example", PASSWORD)
    assert user is not None and user.role is Role.EDITOR and user.organisation == "KIS"


def test_users_create_prompts_twice_for_the_password(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["users", "create", "eva@kis.example", "--name", "Eva"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert authenticate("eva@kis.example", PASSWORD).role is Role.MEMBER


def test_users_create_refuses_short_passwords_and_duplicates(runner: FlaskCliRunner) -> None:
    base = ["users", "create", "eva@kis.example", "--name", "Eva", "--password-stdin"]
    short = runner.invoke(args=base, input="kort\n")
    assert short.exit_code != 0 and "at least 12 characters" in short.output
    assert runner.invoke(args=base, input=PASSWORD + "\n").exit_code == 0
    again = runner.invoke(args=[*base[:2], "EVA@kis.example", *base[3:]], input=PASSWORD + "\n")
    assert again.exit_code != 0 and "Er bestaat al een account" in again.output
    assert _count(User) == 1


def test_init_db_migrates_and_seeds_themes(app_config: dict, tmp_path: Path) -> None:
    from kispub import create_app

    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'new.db'}"})
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "9 themes seeded" in result.output
    again = app.test_cli_runner().invoke(args=["init-db"])
    assert "0 themes seeded" in again.output
    with app.app_context():
        assert _count(Theme) == 9
        db.engine.dispose()


CONTENT = """
[[themes]]
name = "Onderwijs"
description = "Over school."

[[users]]
email = "Piet@Example.org"
name = "Piet Proef"
role = "moderator"
organisation = "Pharos"
"""


def test_load_is_idempotent_and_updates_what_changed(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    file = tmp_path / "content.toml"
    file.write_text(CONTENT)
    first = runner.invoke(args=["load", str(file)])
    assert first.exit_code == 0, first.output
    assert "2 changed (themes: 1, users: 1)" in first.output
    second = runner.invoke(args=["load", str(file)])
    assert "0 changed" in second.output
    file.write_text(CONTENT.replace("Over school.", "Over school en opleiding."))
    third = runner.invoke(args=["load", str(file)])
    assert "1 changed (themes: 1, users: 0)" in third.output
    user = db.session.scalars(select(User)).one()
    assert (user.email, user.role, user.password_hash) == ("piet@example.org", Role.MODERATOR, None)
    assert _count(Theme) == 1


def test_load_rejects_bad_files_and_changes_nothing(runner: FlaskCliRunner, tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('[[themes]]\nname = "Onderwijs"\n[[users]]\nname = "Zonder adres"\n')
    result = runner.invoke(args=["load", str(broken)])
    assert result.exit_code != 0 and "[[users]]" in result.output and "email" in result.output
    assert _count(Theme) == 0  # the themes section was rolled back with the rest
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("[[podcasts_typo]]\nname = 'x'\n")
    assert "onbekende sectie" in runner.invoke(args=["load", str(unknown)]).output
    invalid = tmp_path / "invalid.toml"
    invalid.write_text("[[themes]\n")
    assert runner.invoke(args=["load", str(invalid)]).exit_code != 0


def test_demo_loads_the_2020_content_and_is_idempotent(app: Flask, runner: FlaskCliRunner) -> None:
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    themes = [t.name for t in db.session.scalars(select(Theme).order_by(Theme.position))]
    assert themes[:7] == [
        "Nieuwe migratie", "Sociale stabiliteit", "Intercultureel vakmanschap", "Onderwijs",
        "Arbeidsmarkt", "Jeugd en opvoeding", "Emancipatie en zelfbeschikking",
    ]  # fmt: skip
    assert _count(User) >= 4
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert all(" 0 changed" in line for line in second.output.splitlines() if "Loaded" in line)

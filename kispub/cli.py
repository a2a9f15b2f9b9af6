"""The ``flask --app kispub ...`` commands; each is a thin call into a service."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from flask_migrate import upgrade

from kispub import content, jobs
from kispub.accounts.models import Role
from kispub.accounts.passwords import MIN_PASSWORD_LENGTH
from kispub.accounts.second_factor import reset_second_factor
from kispub.accounts.services import AccountError, NewUser, create_user, find_user_by_email
from kispub.core import accesslog, backup, public
from kispub.core.storage import StorageFull
from kispub.extensions import db
from kispub.themes.services import ensure_default_themes

users = AppGroup("users", help="Manage user accounts.")
access_log = AppGroup("access-log", help="The JSON access log downloads are counted from.")


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema (Alembic migrations) and seed the themes."""
    upgrade()  # one straight history: later channels add revisions to the same line
    seeded = ensure_default_themes()
    click.echo(f"Database is up to date; {seeded} themes seeded.")


@users.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Display name.")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.MEMBER.value,
    show_default=True,
)
@click.option("--organisation", default=None, help="Organisation the user works for.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(
    email: str, name: str, role: str, organisation: str | None, password_stdin: bool
) -> None:
    """Create an account; the password is asked for, or read from stdin."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(f"The password needs at least {MIN_PASSWORD_LENGTH} characters.")
    new = NewUser(
        email=email,
        name=name,
        role=Role(role),
        organisation=organisation,
        password=password,
        made_by_staff=True,
    )
    try:
        user = create_user(new)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {user.role.value} {user.email} (id {user.id}).")


@users.command("reset-second-factor")
@click.argument("email")
def reset_second_factor_command(email: str) -> None:
    """Clear a staff member's authenticator app and recovery codes; they enrol again at login.

    For the last admin who lost both, or after SECRET_KEY changed (the secrets are encrypted
    with a key derived from it). Logged as an account event without an actor.
    """
    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account with the address {email}.")
    try:
        reset_second_factor(user, actor=None)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Cleared the second factor of {user.email}; they set up a new one at login.")


@click.command("load")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load_command(file: Path) -> None:
    """Load a TOML content file (themes, users, channel content); safe to repeat."""
    _load(file)


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the bundled 2020 demo content; safe to repeat."""
    for file in content.demo_files():
        _load(file)


@click.command("worker")
@with_appcontext
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Threads that run jobs; sending mail mostly waits on the network.",
)
@click.option("--no-periodic", is_flag=True, help="Do not run the periodic jobs in this worker.")
def worker_command(workers: int, no_periodic: bool) -> None:
    """Run the background jobs (mail delivery, periodic jobs) until stopped."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    # Huey reports each job and every error through logging; show them like a service log.
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        jobs.run_worker(app, workers=workers, periodic=not no_periodic)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from error


@click.command("backup")
@with_appcontext
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--link", is_flag=True, help="Hard-link media files instead of copying them.")
def backup_command(folder: Path, link: bool) -> None:
    """Back up the database and the media into FOLDER (again into the same FOLDER: incremental)."""
    try:
        report = backup.backup(folder, link=link)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    rows = sum(report.manifest.row_counts.values())
    media = len(report.manifest.media)
    click.echo(f"Backed up {rows} rows and {media} media files ({report.files_copied} new).")


@click.command("restore")
@with_appcontext
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite a database that is not empty.")
def restore_command(folder: Path, force: bool) -> None:
    """Restore a backup made by ``backup`` (stop the web server and the worker first)."""
    try:
        report = backup.restore(folder, force=force)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    rows = sum(report.manifest.row_counts.values())
    click.echo(f"Restored {rows} rows and {len(report.manifest.media)} media files.")
    click.echo("Run `flask --app kispub publish` to write the public folder from them.")


@click.command("publish")
@with_appcontext
def publish_command() -> None:
    """Write the public folder (feeds, calendars, published audio) anew from the database."""
    _publish()


@access_log.command("ingest")
def access_log_ingest_command() -> None:
    """Read the access log's new lines now and count them (the worker does this every minute)."""
    report = accesslog.ingest()
    click.echo(
        f"Read {report.lines} new lines of {current_app.config['ACCESS_LOG']}: "
        f"{report.counted} counted, {report.skipped} malformed skipped."
    )


def _publish() -> None:
    """Write the public folder anew, and end the reads it made: a command in a long-lived app
    context (tests, a shell) must not hold locks that a later restore waits for."""
    public.publish(rebuild=True)
    db.session.rollback()
    click.echo(f"Published into {public.root()}.")


def _load(file: Path) -> None:
    try:
        report = content.load_content(file)
    except (content.ContentError, StorageFull) as error:
        raise click.ClickException(str(error)) from error
    details = ", ".join(f"{section}: {n}" for section, n in report.changed.items()) or "nothing"
    click.echo(f"Loaded {file.name}: {report.total} changed ({details}).")
    # What was loaded is public at once, with or without a worker running to publish it.
    _publish()


def init_app(app: Flask) -> None:
    """Register the commands and the foundation's content sections."""
    commands = (init_db, load_command, demo_command, users, worker_command, access_log)
    for command in (*commands, backup_command, restore_command, publish_command):
        app.cli.add_command(command)
    content.init_app(app)

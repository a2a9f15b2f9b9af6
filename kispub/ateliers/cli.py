"""``flask --app kispub ateliers ...``: maintenance commands for the channel."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from kispub.ateliers.services.registration import purge_attendee_data

ateliers_cli = AppGroup("ateliers", help="Kennisateliers: maintenance.")


@ateliers_cli.command("purge")
def purge_command() -> None:
    """Delete attendee data of ateliers that ended more than ATELIER_ATTENDEE_RETENTION_DAYS ago.

    The worker does this every night (the ateliers-purge job); this command is for running
    it by hand, and is safe to repeat.
    """
    removed = purge_attendee_data()
    click.echo(f"Removed {removed} registration(s) of past ateliers.")

"""Episode numbers: unique within a season of a series, and among its episodes without one.

The service checks first, for a clear message naming the other episode; two partial unique
indexes (see the model) hold when two writers pass that check at the same time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kispub.extensions import db
from kispub.podcast.errors import DuplicateNumber
from kispub.podcast.models import Episode


def check_number_free(episode: Episode, number: int | None, season: int | None) -> None:
    """Refuse a number another episode of the series has in the same season (or both none)."""
    if number is None:
        return
    statement = select(Episode.title).where(
        Episode.series_id == episode.series.id,
        Episode.number == number,
        Episode.season.is_(None) if season is None else Episode.season == season,
    )
    if episode.id is not None:
        statement = statement.where(Episode.id != episode.id)
    with db.session.no_autoflush:  # a new episode must not be flushed half-filled
        other = db.session.scalars(statement).first()
    if other is not None:
        raise DuplicateNumber(_number_taken(number, season, other))


def _number_taken(number: int, season: int | None, other: str | None = None) -> str:
    # Whole sentences, one per case, so that a translation can order its words freely.
    if season is None and other:
        return _(
            "Nummer %(n)s is in deze serie al gebruikt door '%(title)s'.", n=number, title=other
        )
    if season is None:
        return _("Nummer %(n)s is in deze serie al gebruikt.", n=number)
    if other:
        return _(
            "Nummer %(n)s is in seizoen %(season)s al gebruikt door '%(title)s'.",
            n=number, season=season, title=other,
        )  # fmt: skip
    return _("Nummer %(n)s is in seizoen %(season)s al gebruikt.", n=number, season=season)


@contextmanager
def number_race(number: int | None, season: int | None) -> Iterator[None]:
    """A concurrent writer that took the same number first: the unique index refuses this one
    at commit (PostgreSQL; SQLite's writers queue, so the check above sees it). Report that
    as the same field error, never as a server error."""
    try:
        yield
    except IntegrityError as error:
        if number is None or "number" not in str(error.orig):
            raise
        raise DuplicateNumber(_number_taken(number, season)) from error

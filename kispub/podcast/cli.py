"""``flask --app kispub podcast ...``: import episodes from audio files."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from kispub.core import clock
from kispub.core.storage import StorageFull
from kispub.podcast import queries, services
from kispub.podcast.links import episode_url
from kispub.podcast.models import Episode, EpisodeStatus, EpisodeType, Series
from kispub.podcast.services import EpisodeData, EpisodeFiles, PodcastError
from kispub.podcast.uploads import UploadError

podcast = AppGroup("podcast", help="Podcast series and episodes.")
LOCAL = ZoneInfo("Europe/Amsterdam")
FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@podcast.command("import")
@click.argument("file", type=FILE)
@click.option("--title", default="", help="Title; default: the title inside the audio file.")
@click.option("--series", "series_slug", help="Series slug; default: the first series.")
@click.option(
    "--publish-at",
    help="Publish at this ISO 8601 time (without offset: Dutch time); a future time schedules.",
)
@click.option("--publish", is_flag=True, help="Publish now (default: save as a draft).")
@click.option("--number", type=click.IntRange(min=1), help="Episode number.")
@click.option("--season", type=click.IntRange(min=1), help="Season number.")
@click.option(
    "--type", "episode_type", type=click.Choice([t.value for t in EpisodeType]), default="full"
)
@click.option("--transcript", type=FILE, help="A WebVTT or SRT transcript.")
@click.option("--cover", type=FILE, help="Episode cover art (square JPEG/PNG, 1400-3000 px).")
@click.option(
    "--episode",
    "episode_slug",
    help="Replace the audio of this existing episode instead; its GUID stays the same.",
)
def import_command(
    file: Path,
    title: str,
    series_slug: str | None,
    publish_at: str | None,
    publish: bool,
    number: int | None,
    season: int | None,
    episode_type: str,
    transcript: Path | None,
    cover: Path | None,
    episode_slug: str | None,
) -> None:
    """Import an audio file (MP3, M4A or Ogg) as an episode and print its address."""
    when = _parse_time(publish_at)
    published = publish or when is not None
    data = EpisodeData(
        title=title,
        number=number,
        season=season,
        episode_type=EpisodeType(episode_type),
        status=EpisodeStatus.PUBLISHED if published else EpisodeStatus.DRAFT,
        publish_at=when,
    )
    series = _series(series_slug)
    try:
        episode = _import(series, file, data, episode_slug, transcript, cover)
    except (UploadError, PodcastError, StorageFull) as error:
        raise click.ClickException(f"{file.name}: {error}") from error
    state = "scheduled" if when and when > clock.now() else episode.status.value
    click.echo(f"{episode.title} ({state}, GUID {episode.guid})", err=True)
    click.echo(episode_url(episode))


def _import(
    series: Series,
    file: Path,
    data: EpisodeData,
    episode_slug: str | None,
    transcript: Path | None,
    cover: Path | None,
) -> Episode:
    cover_bytes = cover.read_bytes() if cover else None
    transcript_bytes = transcript.read_bytes() if transcript else None
    existing = None
    if episode_slug is not None:
        existing = queries.episode_in_series(series, episode_slug)
        if existing is None:
            raise PodcastError(_("De serie heeft geen aflevering '%(slug)s'.", slug=episode_slug))
    with file.open("rb") as stream:
        files = EpisodeFiles(stream, cover_bytes, transcript_bytes)
        if existing is not None:  # new files only: the episode's fields stay as they are
            return services.update_episode(existing.id, None, files)
        created = services.create_episode(series.id, data, files)
    for notice in created.notices:
        click.echo(notice, err=True)
    assert created.item is not None
    return created.item


def _series(slug: str | None) -> Series:
    if slug:
        series = queries.series_by_slug(slug)
        if series is None:
            raise click.ClickException(_("Onbekende serie '%(slug)s'.", slug=slug))
        return series
    all_series = queries.all_series()
    if not all_series:
        raise click.ClickException(
            _("Er is nog geen podcastserie: maak er een aan op /beheer/podcast of laad de demo.")
        )
    return all_series[0]


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter(
            "use ISO 8601, e.g. 2026-12-01T07:00", param_hint="--publish-at"
        ) from error
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL)

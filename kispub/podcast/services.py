"""Changing podcast series and episodes: each change is one call and one transaction.

A service checks everything first (the form data, and every file given with it, staged and
probed by :mod:`kispub.podcast.uploads`), then opens one write transaction in which it moves
the staged files to their keys and changes the rows. A refusal at any point changes nothing:
not the rows, not the stored files, not the feed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, Generic, TypeVar

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from kispub.core import clock
from kispub.core.database import write_transaction
from kispub.core.nonce import submit_once
from kispub.core.text import clean_line, clean_text, slugify
from kispub.core.urls import absolute_url
from kispub.extensions import db
from kispub.podcast import uploads
from kispub.podcast.errors import PodcastError
from kispub.podcast.feed.rss import APPLE_CATEGORIES, podcast_guid
from kispub.podcast.media.formats import AudioInfo
from kispub.podcast.models import Episode, EpisodeStatus, EpisodeType, Guest, Series
from kispub.podcast.numbering import check_number_free, number_race
from kispub.podcast.uploads import StagedAudio, StagedFile, StagedUploads, UploadError
from kispub.themes.models import Theme
from kispub.themes.services import themes_by_slugs

# Series slugs that would collide with the channel's own addresses.
RESERVED_SLUGS = frozenset({"audio", "afbeelding", "feed-xml", "feed", "voorbeeld"})
MAX_TITLE = 300  # the column's length; a file's own title may be longer

Made = TypeVar("Made", Episode, Series)


@dataclass(frozen=True)
class Created(Generic[Made]):
    """What a creating service made (None for a repeated form submission) and its page."""

    item: Made | None
    url: str = ""  # the back-office page, when a form nonce was given
    notices: tuple[str, ...] = ()


@dataclass(frozen=True)
class EpisodeFiles:
    """Files given with an episode; each may be absent."""

    audio: BinaryIO | None = None
    cover: bytes | None = None
    transcript: bytes | None = None


# --- series --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesData:
    """The editable fields of a series."""

    title: str
    author: str
    owner_name: str
    owner_email: str
    description: str = ""
    category: str = "Society & Culture"
    subcategory: str | None = None
    language: str = "nl"
    explicit: bool = False
    copyright: str | None = None
    new_feed_url: str | None = None
    slug: str | None = None


def create_series(
    data: SeriesData, cover: bytes | None, *, nonce: str | None = None
) -> Created[Series]:
    """Create a series with its cover art; its podcast:guid comes from its first feed URL.

    With a form ``nonce``, a repeated submission creates nothing and returns the first one's
    page.
    """
    _check_series(data)
    slug = data.slug or slugify(data.title)
    if not slug or slug in RESERVED_SLUGS:
        raise PodcastError(_("Kies een andere titel: dit adres is niet beschikbaar."))
    if not cover:
        raise UploadError(_("Kies een coverafbeelding."), "cover")
    made: list[Series] = []
    with uploads.staged_uploads(cover=cover) as staged:

        def create() -> str:
            made.append(_insert_series(data, slug, staged))
            return url_for("podcast_admin.edit_series", series_id=made[0].id) if nonce else ""

        url = _once(nonce, create)
    return Created(made[0] if made else None, url)


def _insert_series(data: SeriesData, slug: str, staged: StagedUploads) -> Series:
    with write_transaction() as session, uploads.placing() as place:
        if session.scalars(select(Series.id).where(Series.slug == slug)).first() is not None:
            raise PodcastError(_("Er bestaat al een serie met het adres '%(slug)s'.", slug=slug))
        guid = podcast_guid(absolute_url("podcast.feed", series=slug))
        at = clock.now()
        series = Series(slug=slug, podcast_guid=guid, created_at=at, updated_at=at)
        _apply_series(series, data)
        if staged.cover is not None:
            series.cover_key = place(staged.cover)
        session.add(series)
        session.flush()
    return series


def update_series(series_id: int, data: SeriesData, cover: bytes | None = None) -> bool:
    """Change a series' fields and cover (never its slug or guid); whether anything changed."""
    _check_series(data)
    with (
        uploads.staged_uploads(cover=cover) as staged,
        write_transaction() as session,
        uploads.placing() as place,
    ):
        series = session.get(Series, series_id)
        if series is None:
            raise PodcastError(_("Deze serie bestaat niet (meer)."))
        before = _series_values(series)
        _apply_series(series, data)
        if staged.cover is not None:
            series.cover_key = place(staged.cover)
        changed = _series_values(series) != before
        if changed:
            series.updated_at = clock.now()
        session.flush()
    return changed


def _check_series(data: SeriesData) -> None:
    subcategories = APPLE_CATEGORIES.get(data.category)
    if subcategories is None:
        raise PodcastError(
            _("Onbekende Apple Podcasts-categorie: %(category)s.", category=data.category)
        )
    if data.subcategory and data.subcategory not in subcategories:
        raise PodcastError(
            _(
                "%(sub)s is geen subcategorie van %(category)s.",
                sub=data.subcategory,
                category=data.category,
            )
        )
    if data.new_feed_url and not data.new_feed_url.startswith(("https://", "http://")):
        raise PodcastError(_("Het nieuwe feedadres moet met https:// of http:// beginnen."))


def _apply_series(series: Series, data: SeriesData) -> None:
    for name in (
        "title", "author", "owner_name", "owner_email", "description", "category",
        "subcategory", "language", "explicit", "copyright", "new_feed_url",
    ):  # fmt: skip
        value = getattr(data, name)
        if isinstance(value, str):  # the text rule once more, for content files and the CLI
            value = clean_text(value).strip() if name == "description" else clean_line(value)
        setattr(series, name, value)
    series.subcategory = series.subcategory or None
    series.copyright = series.copyright or None
    series.new_feed_url = series.new_feed_url or None


def _series_values(series: Series) -> tuple[object, ...]:
    names = ("title", "author", "owner_name", "owner_email", "description", "category")
    more = ("subcategory", "language", "explicit", "copyright", "new_feed_url", "cover_key")
    return tuple(getattr(series, name) for name in names + more)


# --- episodes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GuestData:
    """A person in an episode."""

    name: str
    role: str = "guest"
    description: str = ""
    url: str | None = None


@dataclass(frozen=True)
class ChapterData:
    """A chapter mark."""

    start_ms: int
    title: str


@dataclass(frozen=True)
class EpisodeData:
    """The editable fields of an episode. An empty title or None chapters: take the file's."""

    title: str = ""
    number: int | None = None
    season: int | None = None
    episode_type: EpisodeType = EpisodeType.FULL
    show_notes: str = ""
    explicit: bool = False
    status: EpisodeStatus = EpisodeStatus.DRAFT
    publish_at: datetime | None = None
    guests: tuple[GuestData, ...] = ()
    theme_slugs: tuple[str, ...] = ()
    chapters: tuple[ChapterData, ...] | None = None
    slug: str | None = None


def create_episode(
    series_id: int, data: EpisodeData, files: EpisodeFiles, *, nonce: str | None = None
) -> Created[Episode]:
    """A new episode from an audio file; the file's title, chapters and cover fill the gaps.

    Every file is checked before the one transaction that adds the episode, so a slow probe
    never holds the write lock. With a form ``nonce``, a repeated submission creates nothing
    and returns the first one's page.
    """
    if files.audio is None:
        raise UploadError(_("Kies een audiobestand."))
    themes = _themes(data.theme_slugs)
    made: list[Episode] = []
    notices: list[str] = []
    with uploads.staged_uploads(files.audio, files.cover, files.transcript) as staged:
        assert staged.audio is not None
        title = data.title.strip() or (staged.audio.info.title or "").strip()[:MAX_TITLE]
        if not title:
            message = _("Geef een titel op: het audiobestand heeft zelf geen titel.")
            raise UploadError(message, "title")
        with _cover_for(staged, notices) as cover:

            def create() -> str:
                made.append(_insert_episode(series_id, data, title, themes, staged, cover))
                return edit_path(made[0]) if nonce else ""

            with number_race(data.number, data.season):
                url = _once(nonce, create)
    return Created(made[0] if made else None, url, tuple(notices))


def _insert_episode(
    series_id: int,
    data: EpisodeData,
    title: str,
    themes: list[Theme],
    staged: StagedUploads,
    cover: StagedFile | None,
) -> Episode:
    with write_transaction() as session, uploads.placing() as place:
        series = session.get(Series, series_id)
        if series is None:
            raise PodcastError(_("Deze serie bestaat niet (meer)."))
        episode = _new_episode(series, data.slug or title)
        session.add(episode)
        assert staged.audio is not None
        _set_audio(
            episode, staged.audio, place(staged.audio), keep_chapters=data.chapters is not None
        )
        if cover is not None:
            episode.cover_key = place(cover)
        if staged.transcript is not None:
            _set_transcript(episode, staged.transcript, place(staged.transcript))
        apply_episode_data(episode, data, title, themes)
        touch(episode)
        session.flush()
    return episode


def update_episode(
    episode_id: int, data: EpisodeData | None, files: EpisodeFiles = EpisodeFiles()
) -> Episode:
    """Save an editor's changes and replace the files given; guid and slug stay as they are.

    ``data`` None changes only the files. New audio brings its own chapters unless the
    episode already has some; chapters in ``data`` win over both.
    """
    themes = _themes(data.theme_slugs) if data is not None else []
    number, season = (data.number, data.season) if data is not None else (None, None)
    with (
        number_race(number, season),
        uploads.staged_uploads(files.audio, files.cover, files.transcript) as staged,
        write_transaction() as session,
        uploads.placing() as place,
    ):
        episode = session.get(Episode, episode_id)
        if episode is None:
            raise PodcastError(_("Deze aflevering bestaat niet (meer)."))
        if staged.audio is not None:
            keep = bool(episode.chapters)
            _set_audio(episode, staged.audio, place(staged.audio), keep_chapters=keep)
        if staged.cover is not None:
            episode.cover_key = place(staged.cover)
        if staged.transcript is not None:
            _set_transcript(episode, staged.transcript, place(staged.transcript))
        if data is not None:
            apply_episode_data(episode, data, data.title or episode.title, themes)
        touch(episode)
        session.flush()
    return episode


def delete_episode(episode_id: int) -> str | None:
    """Remove an episode (its files stay in storage, which is shared by content); its title."""
    with write_transaction() as session:
        episode = session.get(Episode, episode_id)
        if episode is None:
            return None
        episode.series.updated_at = clock.now()
        session.delete(episode)
    return episode.title


def edit_path(episode: Episode) -> str:
    """The back-office page of an episode."""
    return url_for("podcast_admin.edit_episode", episode_id=episode.id)


def apply_episode_data(
    episode: Episode, data: EpisodeData, title: str, themes: list[Theme]
) -> None:
    """Copy the editable fields onto an episode (inside the caller's transaction)."""
    # The text rule once more, for content files, the CLI and a file's own title.
    title = clean_line(title)
    if not title:
        raise PodcastError(_("Geef de aflevering een titel."))
    check_number_free(episode, data.number, data.season)
    episode.title = title
    episode.number, episode.season = data.number, data.season
    episode.episode_type, episode.explicit = data.episode_type, data.explicit
    episode.show_notes = clean_text(data.show_notes).strip()
    episode.status = data.status
    publish_at = data.publish_at
    if data.status == EpisodeStatus.PUBLISHED and publish_at is None:
        publish_at = episode.publish_at or clock.now()
    episode.publish_at = publish_at
    episode.guests = [
        Guest(position=i, name=clean_line(g.name), role=g.role,
              description=clean_line(g.description), url=clean_line(g.url or "") or None)
        for i, g in enumerate(data.guests)
        if clean_line(g.name)
    ]  # fmt: skip
    episode.themes = themes
    if data.chapters is not None:
        episode.chapters = [
            {"start_ms": c.start_ms, "title": clean_line(c.title)} for c in data.chapters
        ]


def touch(episode: Episode) -> None:
    """Mark an episode and its series changed (the series' time keys the feed cache)."""
    at = clock.now()
    episode.updated_at = at
    episode.series.updated_at = at


# --- helpers -------------------------------------------------------------------------------


def _once(nonce: str | None, create: Callable[[], str]) -> str:
    """Run ``create`` once per form nonce (always without one); the page of what it made."""
    if nonce is None:
        return create()
    return submit_once(nonce, create).result_url


def _themes(slugs: Sequence[str]) -> list[Theme]:
    try:
        return themes_by_slugs(slugs)
    except ValueError as error:
        raise PodcastError(str(error)) from error


def _new_episode(series: Series, wanted_slug: str) -> Episode:
    """A new episode row with a fresh guid and a slug unique in the series."""
    at = clock.now()
    episode = Episode(
        series_id=series.id,
        guid=str(uuid.uuid4()),  # random, never derived from title or URL, never changed
        slug=_free_slug(series, wanted_slug),
        created_at=at,
        updated_at=at,
    )
    episode.series = series
    return episode


def _free_slug(series: Series, wanted: str) -> str:
    base = slugify(wanted)[:100] or "aflevering"
    taken = set(
        db.session.scalars(
            select(Episode.slug).where(
                Episode.series_id == series.id, Episode.slug.like(f"{base}%")
            )
        )
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


@contextmanager
def _cover_for(staged: StagedUploads, notices: list[str]) -> Iterator[StagedFile | None]:
    """The uploaded cover, else the one inside the audio file if it meets Apple's rules."""
    if staged.cover is not None or staged.audio is None or staged.audio.info.image is None:
        yield staged.cover
        return
    with ExitStack() as stack:
        # Only staging the embedded image may fail softly; an error raised by the caller's
        # block must pass through untouched, not be taken for a bad image.
        try:
            embedded = stack.enter_context(uploads.staged_cover_art(staged.audio.info.image.data))
        except UploadError as error:
            notices.append(
                _("De coverafbeelding in het audiobestand is niet gebruikt: %(error)s", error=error)
            )
            embedded = None
        yield embedded


def _set_audio(episode: Episode, audio: StagedAudio, key: str, *, keep_chapters: bool) -> None:
    info: AudioInfo = audio.info
    episode.audio_key = key
    episode.audio_mime = info.mime_type
    episode.audio_size = audio.staged.size
    episode.duration_ms = info.duration_ms
    episode.audio_offset = info.audio_offset
    episode.bytes_per_second = info.bytes_per_second
    if not keep_chapters:
        episode.chapters = [
            {"start_ms": c.start_ms, "title": c.title} for c in info.chapters if c.title
        ]


def _set_transcript(episode: Episode, transcript: StagedFile, key: str) -> None:
    episode.transcript_key = key
    episode.transcript_type = transcript.mime_type

"""Audio intake: an uploaded or imported file becomes a checked, stored episode.

Files are staged to disk in constant memory, checked (audio.py, artwork.py, transcripts.py),
and only then moved to their content-addressed key in the same unit of work that writes the
row. A refused file leaves nothing behind: no staged file, no stored file, no row.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

from flask import current_app, url_for

from kispub.core.database import write_transaction
from kispub.core.nonce import submit_once
from kispub.core.storage import Staged, StorageError, TooLarge, get_storage
from kispub.podcast.artwork import ArtworkError, check_cover_art
from kispub.podcast.audio import AudioError, AudioInfo, probe_audio
from kispub.podcast.models import Episode, Series
from kispub.podcast.services import (
    EpisodeData,
    apply_episode_data,
    new_episode,
    touch,
)
from kispub.podcast.transcripts import TranscriptError, parse_transcript

MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_TITLE = 300  # the column's length; a file's own title may be longer


class IntakeError(ValueError):
    """A file we refuse; ``field`` names the form field the Dutch message belongs to."""

    def __init__(self, message: str, field: str = "audio") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Extras:
    """Optional files given with the audio."""

    cover: bytes | None = None
    transcript: bytes | None = None


@dataclass(frozen=True)
class Imported:
    """The episode made from a file (None for a repeated form submission) and where it is."""

    episode: Episode | None
    notices: tuple[str, ...] = ()
    url: str = ""


def max_audio_bytes() -> int:
    """The configured upper limit for an audio file."""
    return int(current_app.config["PODCAST_MAX_AUDIO_BYTES"])


def import_episode(
    series: Series,
    stream: BinaryIO,
    data: EpisodeData,
    extras: Extras = Extras(),
    nonce: str | None = None,
) -> Imported:
    """Create an episode from an audio stream; the file's title, chapters and cover fill gaps.

    With a form ``nonce``, a repeated submission creates nothing and returns the first one's
    address. The file is staged and probed before any transaction starts, so a slow probe
    never holds the database's write lock.
    """
    cover = _checked_cover(extras.cover)
    transcript_type = _checked_transcript(extras.transcript)
    with _staged_audio(stream) as (staged, info):
        title = data.title.strip() or (info.title or "").strip()[:MAX_TITLE]
        if not title:
            raise IntakeError("Geef een titel op: het audiobestand heeft zelf geen titel.", "title")
        notices: list[str] = []
        image = cover or _embedded_cover(info, notices)
        created: list[Episode] = []

        def create() -> str:
            with _cleanup_on_error() as written, write_transaction() as session:
                episode = new_episode(series, data, title)
                apply_episode_data(episode, data, title)
                touch(episode)
                session.add(episode)
                _set_audio(episode, staged, info, written, keep_chapters=data.chapters is not None)
                if image is not None:
                    episode.cover_key = _save(image.data, image.extension, written)
                if extras.transcript and transcript_type:
                    _set_transcript(episode, extras.transcript, transcript_type, written)
                session.flush()
                created.append(episode)
                return edit_path(episode) if nonce else ""

        if nonce is None:
            create()
        else:
            submitted = submit_once(nonce, create)
            if submitted.duplicate:
                return Imported(None, (), submitted.result_url)
    return Imported(created[0], tuple(notices), edit_path(created[0]) if nonce else "")


def edit_path(episode: Episode) -> str:
    """The back-office page of an episode."""
    return url_for("podcast_admin.edit_episode", episode_id=episode.id)


def replace_audio(episode: Episode, stream: BinaryIO) -> Imported:
    """Give an episode new audio; its guid, slug and (if set) chapters stay."""
    with (
        _staged_audio(stream) as (staged, info),
        _cleanup_on_error() as written,
        write_transaction(),
    ):
        _set_audio(episode, staged, info, written, keep_chapters=bool(episode.chapters))
        touch(episode)
    return Imported(episode)


def set_episode_cover(episode: Episode, data: bytes) -> None:
    """Check and store an episode's own cover art."""
    image = _require_cover(data)
    with _cleanup_on_error() as written, write_transaction():
        episode.cover_key = _save(image.data, image.extension, written)
        touch(episode)


def store_cover(data: bytes) -> str:
    """Check and store cover art (for a series); returns its storage key."""
    image = _require_cover(data)
    return _save(image.data, image.extension, [])


def set_transcript(episode: Episode, data: bytes) -> None:
    """Check and store a WebVTT or SRT transcript for an episode."""
    mime_type = _checked_transcript(data)
    if mime_type is None:
        raise IntakeError("Het transcript is leeg.", "transcript")
    with _cleanup_on_error() as written, write_transaction():
        _set_transcript(episode, data, mime_type, written)
        touch(episode)


# --- checks ----------------------------------------------------------------------------


@contextmanager
def _staged_audio(stream: BinaryIO) -> Iterator[tuple[Staged, AudioInfo]]:
    """Stage the stream and probe it; the staged file is gone afterwards unless committed."""
    limit = max_audio_bytes()
    timeout = float(current_app.config["PODCAST_PROBE_TIMEOUT"])
    try:
        with get_storage().staged(stream, limit) as staged:
            if staged.size == 0:
                raise IntakeError("Het bestand is leeg.")
            try:
                info = probe_audio(staged.path, timeout)
            except AudioError as error:
                raise IntakeError(str(error)) from error
            yield staged, info
    except TooLarge as error:
        raise IntakeError(f"Het audiobestand is groter dan {_megabytes(limit)}.") from error
    except StorageError as error:
        raise IntakeError(str(error)) from error


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    text = f"{value:.0f}" if value >= 10 else f"{value:.1f}".replace(".", ",")
    return f"{text} MB"


@dataclass(frozen=True)
class _Image:
    """Cover art that passed the checks."""

    data: bytes
    extension: str


def _checked_cover(data: bytes | None) -> _Image | None:
    if not data:
        return None
    if len(data) > MAX_IMAGE_BYTES:
        limit = _megabytes(MAX_IMAGE_BYTES)
        raise IntakeError(f"De coverafbeelding is groter dan {limit}.", "cover")
    try:
        art = check_cover_art(data)
    except ArtworkError as error:
        raise IntakeError(str(error), "cover") from error
    return _Image(data, art.extension)


def _require_cover(data: bytes) -> _Image:
    image = _checked_cover(data)
    if image is None:
        raise IntakeError("Het bestand is leeg.", "cover")
    return image


def _checked_transcript(data: bytes | None) -> str | None:
    if not data:
        return None
    try:
        return parse_transcript(data).mime_type
    except TranscriptError as error:
        raise IntakeError(str(error), "transcript") from error


def _embedded_cover(info: AudioInfo, notices: list[str]) -> _Image | None:
    """The cover inside the audio file, if it meets Apple's rules; otherwise a notice."""
    if info.image is None:
        return None
    try:
        art = check_cover_art(info.image.data)
    except ArtworkError as error:
        notices.append(f"De coverafbeelding in het audiobestand is niet gebruikt: {error}")
        return None
    return _Image(info.image.data, art.extension)


# --- storing ---------------------------------------------------------------------------


@contextmanager
def _cleanup_on_error() -> Iterator[list[str]]:
    """Collect keys of files this unit of work added; remove them if it fails."""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        storage = get_storage()
        for key in written:
            storage.delete(key)
        raise


def _commit(staged: Staged, extension: str, written: list[str]) -> str:
    """Move a staged file into storage, remembering it if it is new."""
    storage = get_storage()
    key = f"{staged.sha256[:2]}/{staged.sha256}{extension}"  # the storage's key scheme
    existed = storage.exists(key)
    stored = storage.commit(staged, extension)
    if not existed:
        written.append(stored.key)
    return stored.key


def _save(data: bytes, extension: str, written: list[str]) -> str:
    """Store a small checked file (cover art, transcript) by content."""
    with get_storage().staged(io.BytesIO(data)) as staged:
        return _commit(staged, extension, written)


def _set_audio(
    episode: Episode, staged: Staged, info: AudioInfo, written: list[str], *, keep_chapters: bool
) -> None:
    episode.audio_key = _commit(staged, info.extension, written)
    episode.audio_mime = info.mime_type
    episode.audio_size = staged.size
    episode.duration_ms = info.duration_ms
    episode.audio_offset = info.audio_offset
    episode.bytes_per_second = info.bytes_per_second
    if not keep_chapters:
        episode.chapters = [
            {"start_ms": c.start_ms, "title": c.title} for c in info.chapters if c.title
        ]


def _set_transcript(episode: Episode, data: bytes, mime_type: str, written: list[str]) -> None:
    extension = ".vtt" if mime_type == "text/vtt" else ".srt"
    episode.transcript_key = _save(data, extension, written)
    episode.transcript_type = mime_type

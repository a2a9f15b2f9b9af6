"""Files given with an episode or series: staged, checked, and put in place by the service.

Every file is checked before any transaction starts: audio streams to a staged file in
constant memory and is probed in the sandbox; cover art and transcripts are checked in memory
and staged as well. Only then does a service open its write transaction, move the staged files
to their content-addressed keys (:func:`placing`) and reference them. A refused file, or a
failed transaction, leaves nothing behind: no staged file, no newly stored file, no row.
"""

from __future__ import annotations

import io
import os
import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature

from kispub.core.storage import Staged, StorageError, TooLarge, get_storage, key_for
from kispub.core.tokens import timed_serializer
from kispub.extensions import db
from kispub.podcast.media.artwork import ArtworkError, check_cover_art
from kispub.podcast.media.formats import AudioError, AudioInfo
from kispub.podcast.media.probe import probe_audio
from kispub.podcast.media.transcripts import TranscriptError, parse_transcript

MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_TRANSCRIPT_READ = 4 * 1024 * 1024  # transcripts.py refuses more than 2 MB with a message


class UploadError(ValueError):
    """A file we refuse; ``field`` names the form field the Dutch message belongs to."""

    def __init__(self, message: str, field: str = "audio") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class StagedFile:
    """A checked file, staged under a temporary name, with the extension it will be stored as."""

    staged: Staged
    extension: str
    mime_type: str

    @property
    def key(self) -> str:
        """The key it will have once stored (keys are content hashes)."""
        return key_for(self.staged.sha256, self.extension)


@dataclass(frozen=True)
class StagedAudio(StagedFile):
    """Checked audio and what the probe learned about it."""

    info: AudioInfo


@dataclass(frozen=True)
class StagedUploads:
    """Everything given with one change, checked; absent files are None."""

    audio: StagedAudio | None = None
    cover: StagedFile | None = None
    transcript: StagedFile | None = None


def max_audio_bytes() -> int:
    """The configured upper limit for an audio file."""
    return int(current_app.config["PODCAST_MAX_AUDIO_BYTES"])


@contextmanager
def staged_uploads(
    audio: BinaryIO | None = None, cover: bytes | None = None, transcript: bytes | None = None
) -> Iterator[StagedUploads]:
    """Check and stage every given file; refuse with :class:`UploadError` before any is kept.

    The small files are checked first, so a bad cover never waits for an audio probe. The
    staged files are removed on leaving, unless :func:`placing` moved them into storage.
    """
    cover_type = check_cover(cover) if cover else None
    transcript_type = check_transcript(transcript) if transcript else None
    with ExitStack() as stack:
        staged_audio = stack.enter_context(_staged_audio(audio)) if audio is not None else None
        staged_cover = staged_transcript = None
        if cover and cover_type:
            staged_cover = StagedFile(stack.enter_context(_staged_bytes(cover)), *cover_type)
        if transcript and transcript_type:
            staged = stack.enter_context(_staged_bytes(transcript))
            staged_transcript = StagedFile(staged, *transcript_type)
        yield StagedUploads(staged_audio, staged_cover, staged_transcript)


@contextmanager
def staged_cover_art(data: bytes) -> Iterator[StagedFile]:
    """Cover art found elsewhere (inside an audio file), checked and staged like an upload."""
    extension, mime_type = check_cover(data)
    with _staged_bytes(data) as staged:
        yield StagedFile(staged, extension, mime_type)


@contextmanager
def placing() -> Iterator[Callable[[StagedFile], str]]:
    """Inside a write transaction: move staged files to their keys; undo if the block fails.

    Used after the transaction's last check and before its flush. On SQLite the files are
    placed and, on failure, removed while the write lock is held: no other writer can have
    started referencing a file this unit of work added. PostgreSQL's writers run side by
    side, so a file placed here may already be in another transaction's committed row: there
    a failure leaves its files to the media garbage collector, which checks references.
    """
    storage = get_storage()
    undo = db.session.get_bind().dialect.name == "sqlite"
    written: list[str] = []

    def place(file: StagedFile) -> str:
        existed = storage.exists(file.key)
        key = storage.commit(file.staged, file.extension).key
        if not existed:
            written.append(key)
        return key

    try:
        yield place
    except BaseException:
        for key in written if undo else ():
            storage.delete(key)
        raise


# --- audio kept between two posts of a form ----------------------------------------------
#
# "Nog een gast toevoegen" posts the whole form, audio included, only to show it again with one
# more row; a browser never refills a file input. So the file is kept in the staging folder,
# and the form carries a signed token naming it. The staging cleanup removes a kept file
# nobody came back for (MEDIA_STAGING_MAX_AGE_MINUTES), so the token expires with it.

_KEPT_SALT = "kispub.podcast.kept-audio"
_KEPT_NAME = re.compile(r"kept-[0-9a-f]{32}")


def keep_audio(stream: BinaryIO, filename: str) -> str:
    """Keep an uploaded audio file for the next post of the form; the token naming it."""
    storage = get_storage()
    name = f"kept-{secrets.token_hex(16)}"
    limit = max_audio_bytes()
    try:
        with storage.staged(stream, limit) as staged:
            if staged.size == 0:
                raise UploadError(_("Het bestand is leeg."))
            os.replace(staged.path, storage.staging / name)
    except TooLarge as error:
        message = _("Het audiobestand is groter dan %(size)s.", size=_megabytes(limit))
        raise UploadError(message) from error
    except StorageError as error:
        raise UploadError(str(error)) from error
    return timed_serializer(_KEPT_SALT).dumps([name, os.path.basename(filename)[:200]])


def kept_audio_name(token: str | None) -> str | None:
    """The file name a kept audio file was uploaded with; None when the token is no good."""
    found = _kept(token)
    return found[1] if found else None


@contextmanager
def kept_audio(token: str | None) -> Iterator[BinaryIO | None]:
    """The kept audio file opened for reading, or None when the token is no good."""
    found = _kept(token)
    if found is None:
        yield None
        return
    with found[0].open("rb") as stream:
        yield stream


def drop_kept_audio(token: str | None) -> None:
    """Remove a kept audio file once the episode has it."""
    found = _kept(token)
    if found is not None:
        found[0].unlink(missing_ok=True)


def _kept(token: str | None) -> tuple[Path, str] | None:
    if not token:
        return None
    max_age = round(float(current_app.config["MEDIA_STAGING_MAX_AGE_MINUTES"]) * 60)
    try:
        name, filename = timed_serializer(_KEPT_SALT).loads(token, max_age=max_age)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(name, str) or not _KEPT_NAME.fullmatch(name):
        return None
    path = get_storage().staging / name
    return (path, str(filename)) if path.is_file() else None


# --- checks ----------------------------------------------------------------------------


def check_cover(data: bytes) -> tuple[str, str]:
    """(extension, MIME type) of cover art that meets Apple's rules, or UploadError."""
    if len(data) > MAX_IMAGE_BYTES:
        raise UploadError(
            _("De coverafbeelding is groter dan %(size)s.", size=_megabytes(MAX_IMAGE_BYTES)),
            "cover",
        )
    try:
        art = check_cover_art(data)
    except ArtworkError as error:
        raise UploadError(str(error), "cover") from error
    return art.extension, art.mime_type


def check_transcript(data: bytes) -> tuple[str, str]:
    """(extension, MIME type) of a readable WebVTT or SRT transcript, or UploadError."""
    try:
        mime_type = parse_transcript(data).mime_type
    except TranscriptError as error:
        raise UploadError(str(error), "transcript") from error
    return (".vtt" if mime_type == "text/vtt" else ".srt"), mime_type


@contextmanager
def _staged_audio(stream: BinaryIO) -> Iterator[StagedAudio]:
    """Stage the stream and probe it; the staged file is gone afterwards unless placed."""
    limit = max_audio_bytes()
    timeout = float(current_app.config["PODCAST_PROBE_TIMEOUT"])
    try:
        with get_storage().staged(stream, limit) as staged:
            if staged.size == 0:
                raise UploadError(_("Het bestand is leeg."))
            try:
                info = probe_audio(staged.path, timeout)
            except AudioError as error:
                raise UploadError(error.translated()) from error
            yield StagedAudio(staged, info.extension, info.mime_type, info)
    except TooLarge as error:
        message = _("Het audiobestand is groter dan %(size)s.", size=_megabytes(limit))
        raise UploadError(message) from error
    except StorageError as error:
        raise UploadError(str(error)) from error


@contextmanager
def _staged_bytes(data: bytes) -> Iterator[Staged]:
    with get_storage().staged(io.BytesIO(data)) as staged:
        yield staged


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    text = f"{value:.0f}" if value >= 10 else f"{value:.1f}".replace(".", ",")
    return f"{text} MB"

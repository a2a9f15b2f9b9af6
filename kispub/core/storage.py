"""Media storage: files kept by content hash, written atomically.

Channels store uploads (audio, images, transcripts, dossier downloads) through this
module and keep only the returned key. A key looks like ``ab/abcdef….mp3``: the same
content is stored once, and a file is never half-written (temp file, fsync, rename).
Keys are built and read only here (:func:`key_for`, :func:`parse_key`); channels never
slice or split them.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from flask import Flask, current_app
from flask_babel import gettext as _

from kispub.core import clock

CHUNK_SIZE = 256 * 1024
STAGING = ".staging"  # temporary files, inside the media root so that commit is a rename
LOCK = ".lock"  # see FileSystemStorage.exclusive
# Stored files are readable by all who reach the folder: nginx runs as another user.
STORED_FILE_MODE = 0o644
# "ab/ab…(64 hex digits).ext": a two-digit fan-out folder, the SHA-256, a lowercase extension.
_KEY = re.compile(r"([0-9a-f]{2})/([0-9a-f]{64})(\.[a-z0-9]{1,10})?")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_EXTENSION = re.compile(r"(\.[a-z0-9]{1,10})?")


class StorageError(ValueError):
    """A file could not be stored; the message is for the user."""


class TooLarge(StorageError):
    """The upload exceeds the configured size."""


class StorageFull(Exception):
    """The media disk is full (or the quota is used up): nothing was stored.

    Not a :class:`StorageError`: it is no fault of the file, so it is not shown as a form
    error but as a 507 page (core/errors.py), and the CLI reports it as it is.
    """

    def __init__(self) -> None:
        super().__init__(
            _(
                "De opslag is vol: het bestand kon niet worden bewaard. "
                "Er is niets opgeslagen; probeer het later opnieuw of meld het de beheerder."
            )
        )


# A full disk and a used-up quota: the only write errors that are the disk's, not the file's.
_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


@contextmanager
def _full_disk_as_storage_full() -> Iterator[None]:
    """Turn "no space left" from any write, fsync or rename into :class:`StorageFull`."""
    try:
        yield
    except OSError as error:
        if error.errno in _FULL:
            raise StorageFull() from error
        raise


@dataclass(frozen=True)
class StoredKey:
    """A storage key taken apart: the content's SHA-256 and the extension (".mp3" or "")."""

    sha256: str
    extension: str

    @property
    def key(self) -> str:
        """The key as stored in a database column."""
        return key_for(self.sha256, self.extension)


def key_for(sha256: str, extension: str) -> str:
    """The key of content with this SHA-256 (hex) stored with ``extension`` (".mp3" or "")."""
    if not _SHA256.fullmatch(sha256) or not _EXTENSION.fullmatch(extension):
        raise ValueError(f"not a storage key: {sha256!r}, {extension!r}")
    return f"{sha256[:2]}/{sha256}{extension}"


def parse_key(key: str) -> StoredKey:
    """The hash and extension of a key; :class:`StorageError` for anything that is not one."""
    match = _KEY.fullmatch(key)
    if match is None or match[1] != match[2][:2]:
        raise StorageError(_("Ongeldige bestandsnaam."))
    return StoredKey(match[2], match[3] or "")


def is_valid_key(key: str) -> bool:
    """Whether ``key`` is a well-formed storage key (it may still name no stored file)."""
    try:
        parse_key(key)
    except StorageError:
        return False
    return True


def content_hash(stream: BinaryIO) -> str:
    """The SHA-256 (hex) a stream would be stored under, read in constant memory."""
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK_SIZE):
        digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class StoredFile:
    """A file in storage."""

    key: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Staged:
    """A fully written temporary file, hashed, not yet under its final name."""

    path: Path
    size: int
    sha256: str


class FileSystemStorage:
    """Stores files under a root folder on the local disk."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.staging = self.root / STAGING

    def path(self, key: str) -> Path:
        """The file behind a key; refuses keys that would leave the root."""
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise StorageError(_("Ongeldige bestandsnaam."))
        return path

    def exists(self, key: str) -> bool:
        """Whether a file is stored under the key."""
        return self.path(key).is_file()

    def holds(self, sha256: str, extension: str) -> bool:
        """Whether content with this hash is already stored with this extension."""
        return self.exists(key_for(sha256, extension))

    @contextmanager
    def staged(self, stream: BinaryIO, max_bytes: int | None = None) -> Iterator[Staged]:
        """Copy a stream to a temporary file in constant memory; it is removed unless committed.

        Callers check the staged file (a parser, a size rule) and then call ``commit``;
        whatever happens, no temporary file is left behind.
        """
        with _full_disk_as_storage_full():
            self.staging.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=self.staging)
        path = Path(name)
        try:
            with _full_disk_as_storage_full(), os.fdopen(fd, "wb") as out:
                size, digest = _copy_hashing(stream, out, max_bytes)
                out.flush()
                os.fsync(out.fileno())
            yield Staged(path, size, digest)
        finally:
            # A killed process never gets here: remove_stale_staging() takes those files.
            path.unlink(missing_ok=True)

    def commit(self, staged: Staged, extension: str) -> StoredFile:
        """Move a staged file to its content-addressed key (atomic rename)."""
        key = key_for(staged.sha256, extension)
        target = self.path(key)
        with _full_disk_as_storage_full():
            target.parent.mkdir(parents=True, exist_ok=True)
            if not _touch(target):  # same content stored before: refreshed, else moved in
                # mkstemp made it readable by this user only; nginx (another user) sends
                # published audio from here. Who may reach the folder is the folder's matter.
                os.chmod(staged.path, STORED_FILE_MODE)
                os.replace(staged.path, target)
                _fsync_dir(target.parent)
        return StoredFile(key, staged.size, staged.sha256)

    def save(self, stream: BinaryIO, extension: str, max_bytes: int | None = None) -> StoredFile:
        """Store a stream as it is."""
        with self.staged(stream, max_bytes) as staged:
            return self.commit(staged, extension)

    def save_bytes(self, data: bytes, extension: str) -> StoredFile:
        """Store a small in-memory file."""
        return self.save(io.BytesIO(data), extension)

    def delete(self, key: str) -> None:
        """Remove a stored file if present."""
        self.path(key).unlink(missing_ok=True)

    def stored_keys(self) -> Iterator[str]:
        """Every stored key (the staging folder and anything not named like a key are skipped)."""
        for folder in sorted(self.root.glob("[0-9a-f][0-9a-f]")):
            for path in sorted(folder.iterdir()):
                key = f"{folder.name}/{path.name}"
                if path.is_file() and is_valid_key(key):
                    yield key

    def modified_at(self, key: str) -> datetime:
        """When the file behind a key was stored, or last stored again (its mtime, UTC)."""
        return datetime.fromtimestamp(self.path(key).stat().st_mtime, UTC)

    @contextmanager
    def exclusive(self, *, wait: bool = True) -> Iterator[bool]:
        """Hold the media folder's lock (between processes); yields whether it is held.

        The garbage collector and a backup take it, so that no file a backup's database
        snapshot references is collected while the backup copies the media.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / LOCK, "a+b") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def remove_stale_staging(self, older_than: timedelta) -> int:
        """Remove staged files left by a killed process; how many were removed.

        A staged file lives for one request (written, probed, moved): one untouched for
        ``older_than`` belongs to a process that was killed before its ``finally`` ran.
        """
        if not self.staging.is_dir():
            return 0
        cutoff = (clock.now() - older_than).timestamp()
        removed = 0
        for path in self.staging.iterdir():
            try:
                if path.is_file() and path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:  # finished and removed by its own request meanwhile
                continue
        return removed


def _copy_hashing(stream: BinaryIO, out: BinaryIO, max_bytes: int | None) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK_SIZE):
        size += len(chunk)
        if max_bytes is not None and size > max_bytes:
            raise TooLarge(_("Het bestand is groter dan %(mb)d MB.", mb=max_bytes // (1024 * 1024)))
        digest.update(chunk)
        out.write(chunk)
    return size, digest.hexdigest()


def _touch(target: Path) -> bool:
    """Refresh a stored file's mtime; False if there is none.

    Storing content that is already there counts as storing it anew: the garbage collector
    (core/media_gc.py) then gives it a full grace period before it may be collected, which
    covers the moment between this call and the commit of the row that references it.
    """
    try:
        os.utime(target)
    except FileNotFoundError:
        return False
    return True


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


#: Returns every key some row still references; channels register one each.
MediaReferences = Callable[[], Iterable[str]]


def init_app(app: Flask) -> None:
    """Create the storage for the configured media root."""
    app.extensions["kispub_storage"] = FileSystemStorage(app.config["MEDIA_ROOT"])
    app.extensions["kispub_media_references"] = []


def register_media_references(app: Flask, references: MediaReferences) -> None:
    """Tell the garbage collector which keys a channel's rows reference (core never asks them)."""
    app.extensions["kispub_media_references"].append(references)


def referenced_keys() -> set[str]:
    """Every key any registered channel references now."""
    keys: set[str] = set()
    for references in current_app.extensions["kispub_media_references"]:
        keys.update(key for key in references() if key)
    return keys


def get_storage() -> FileSystemStorage:
    """The app's media storage."""
    return current_app.extensions["kispub_storage"]

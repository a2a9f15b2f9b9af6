"""Media storage: files kept by content hash, written atomically.

Channels store uploads (audio, images, transcripts, dossier downloads) through this
module and keep only the returned key. A key looks like ``ab/abcdef….mp3``: the same
content is stored once, and a file is never half-written (temp file, fsync, rename).
Keys are built and read only here (:func:`key_for`, :func:`parse_key`); channels never
slice or split them.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import Flask, current_app

CHUNK_SIZE = 256 * 1024
# "ab/ab…(64 hex digits).ext": a two-digit fan-out folder, the SHA-256, a lowercase extension.
_KEY = re.compile(r"([0-9a-f]{2})/([0-9a-f]{64})(\.[a-z0-9]{1,10})?")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_EXTENSION = re.compile(r"(\.[a-z0-9]{1,10})?")


class StorageError(ValueError):
    """A file could not be stored; the message is for the user."""


class TooLarge(StorageError):
    """The upload exceeds the configured size."""


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
        raise StorageError("Ongeldige bestandsnaam.")
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

    def path(self, key: str) -> Path:
        """The file behind a key; refuses keys that would leave the root."""
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise StorageError("Ongeldige bestandsnaam.")
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
        staging = self.root / ".staging"
        staging.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=staging)
        path = Path(name)
        try:
            with os.fdopen(fd, "wb") as out:
                size, digest = _copy_hashing(stream, out, max_bytes)
                out.flush()
                os.fsync(out.fileno())
            yield Staged(path, size, digest)
        finally:
            path.unlink(missing_ok=True)

    def commit(self, staged: Staged, extension: str) -> StoredFile:
        """Move a staged file to its content-addressed key (atomic rename)."""
        key = key_for(staged.sha256, extension)
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():  # same content stored before: nothing to do
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


def _copy_hashing(stream: BinaryIO, out: BinaryIO, max_bytes: int | None) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK_SIZE):
        size += len(chunk)
        if max_bytes is not None and size > max_bytes:
            raise TooLarge(f"Het bestand is groter dan {max_bytes // (1024 * 1024)} MB.")
        digest.update(chunk)
        out.write(chunk)
    return size, digest.hexdigest()


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def init_app(app: Flask) -> None:
    """Create the storage for the configured media root."""
    app.extensions["kispub_storage"] = FileSystemStorage(app.config["MEDIA_ROOT"])


def get_storage() -> FileSystemStorage:
    """The app's media storage."""
    return current_app.extensions["kispub_storage"]

"""Backing up and restoring the database and the media folder, while the site keeps running.

A backup folder holds the database (SQLite: a copy made with SQLite's online backup API;
PostgreSQL: ``pg_dump`` in custom format), ``media/`` (stored files under their keys) and
``manifest.json``, written last: the row count of every table at the database snapshot, and
every stored key with its size and SHA-256. A folder without a manifest is an unfinished
backup. Files are named by their content, so backing up into the same folder again copies
only new files.

The database snapshot is taken first and the media copied after it: every file a row of the
snapshot references was stored before it, and the media lock (``FileSystemStorage.exclusive``)
keeps the garbage collector from removing one while the copy runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, func, inspect, select, text
from sqlalchemy.engine import URL

from kispub.core import clock
from kispub.core.storage import CHUNK_SIZE, FileSystemStorage, get_storage, parse_key
from kispub.extensions import db

MANIFEST = "manifest.json"
FORMAT = 1
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.pgdump"
MEDIA = "media"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, for the operator."""


@dataclass(frozen=True)
class MediaEntry:
    """A stored file as the manifest lists it."""

    key: str
    size: int
    sha256: str


@dataclass
class Manifest:
    """What a backup holds."""

    dialect: str
    database_file: str
    created_at: str
    row_counts: dict[str, int]
    media: list[MediaEntry] = field(default_factory=list)

    def to_json(self) -> str:
        data = {
            "format": FORMAT,
            "dialect": self.dialect,
            "database_file": self.database_file,
            "created_at": self.created_at,
            "row_counts": self.row_counts,
            "media": [vars(entry) for entry in self.media],
        }
        return json.dumps(data, indent=1, sort_keys=True)

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        """The manifest of a finished backup, or :class:`BackupError`."""
        try:
            data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        except FileNotFoundError as error:
            raise BackupError(f"{folder} holds no finished backup (no {MANIFEST}).") from error
        except (OSError, ValueError) as error:
            raise BackupError(f"{folder / MANIFEST} cannot be read: {error}") from error
        if data.get("format") != FORMAT:
            raise BackupError(f"{folder / MANIFEST}: unknown format {data.get('format')!r}.")
        media = [MediaEntry(e["key"], int(e["size"]), e["sha256"]) for e in data["media"]]
        return cls(
            data["dialect"], data["database_file"], data["created_at"], data["row_counts"], media
        )


@dataclass(frozen=True)
class Report:
    """What a backup or restore did."""

    manifest: Manifest
    files_copied: int


# --- backup ----------------------------------------------------------------------------


def backup(folder: Path, *, link: bool = False) -> Report:
    """Write a consistent backup of the database and the media into ``folder``.

    ``link`` hard-links media files instead of copying them (only on the same file system;
    stored files are never changed in place, so a link is as good as a copy there).
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MANIFEST).unlink(missing_ok=True)  # until the new one is written: unfinished
    storage = get_storage()
    engine = db.engine
    created_at = clock.now().isoformat()
    with storage.exclusive():
        if engine.dialect.name == "sqlite":
            counts, name = _backup_sqlite(engine, folder / SQLITE_FILE), SQLITE_FILE
        elif engine.dialect.name == "postgresql":
            counts, name = _backup_postgres(engine, folder / POSTGRES_FILE), POSTGRES_FILE
        else:
            raise BackupError(f"Backups of {engine.dialect.name} databases are not supported.")
        media, copied = _copy_media(storage, folder / MEDIA, link)
    manifest = Manifest(engine.dialect.name, name, created_at, counts, media)
    _write_atomically(folder / MANIFEST, manifest.to_json().encode())
    return Report(manifest, copied)


def _backup_sqlite(engine: Engine, target: Path) -> dict[str, int]:
    """Copy the live database with SQLite's backup API (one consistent read snapshot)."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(_sqlite_path(engine.url))
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy)  # pages=-1: all in one step, so no writer can change it midway
    finally:
        copy.close()
        source.close()
    counts = _row_counts_of(f"sqlite:///{partial}")
    os.replace(partial, target)
    return counts


def _backup_postgres(engine: Engine, target: Path) -> dict[str, int]:
    """``pg_dump`` the snapshot of a transaction that also counts the rows."""
    partial = target.with_name(target.name + ".partial")
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            # The snapshot is fixed by the first statement; pg_dump reads the same one.
            snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
            _check_pg_dump_version(connection)
            counts = _row_counts(connection)
            dump = ["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}"]
            dump += [f"--schema={schema}" for schema in _search_path(engine.url)[:1]]
            _run_pg([*dump, "--file", str(partial)], engine.url)
    os.replace(partial, target)
    return counts


def _check_pg_dump_version(connection: Connection) -> None:
    server = int(connection.scalar(text("SHOW server_version_num")) or 0) // 10000
    output = _run(["pg_dump", "--version"], {}).strip()  # "pg_dump (PostgreSQL) 15.20 (...)"
    client = int(output.split(")")[1].split()[0].split(".")[0])
    if client < server:
        raise BackupError(
            f"pg_dump {client} cannot dump a PostgreSQL {server} server: "
            f"install postgresql-client-{server}."
        )


def _copy_media(
    storage: FileSystemStorage, target: Path, link: bool
) -> tuple[list[MediaEntry], int]:
    """Copy every stored file not yet in ``target``; the manifest entries and how many were new."""
    entries, copied = [], 0
    for key in storage.stored_keys():
        source, destination = storage.path(key), target / key
        size = source.stat().st_size
        if destination.is_file() and destination.stat().st_size == size:
            # Content-addressed: the same name and size is the same content (restore checks).
            entries.append(MediaEntry(key, size, parse_key(key).sha256))
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        _place_copy(source, destination, link)
        digest = file_sha256(destination)
        if digest != parse_key(key).sha256:
            raise BackupError(f"Stored file {key} does not match its name (sha256 {digest}).")
        entries.append(MediaEntry(key, size, digest))
        copied += 1
    return entries, copied


# --- restore ---------------------------------------------------------------------------


def restore(folder: Path, *, force: bool = False) -> Report:
    """Bring back a backup into the configured database and media folder.

    Every media file is checked against the manifest before anything is touched; a
    database that holds any row is only overwritten with ``force``. Afterwards the row
    counts must equal those of the backup's snapshot.
    """
    manifest = Manifest.read(folder)
    problems = verify_media(folder, manifest)
    if problems:
        raise BackupError("The backup's media do not match its manifest: " + "; ".join(problems))
    engine = db.engine
    if manifest.dialect != engine.dialect.name:
        raise BackupError(
            f"This is a {manifest.dialect} backup; the configured database is "
            f"{engine.dialect.name}."
        )
    if not force and not database_is_empty(engine):
        raise BackupError(
            "The database is not empty; restoring would overwrite it. "
            "Restore into an empty database, or give --force."
        )
    db.session.remove()
    engine.dispose()
    if manifest.dialect == "sqlite":
        _restore_sqlite(folder / manifest.database_file, engine.url)
    else:
        options = [
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
        ]
        dump = str(folder / manifest.database_file)
        _run_pg(["pg_restore", *options, dump], engine.url, database_argument=True)
    copied = _restore_media(folder / MEDIA, get_storage(), manifest.media)
    counts = _row_counts_of(engine.url)
    if counts != manifest.row_counts:
        differ = sorted(k for k in manifest.row_counts if counts.get(k) != manifest.row_counts[k])
        raise BackupError(f"Restored row counts differ from the backup's in: {', '.join(differ)}")
    return Report(manifest, copied)


def verify_media(folder: Path, manifest: Manifest) -> list[str]:
    """Every way the backup's media differ from its manifest (empty when all is well)."""
    problems = []
    for entry in manifest.media:
        path = folder / MEDIA / entry.key
        if not path.is_file():
            problems.append(f"{entry.key} is missing")
        elif path.stat().st_size != entry.size or file_sha256(path) != entry.sha256:
            problems.append(f"{entry.key} is damaged")
    return problems


def database_is_empty(engine: Engine) -> bool:
    """Whether none of the app's tables exists or holds a row."""
    with engine.connect() as connection:
        existing = set(inspect(connection).get_table_names())
        for table in db.metadata.sorted_tables:
            if table.name in existing and connection.execute(table.select().limit(1)).first():
                return False
    return True


def _restore_sqlite(source: Path, url: URL) -> None:
    target = Path(_sqlite_path(url))
    target.parent.mkdir(parents=True, exist_ok=True)
    backup_copy = sqlite3.connect(source)
    live = sqlite3.connect(target)
    try:
        backup_copy.backup(live)  # page by page into the live file, under its own locks
    finally:
        live.close()
        backup_copy.close()


def _restore_media(source: Path, storage: FileSystemStorage, entries: list[MediaEntry]) -> int:
    copied = 0
    for entry in entries:
        destination = storage.path(entry.key)
        if destination.is_file() and destination.stat().st_size == entry.size:
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        _place_copy(source / entry.key, destination, link=False)
        copied += 1
    return copied


# --- helpers ---------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    """The SHA-256 (hex) of a file, read in constant memory."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK_SIZE):
            digest.update(chunk)
    return digest.hexdigest()


def _place_copy(source: Path, destination: Path, link: bool) -> None:
    """Put a copy (or a hard link) of ``source`` at ``destination``; never half a file."""
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    if link:
        try:
            os.link(source, partial)
        except OSError:  # another file system, or links not allowed: copy instead
            shutil.copyfile(source, partial)
    else:
        shutil.copyfile(source, partial)
    os.replace(partial, destination)


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, path)


def _row_counts(connection: Connection) -> dict[str, int]:
    existing = set(inspect(connection).get_table_names())
    return {
        table.name: int(connection.scalar(select(func.count()).select_from(table)) or 0)
        for table in db.metadata.sorted_tables
        if table.name in existing
    }


def _row_counts_of(url: str | URL) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return _row_counts(connection)
    finally:
        engine.dispose()


def _sqlite_path(url: URL) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return url.database


def _run_pg(arguments: list[str], url: URL, *, database_argument: bool = False) -> str:
    """Run a PostgreSQL client program against ``url``; the password goes by environment."""
    env = {
        "PGHOST": str(url.query.get("host") or url.host or ""),
        "PGPORT": str(url.port or ""),
        "PGUSER": url.username or "",
        "PGPASSWORD": url.password or "",
        "PGDATABASE": url.database or "",
        # Connection options such as -csearch_path=... (a database kept in its own schema).
        "PGOPTIONS": str(url.query.get("options") or ""),
    }
    env = {name: value for name, value in env.items() if value}
    if database_argument:  # pg_restore restores into -d only; it never reads PGDATABASE
        arguments = [*arguments[:1], "--dbname", url.database or "", *arguments[1:]]
    return _run(arguments, env)


def _search_path(url: URL) -> list[str]:
    """The schemas named by a URL's ``options=-csearch_path=...``; the tables are in the first."""
    options = str(url.query.get("options") or "")
    match = re.search(r"-csearch_path=([^\s]+)", options)
    return match.group(1).split(",") if match else []


def _run(arguments: list[str], env: dict[str, Any]) -> str:
    try:
        result = subprocess.run(  # noqa: S603 - our own argument list, no shell
            arguments, env={**os.environ, **env}, capture_output=True, text=True, check=False
        )
    except FileNotFoundError as error:
        raise BackupError(
            f"{arguments[0]} is not installed (apt-get install postgresql-client)."
        ) from error
    if result.returncode != 0:
        raise BackupError(f"{arguments[0]} failed: {result.stderr.strip()}")
    return result.stdout

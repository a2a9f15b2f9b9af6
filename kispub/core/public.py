"""The public folder: feeds, calendars and published audio as plain files.

Podcast apps poll feeds every hour and download audio by the ten thousand; a web server
serves a file hundreds of times faster than any request through Python. So whatever anyone
may fetch without logging in and that changes only when content changes lives as a file in
``PUBLIC_ROOT``, at its URL path: ``/podcast/<series>/feed.xml`` is
``PUBLIC_ROOT/podcast/<series>/feed.xml``, with its gzip twin beside it, and published audio
is a symlink into the media folder. nginx serves the folder itself (``deploy/nginx``); without
nginx the app serves the same files (:func:`send`), so there is one source of truth.

Channels register a *publisher*: a function that brings their part of the folder in line
with the database, and the models whose changes call for it. A change committed through
``write_transaction`` to one of those models queues the publisher (a worker job, right after
the commit, and again at the moment a scheduled item falls due); every publisher also runs
once a minute, which catches anything a killed process missed. Publishing is idempotent:
files are rewritten only when their bytes change (so their ETag holds) and always
atomically (temporary file, fsync, rename), so nginx never sends half a feed.

Names starting with a dot are the folder's own (temporary files, stamps, the lock) and are
never served.
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, has_app_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from kispub import jobs
from kispub.core import clock
from kispub.core.database import after_commit_once, in_write_transaction

log = logging.getLogger(__name__)

_KEY = "kispub_publishers"
LOCK = ".lock"
GZIP_SUFFIX = ".gz"


class UnsafePath(ValueError):
    """A URL path that does not name a file of the public folder."""


@dataclass(frozen=True)
class Publisher:
    """A channel's part of the public folder."""

    name: str
    # Called with rebuild=True after a change: then nothing may be skipped on a stamp.
    publish: Callable[[bool], object]
    models: tuple[type, ...]
    # When a changed row's public files must change again by themselves (a scheduled
    # episode falling due); None: only when it is edited.
    due_at: Callable[[Any], datetime | None]


def init_app(app: Flask) -> None:
    """The job that publishes, run after changes and once a minute."""
    app.extensions[_KEY] = {}
    jobs.register_task(app, republish)
    jobs.register_periodic(app, "public-files", jobs.crontab(), publish)


def register_publisher(
    app: Flask,
    name: str,
    publish_files: Callable[[bool], object],
    models: tuple[type, ...],
    due_at: Callable[[Any], datetime | None] = lambda _: None,
) -> None:
    """Let ``publish_files`` keep the channel's public files current (see the module)."""
    app.extensions[_KEY][name] = Publisher(name, publish_files, models, due_at)


def publish(*names: str, rebuild: bool = False) -> None:
    """Run the named publishers (all when none is named), one process at a time.

    The periodic run lets publishers skip what their stamps say is current; ``rebuild``
    (after a change) does not. The lock is taken before anything is read, so a run never
    undoes a newer one's work with an older snapshot of the database.
    """
    publishers: dict[str, Publisher] = current_app.extensions[_KEY]
    with _folder_lock():
        for publisher in publishers.values():
            if not names or publisher.name in names:
                publisher.publish(rebuild)


def republish(name: str) -> None:
    """The job queued after a change: run one publisher, rebuilding its files."""
    publish(name, rebuild=True)


@dataclass(frozen=True)
class _PublishRequest:
    """Queue a publisher after the commit; equal requests are queued once per transaction."""

    name: str
    at: datetime | None = None

    def __call__(self) -> None:
        jobs.enqueue(republish, self.name, eta=self.at)


@event.listens_for(Session, "after_flush")
def _queue_publishers(session: Session, _context: object) -> None:
    """Queue the publishers whose models a write transaction changed."""
    if not has_app_context() or not in_write_transaction():
        return  # the periodic run picks up changes made any other way
    publishers: dict[str, Publisher] = current_app.extensions.get(_KEY, {})
    changed = [*session.new, *session.dirty, *session.deleted]
    now = clock.now()
    for publisher in publishers.values():
        rows = [row for row in changed if isinstance(row, publisher.models)]
        if rows:
            after_commit_once(_PublishRequest(publisher.name))
        for row in rows:
            due = publisher.due_at(row)
            if due is not None and due > now:
                after_commit_once(_PublishRequest(publisher.name, due))


# --- the folder ------------------------------------------------------------------------


def root() -> Path:
    """The public folder."""
    return Path(current_app.config["PUBLIC_ROOT"])


def path_of(url_path: str) -> Path:
    """The file at a URL path; refuses anything that could leave the folder or is internal."""
    parts = url_path.strip("/").split("/")
    if not all(parts) or any(p.startswith(".") or "\0" in p or "\\" in p for p in parts):
        raise UnsafePath(url_path)
    return root().joinpath(*parts)


def write(url_path: str, body: bytes, *, gzipped: bool = True) -> bool:
    """Publish ``body`` at ``url_path`` (and its gzip twin); True when anything changed."""
    path = path_of(url_path)
    if _same_bytes(path, body):
        return False
    if gzipped:
        _write_atomically(_gzip_twin(path), gzip.compress(body, compresslevel=9, mtime=0))
    _write_atomically(path, body)
    return True


def remove(url_path: str) -> bool:
    """Take a file (and its gzip twin and stamp) out of the folder; True when one was there."""
    path = path_of(url_path)
    removed = False
    for candidate in (path, _gzip_twin(path), _stamp_path(path)):
        with suppress(FileNotFoundError):
            candidate.unlink()
            removed = True
    return removed


def stamp(url_path: str) -> str | None:
    """What the file was last built from (see :func:`write_stamped`), or None."""
    try:
        return _stamp_path(path_of(url_path)).read_text()
    except FileNotFoundError:
        return None


def write_stamped(
    url_path: str, built_from: str, build: Callable[[], bytes], *, rebuild: bool = False
) -> bool:
    """Publish ``build()`` unless the file was already built from ``built_from``.

    The stamp saves rebuilding a large feed every minute only to find it unchanged.
    """
    if not rebuild and stamp(url_path) == built_from and path_of(url_path).exists():
        return False
    changed = write(url_path, build())
    _write_atomically(_stamp_path(path_of(url_path)), built_from.encode())
    return changed


def link(url_path: str, target: Path) -> bool:
    """Make ``url_path`` a symlink to ``target`` (a media file); True when it changed.

    The target is made world-readable: the web server may run as another user, and
    published media are public by definition.
    """
    path = path_of(url_path)
    relative = os.path.relpath(target, path.parent)
    with suppress(OSError):
        if os.readlink(path) == relative:
            return False
    target.chmod(0o644)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.link")
    with suppress(FileNotFoundError):
        temporary.unlink()
    os.symlink(relative, temporary)
    os.replace(temporary, path)
    return True


def names(url_folder: str) -> set[str]:
    """The public names in a folder (no dot files, no gzip twins)."""
    try:
        entries = os.listdir(path_of(url_folder))
    except FileNotFoundError:
        return set()
    return {n for n in entries if not n.startswith(".") and not n.endswith(GZIP_SUFFIX)}


def _gzip_twin(path: Path) -> Path:
    return path.with_name(path.name + GZIP_SUFFIX)


def _stamp_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.stamp")


def _same_bytes(path: Path, body: bytes) -> bool:
    try:
        if path.stat().st_size != len(body):
            return False
        return hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(body).digest()
    except FileNotFoundError:
        return False


def _write_atomically(path: Path, body: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(name, 0o644)  # mkstemp's 0600 would hide it from the web server's user
        os.replace(name, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(name)
        raise


@contextmanager
def _folder_lock() -> Iterator[None]:
    folder = root()
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / LOCK, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- serving without nginx ---------------------------------------------------------------


def send(url_path: str, mimetype: str, max_age: int) -> Response | None:
    """Serve a published file as nginx would (gzip twin, ETag, 304, Range); None: not there.

    For feeds and calendars, which are small: the file is read whole from one open file,
    so a feed replaced meanwhile is sent as it was when opened, with its own length.
    """
    path = path_of(url_path)
    accepts_gzip = request.accept_encodings["gzip"] > 0
    for candidate, encoded in ((_gzip_twin(path), True), (path, False)):
        if encoded and not accepts_gzip:
            continue
        try:
            with open(candidate, "rb") as handle:
                stat = os.fstat(handle.fileno())
                body = handle.read()
        except OSError:  # not there, or a name no file can have (too long)
            continue
        response = _file_response(body, stat, mimetype, max_age)
        if encoded:
            response.headers["Content-Encoding"] = "gzip"
        response.vary.add("Accept-Encoding")
        return response
    return None


def nginx_etag(size: int, mtime: float) -> str:
    """nginx's ETag for a file (hex mtime and size), so the app and nginx agree."""
    return f"{int(mtime):x}-{size:x}"


def _file_response(body: bytes, stat: os.stat_result, mimetype: str, max_age: int) -> Response:
    response = Response(body, mimetype=mimetype)
    response.last_modified = datetime.fromtimestamp(int(stat.st_mtime), UTC)
    response.set_etag(nginx_etag(stat.st_size, stat.st_mtime))
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    # make_conditional turns the response into a 304 or a 206 in place.
    response.make_conditional(request, accept_ranges=True, complete_length=stat.st_size)
    return response

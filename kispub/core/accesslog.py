"""The JSON access log: lines the app writes, and the ingest that hands them to counters.

nginx writes one JSON object per request, with (deploy/nginx)::

    log_format kispub_json escape=json '{"time":"$time_iso8601","addr":"$remote_addr",'
        '"method":"$request_method","uri":"$uri","status":$status,"bytes":$body_bytes_sent,'
        '"range":"$sent_http_content_range","ua":"$http_user_agent","gpc":"$http_sec_gpc",'
        '"purpose":"$http_sec_purpose$http_purpose"}';

and without nginx the app appends the same line for each request it serves that a counter
cares about (``write_line``). Every minute the worker reads the new lines (``ingest``) and
gives them, in batches, to the handlers channels registered (``register_log_handler``): the
podcast counts downloads. Where reading stopped (the file's inode and a byte offset) is
stored in the same transaction as what the batch counted, so after a crash or restart no
line is counted twice and none is skipped. Rotation is followed by inode (see
:mod:`kispub.core.logfile`), and the file is streamed: memory stays flat however long it is.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask, current_app, request
from sqlalchemy import BigInteger, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from kispub import jobs
from kispub.core import clock
from kispub.core.database import UTCDateTime, write_transaction
from kispub.core.logfile import Chunk, Position, read_chunk, where_to_read
from kispub.extensions import Model, db

log = logging.getLogger(__name__)

BATCH_LINES = 2_000  # lines per transaction: a crash repeats at most this much work
BATCH_BYTES = 4 * 1024 * 1024  # and at most this much text, however long the lines
_MAX_NUMBER = 2**53  # bytes and offsets beyond this are no real request (and overflow columns)
_RANGE = re.compile(r"bytes (\d{1,16})-(\d{1,16})/(\d{1,16}|\*)")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TEXT_FIELDS = ("time", "addr", "method", "uri", "range", "ua", "gpc", "purpose")


@dataclass(frozen=True)
class ByteRange:
    """The bytes [start, stop) a 206 answer sent, of a file of ``size`` bytes (None: unknown)."""

    start: int
    stop: int
    size: int | None


@dataclass(frozen=True)
class LogLine:
    """One request as the access log recorded it."""

    time: datetime  # timezone-aware
    addr: str
    method: str
    uri: str  # the path, percent-decoded, without the query string (nginx's $uri)
    status: int
    bytes: int  # body bytes sent
    range: ByteRange | None  # the Content-Range sent, None for a whole body or none
    ua: str
    gpc: str
    purpose: str


#: A handler gets one batch of parsed lines inside the batch's write transaction, and
#: returns how many things it counted (for the report).
LogHandler = Callable[[Sequence[LogLine]], int]


class AccessLogCursor(Model):
    """How far the ingest has read a log: the file it was reading (inode) and where."""

    __tablename__ = "access_log_cursor"

    log: Mapped[str] = mapped_column(String(500), primary_key=True)  # the ACCESS_LOG path
    inode: Mapped[int] = mapped_column(BigInteger, default=0)  # 0: nothing read yet
    byte_offset: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


def init_app(app: Flask) -> None:
    """Start without handlers; ingest new lines every minute in the worker."""
    app.extensions.setdefault("kispub_log_handlers", [])
    jobs.register_periodic(app, "access-log-ingest", jobs.crontab(), ingest)


def register_log_handler(app: Flask, handler: LogHandler) -> None:
    """Give ``handler`` every batch of lines the ingest reads, in its transaction."""
    app.extensions.setdefault("kispub_log_handlers", []).append(handler)


# --- writing ---------------------------------------------------------------------------


def write_line(status: int, body_bytes: int, content_range: str = "") -> None:
    """Append the current request to ACCESS_LOG, in the line nginx would have written.

    One ``write`` of one whole line to a file opened with O_APPEND: lines of several web
    processes never interleave. A failure is logged; it never costs the visitor the answer.
    """
    headers = request.headers
    entry = {
        "time": clock.now().isoformat(timespec="seconds"),
        "addr": request.remote_addr or "",
        "method": request.method,
        "uri": request.path,
        "status": status,
        "bytes": body_bytes,
        "range": content_range,
        "ua": headers.get("User-Agent", ""),
        "gpc": headers.get("Sec-GPC", ""),
        "purpose": headers.get("Sec-Purpose", "") + headers.get("Purpose", ""),
    }
    line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
    try:
        fd = os.open(
            current_app.config["ACCESS_LOG"],
            os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC,
            0o640,
        )
        try:
            os.write(fd, line.encode("utf-8", "replace"))
        finally:
            os.close(fd)
    except OSError:
        log.exception("could not write to the access log")


# --- reading ---------------------------------------------------------------------------


def parse_line(raw: bytes) -> LogLine | None:
    """A line of the log as a ``LogLine``; None when it is not one (logged by the caller)."""
    try:
        # nginx escapes quotes and control characters but passes other bytes on as they
        # came (a percent-decoded path can hold any byte): read them as UTF-8 where they are.
        data = json.loads(raw.decode("utf-8", "replace"))
    except ValueError:  # bad JSON, and integers too long to convert
        return None
    if not isinstance(data, dict):
        return None
    try:
        return _line(data)
    except (KeyError, TypeError, ValueError):
        return None


def _line(data: dict[str, Any]) -> LogLine:
    text = {name: _text(data[name]) for name in _TEXT_FIELDS}
    for name in ("time", "addr", "method", "uri"):
        if _CONTROL.search(text[name]):
            raise ValueError(f"control character in {name}")
    time = datetime.fromisoformat(text["time"])
    if time.tzinfo is None:
        raise ValueError("a time without offset")
    return LogLine(
        time=time,
        addr=text["addr"],
        method=text["method"],
        uri=text["uri"],
        status=_number(data["status"], 999),
        bytes=_number(data["bytes"], _MAX_NUMBER),
        range=_byte_range(text["range"]),
        ua=text["ua"],
        gpc=text["gpc"],
        purpose=text["purpose"],
    )


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def _number(value: object, highest: int) -> int:
    if type(value) is not int or not 0 <= value <= highest:  # bool and float are not counts
        raise ValueError(f"not a count: {value!r}")
    return value


def _byte_range(text: str) -> ByteRange | None:
    """ "bytes 100-199/1000" as [100, 200) of 1000; "" or "bytes */1000" (nothing sent): None."""
    if text in ("", "-") or text.startswith("bytes */"):
        return None
    match = _RANGE.fullmatch(text)
    if match is None:
        raise ValueError(f"not a Content-Range: {text!r}")
    start, last = int(match[1]), int(match[2])
    size = None if match[3] == "*" else int(match[3])
    if last < start or max(last, size or 0) >= _MAX_NUMBER:
        raise ValueError(f"not a range: {text!r}")
    return ByteRange(start, last + 1, size)


# --- ingest ----------------------------------------------------------------------------


@dataclass
class IngestReport:
    """What one ingest did: complete lines read, what handlers counted, lines skipped."""

    lines: int = 0
    counted: int = 0
    skipped: int = 0


def ingest(batch_lines: int = BATCH_LINES) -> IngestReport:
    """Read ACCESS_LOG's new lines and hand them to the handlers, one transaction per batch.

    Safe to run in several workers at once: each batch locks the cursor first (SELECT ...
    FOR UPDATE on PostgreSQL, the write lock on SQLite) and reads from where it says.
    A handler's error rolls its batch back, cursor included, and is raised: the next run
    reads the batch again.
    """
    path = str(current_app.config["ACCESS_LOG"])
    report = IngestReport()
    _ensure_cursor(path)
    while _ingest_batch(path, batch_lines, report):
        pass
    return report


def _ensure_cursor(path: str) -> None:
    if db.session.get(AccessLogCursor, path) is not None:
        return
    try:
        with write_transaction() as session:
            session.add(AccessLogCursor(log=path))
    except IntegrityError:
        pass  # another worker made it first


def _ingest_batch(path: str, batch_lines: int, report: IngestReport) -> bool:
    """Ingest one batch; whether there may be more to read right away."""
    with write_transaction() as session:
        cursor = _locked_cursor(session, path)
        position = where_to_read(Path(path), cursor.inode, cursor.byte_offset)
        if position is None:
            return False
        chunk = read_chunk(position, batch_lines, BATCH_BYTES)
        lines = _parse(chunk, position)
        report.lines += len(chunk.lines)
        report.skipped += chunk.overlong + len(chunk.lines) - len(lines)
        if lines:
            for handler in current_app.extensions["kispub_log_handlers"]:
                report.counted += handler(lines)
        moved = (position.inode, chunk.end) != (cursor.inode, cursor.byte_offset)
        if moved:
            cursor.inode, cursor.byte_offset = position.inode, chunk.end
            cursor.updated_at = clock.now()
        # Another round while this one read something or moved to another file: the rest of
        # a long log, or the new file after the rotated one was finished.
        return moved


def _locked_cursor(session: Session, path: str) -> AccessLogCursor:
    statement = select(AccessLogCursor).where(AccessLogCursor.log == path).with_for_update()
    # populate_existing: the row as it is now, after the lock, not as this session last saw it.
    return session.scalars(statement.execution_options(populate_existing=True)).one()


def _parse(chunk: Chunk, position: Position) -> list[LogLine]:
    lines = [line for raw in chunk.lines if (line := parse_line(raw)) is not None]
    skipped = chunk.overlong + len(chunk.lines) - len(lines)
    if skipped:
        # One message per batch: a log full of garbage must not flood the worker's log.
        log.warning(
            "access log %s: skipped %d malformed line(s) after byte %d",
            position.path,
            skipped,
            position.offset,
        )
    return lines

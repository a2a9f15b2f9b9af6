"""Following a log file that grows and is rotated, a bounded chunk of lines at a time.

A reader remembers the file's inode and the byte offset after the last whole line it took.
Rotation (logrotate's ``create``: the log is renamed to ``<log>.1`` and a new one created,
then the server is told to reopen it) shows as another inode under the log's name: the
rest of the old file is read from ``<log>.1`` first, and the new file is started only once
the old one is finished and the new one has lines, because the server writes on into the
renamed file until it reopens (half a line left at the end of the old file once the new one
has lines is given up: no one will write its end). A file shorter than the offset was truncated
(``copytruncate``) and is read from its start again. A line without its newline is still
being written and is left for the next read.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger(__name__)

MAX_LINE_BYTES = 64 * 1024  # nginx takes headers of 8 KB by default: a longer line is junk
_READ_BUFFER = 256 * 1024


@dataclass(frozen=True)
class Position:
    """Where to read next: a file (and the inode it must have) and a byte offset in it."""

    path: Path
    inode: int
    offset: int


@dataclass
class Chunk:
    """Whole lines read from a position, and the offset just after the last of them."""

    end: int
    lines: list[bytes] = field(default_factory=list)  # without their newline
    overlong: int = 0  # lines longer than MAX_LINE_BYTES, passed over
    full: bool = False  # stopped at the limit, not at the end of what is written


def rotated(path: Path) -> Path:
    """Where logrotate moves the log: ``<log>.1``."""
    return path.with_name(path.name + ".1")


def where_to_read(path: Path, inode: int, offset: int) -> Position | None:
    """The position to continue from, after rotation or truncation; None: no log yet."""
    current = _stat(path)
    if inode and current is not None and current.st_ino == inode:
        if current.st_size < offset:
            log.warning("%s is shorter than where reading stopped: read again from 0", path)
            return Position(path, inode, 0)
        return Position(path, inode, offset)
    if inode:
        old = _stat(rotated(path))
        if old is not None and old.st_ino == inode:
            if current is None or current.st_size == 0 or _line_after(rotated(path), offset):
                return Position(rotated(path), inode, offset)
            if old.st_size > offset:  # the server writes the new file: nobody ends this one
                log.warning("%s ends in half a line; it is left", rotated(path))
        else:
            log.warning(
                "%s: the file read last (inode %d) is gone; its unread lines are lost",
                path,
                inode,
            )
    if current is None:
        return None
    return Position(path, current.st_ino, 0)


def read_chunk(position: Position, max_lines: int, max_bytes: int) -> Chunk:
    """Up to ``max_lines`` whole lines (or about ``max_bytes``) from ``position``."""
    chunk = Chunk(end=position.offset)
    try:
        stream = position.path.open("rb", buffering=_READ_BUFFER)
    except FileNotFoundError:
        return chunk  # rotated away meanwhile: the next run finds it under its new name
    with stream:
        if os.fstat(stream.fileno()).st_ino != position.inode:
            return chunk  # renamed between the look and the opening: look again next time
        stream.seek(position.offset)
        _fill(chunk, stream, max_lines, max_bytes)
    return chunk


def _fill(chunk: Chunk, stream: BinaryIO, max_lines: int, max_bytes: int) -> None:
    read = 0
    while len(chunk.lines) + chunk.overlong < max_lines and read < max_bytes:
        raw = stream.readline(MAX_LINE_BYTES + 1)
        length = len(raw)
        if raw.endswith(b"\n"):
            chunk.lines.append(raw[:-1])
        elif length <= MAX_LINE_BYTES:
            return  # the end of the file, or a line still being written
        else:
            rest = _rest_of_line(stream)
            if rest is None:
                return  # its end is not written yet
            chunk.overlong += 1
            length += rest
        chunk.end += length
        read += length
    chunk.full = True


def _rest_of_line(stream: BinaryIO) -> int | None:
    """Bytes up to and including the next newline, read in pieces; None at the end first."""
    skipped = 0
    while piece := stream.readline(MAX_LINE_BYTES):
        skipped += len(piece)
        if piece.endswith(b"\n"):
            return skipped
    return None


def _line_after(path: Path, offset: int) -> bool:
    """Whether a whole line (or the start of a longer one) follows ``offset``."""
    try:
        with path.open("rb") as stream:
            stream.seek(offset)
            rest = stream.read(MAX_LINE_BYTES + 1)
    except FileNotFoundError:
        return False
    return b"\n" in rest or len(rest) > MAX_LINE_BYTES


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except FileNotFoundError:
        return None

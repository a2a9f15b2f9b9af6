"""The parent's side of an upload: stage it, inspect it in the sandbox, hand back what to store.

Everything is checked before the service's transaction starts. The upload streams to a
staged file in constant memory (refused past the configured size), its first bytes are
sniffed, and the sandbox child (:func:`kispub.dossier.files.inspect.inspect_file`) opens it
within a time limit and a memory cap, writing the clean copy and the thumbnails beside the
staged file. A refused file leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from flask import current_app

from kispub.core.sandbox import (
    SandboxCrashed,
    SandboxMemoryError,
    SandboxTimeout,
    SandboxUnavailable,
    run_sandboxed,
)
from kispub.core.storage import CHUNK_SIZE, Staged, TooLarge, get_storage
from kispub.dossier.files.errors import (
    MSG_CRASHED,
    MSG_EMPTY,
    MSG_MEMORY,
    MSG_TIMEOUT,
    MSG_TOO_LARGE,
    MSG_UNAVAILABLE,
    MSG_UNREADABLE,
    FileError,
    megabytes,
)
from kispub.dossier.files.inspect import inspect_file
from kispub.dossier.files.naming import safe_filename
from kispub.dossier.files.sniff import SNIFF_BYTES, TYPES, FileType, sniff

logger = logging.getLogger(__name__)

# A PDF renderer and an image decoder need room, but a file that needs more than this is
# refused rather than allowed to push the web server into swap.
MEMORY_LIMIT = 1 << 30
MAX_PAGES = 2000
MAX_PAGE_CM = 500  # ISO A0 is 119 cm; PDF readers themselves stop at 508 cm (200 inch)
MAX_PIXELS = 40_000_000  # a 4000 x 10000 infographic; decoded as RGBA: 160 MB
THUMBNAIL_WIDTH, THUMBNAIL_HEIGHT = 320, 480
LEAD_IMAGE_MAX_SIDE = 2400


@dataclass(frozen=True)
class Prepared:
    """A checked upload: the file to store (a PDF as sent, an image re-encoded), its
    thumbnails, and what was learned about it."""

    type: FileType
    filename: str
    main: Staged
    thumbnail: Staged
    fallback_thumbnail: Staged
    page_count: int | None
    width: int | None
    height: int | None


@contextmanager
def prepared_upload(
    stream: BinaryIO, filename: str | None, *, max_side: int | None = None
) -> Iterator[Prepared]:
    """Check an upload; :class:`FileError` with a Dutch message if it is refused.

    The staged files are removed on leaving, unless the service committed them to storage.
    """
    config = current_app.config
    max_bytes = int(config["DOSSIER_MAX_FILE_BYTES"])
    timeout = float(config["DOSSIER_FILE_TIMEOUT"])
    storage = get_storage()
    try:
        with storage.staged(stream, max_bytes) as staged:
            out_prefix = f"{staged.path}.out"
            try:
                yield _prepare(staged, filename, out_prefix, timeout, max_side)
            finally:
                for path in staged.path.parent.glob(staged.path.name + ".out*"):
                    path.unlink(missing_ok=True)
    except TooLarge as error:
        raise FileError(MSG_TOO_LARGE, limit=megabytes(max_bytes)) from error


def _prepare(
    staged: Staged, filename: str | None, out_prefix: str, timeout: float, max_side: int | None
) -> Prepared:
    if staged.size == 0:
        raise FileError(MSG_EMPTY)
    with staged.path.open("rb") as handle:
        sniff(handle.read(SNIFF_BYTES))  # refuse the obvious without starting a child
    limits = {
        "max_pages": MAX_PAGES,
        "max_page_cm": MAX_PAGE_CM,
        "max_pixels": MAX_PIXELS,
        "max_side": max_side,
        "thumbnail_width": THUMBNAIL_WIDTH,
        "thumbnail_height": THUMBNAIL_HEIGHT,
    }
    found = inspect(str(staged.path.resolve()), out_prefix, limits, timeout)
    kind = TYPES[found["type"]]
    main = staged if found["file"] is None else _output(out_prefix, found["file"])
    return Prepared(
        type=kind,
        filename=safe_filename(filename, kind.extension),
        main=main,
        thumbnail=_output(out_prefix, out_prefix + ".thumb.webp"),
        fallback_thumbnail=_output(out_prefix, out_prefix + ".thumb.png"),
        page_count=found["page_count"],
        width=found["width"],
        height=found["height"],
    )


def inspect(path: str, out_prefix: str, limits: dict[str, Any], timeout: float) -> dict[str, Any]:
    """Run :func:`inspect_file` in the sandbox; every way it can fail is a FileError."""
    try:
        found = run_sandboxed(
            inspect_file,
            path,
            out_prefix,
            limits,
            timeout=timeout,
            memory_limit=MEMORY_LIMIT,
            errors=(FileError,),
        )
    except FileError:
        raise
    except SandboxTimeout as error:
        raise FileError(MSG_TIMEOUT, seconds=f"{timeout:g}".replace(".", ",")) from error
    except SandboxMemoryError as error:
        raise FileError(MSG_MEMORY) from error
    except SandboxCrashed as error:
        raise FileError(MSG_CRASHED) from error
    except SandboxUnavailable as error:
        raise FileError(MSG_UNAVAILABLE) from error
    except Exception as error:  # any other failure of a parser on untrusted input
        logger.info("dossier file refused: %s", f"{type(error).__name__}: {error}"[:500])
        raise FileError(MSG_UNREADABLE) from error
    if not isinstance(found, dict) or found.get("type") not in TYPES:
        raise FileError(MSG_CRASHED)
    return found


def _output(out_prefix: str, path: Any) -> Staged:
    """A file the child wrote, as a staged file; only names beside the staged upload."""
    if not isinstance(path, str) or not path.startswith(out_prefix):
        raise FileError(MSG_CRASHED)
    target = Path(path)
    digest = hashlib.sha256()
    size = 0
    try:
        with target.open("rb") as handle:
            while chunk := handle.read(CHUNK_SIZE):
                size += len(chunk)
                digest.update(chunk)
    except OSError as error:
        raise FileError(MSG_CRASHED) from error
    return Staged(target, size, digest.hexdigest())

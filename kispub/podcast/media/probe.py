"""Probing an audio file: recognise, measure and describe it, inside the sandbox.

Some malformed files make mutagen loop forever or fail in unexpected ways, so the parsing runs
in a forked child with a time limit and a memory cap (:mod:`kispub.core.sandbox`); whatever
goes wrong there reaches the caller as an :class:`~kispub.podcast.media.formats.AudioError`
with a Dutch message. :func:`probe_file` is what the child runs; it dispatches to the
per-format probes (:mod:`~kispub.podcast.media.mp3`, :mod:`~kispub.podcast.media.m4a`,
:mod:`~kispub.podcast.media.ogg`), which this module imports up front so that the sandbox
server has them loaded before it forks.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any, BinaryIO

from kispub.core.sandbox import (
    SandboxCrashed,
    SandboxMemoryError,
    SandboxTimeout,
    SandboxUnavailable,
    run_sandboxed,
)
from kispub.podcast.media.formats import (
    MSG_CRASHED,
    MSG_EMPTY,
    MSG_INVALID,
    MSG_TOO_COMPLEX,
    MSG_UNAVAILABLE,
    MSG_UNREADABLE,
    SNIFF_BYTES,
    AudioError,
    AudioInfo,
    refusal_message,
    sniff_format,
    timeout_message,
)
from kispub.podcast.media.m4a import probe_m4a
from kispub.podcast.media.mp3 import probe_mp3
from kispub.podcast.media.ogg import probe_ogg

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 5.0
# A probe may use this much address space; a file that needs more is refused, not swapped.
MEMORY_LIMIT = 1 << 30

_PROBERS: dict[str, Callable[[BinaryIO, int, str], AudioInfo]] = {
    "mp3": probe_mp3,
    "m4a": probe_m4a,
    "ogg-vorbis": probe_ogg,
    "ogg-opus": probe_ogg,
}


def probe_audio(path: str | os.PathLike[str], timeout: float = DEFAULT_TIMEOUT) -> AudioInfo:
    """Describe the audio file at ``path``; raise :class:`AudioError` if it is not acceptable."""
    # Absolute, because the sandbox server keeps the working directory it was started in.
    where = os.path.abspath(path)
    try:
        result = run_sandboxed(
            probe_file, where, timeout=timeout, memory_limit=MEMORY_LIMIT, errors=(AudioError,)
        )
    except AudioError:
        raise
    except SandboxTimeout as error:
        raise AudioError(timeout_message(timeout)) from error
    except SandboxMemoryError as error:
        raise AudioError(MSG_TOO_COMPLEX) from error
    except SandboxCrashed as error:
        raise AudioError(MSG_CRASHED) from error
    except SandboxUnavailable as error:
        raise AudioError(MSG_UNAVAILABLE) from error
    except Exception as error:  # any parser failure on untrusted input (SandboxError too)
        logger.info("audio probe refused a file: %s", f"{type(error).__name__}: {error}"[:500])
        raise AudioError(MSG_INVALID) from error
    return AudioInfo.from_data(result)


def probe_file(path: str) -> dict[str, Any]:
    """Describe one audio file as plain data (runs in the sandbox child)."""
    return describe_file(path).to_data()


def describe_file(path: str) -> AudioInfo:
    """Open, recognise and describe one audio file."""
    try:
        fileobj = open(path, "rb")  # noqa: SIM115 - closed below; open() itself may fail
    except OSError as exc:
        raise AudioError(MSG_UNREADABLE) from exc
    with fileobj:
        size = os.fstat(fileobj.fileno()).st_size
        if size == 0:
            raise AudioError(MSG_EMPTY)
        head = fileobj.read(SNIFF_BYTES)
        fmt = sniff_format(head)
        if fmt is None:
            raise AudioError(refusal_message(head))
        return _PROBERS[fmt](fileobj, size, fmt)

"""The parsing that runs inside the probe child process (see :mod:`kispub.podcast.audio`).

It holds both halves of the probe server: :func:`serve`, the loop of the small helper
interpreter that forks one child per request, and :func:`probe_file`, what such a child runs.
Everything here may be slow or fail on hostile input; the time limit is enforced twice (the
parent stops waiting, the child's own timer kills it) and any failure reaches the caller as
an :class:`~kispub.podcast.audio.AudioError`. The module imports everything a probe needs up
front (the per-format modules :mod:`~kispub.podcast.probe_mp3`,
:mod:`~kispub.podcast.probe_m4a` and :mod:`~kispub.podcast.probe_ogg` included), so that each
forked child starts warm.
"""

from __future__ import annotations

import gc
import math
import os
import pickle
import resource
import signal
import socket
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, BinaryIO

from kispub.podcast._probe_common import image_mime
from kispub.podcast.audio import (
    MSG_EMPTY,
    MSG_INVALID,
    MSG_TOO_COMPLEX,
    MSG_UNREADABLE,
    SNIFF_BYTES,
    AudioError,
    AudioInfo,
    sniff_format,
)
from kispub.podcast.probe_m4a import aac_channel_config, probe_m4a
from kispub.podcast.probe_mp3 import id3_chapters, probe_mp3
from kispub.podcast.probe_ogg import probe_ogg, vorbis_chapters

# The public names of this module from before the per-format split stay importable from here.
__all__ = [
    "aac_channel_config",
    "id3_chapters",
    "image_mime",
    "probe_file",
    "refusal_message",
    "serve",
    "vorbis_chapters",
]

# A child may use this much address space; a file that needs more is refused, not swapped.
CHILD_MEMORY_LIMIT = 1 << 30
# The child kills itself this long after the parent has given up waiting for it.
CHILD_GRACE_SECONDS = 1.0
MAX_REQUEST_BYTES = 1 << 16

MSG_OGG_CODEC = "Dit Ogg-bestand bevat geen Vorbis- of Opus-audio."

# Well-known other formats, to tell the uploader what they actually sent.
_OTHER_FORMATS: tuple[tuple[bytes, int, str], ...] = (
    (b"WAVE", 8, "een WAV-bestand"),
    (b"fLaC", 0, "een FLAC-bestand"),
    (b"\x89PNG", 0, "een PNG-afbeelding"),
    (b"\xff\xd8\xff", 0, "een JPEG-afbeelding"),
    (b"GIF8", 0, "een GIF-afbeelding"),
    (b"%PDF", 0, "een PDF-document"),
    (b"PK\x03\x04", 0, "een ZIP-bestand (of Office-document)"),
    (b"\x1aE\xdf\xa3", 0, "een Matroska- of WebM-bestand"),
    (b"FORM", 0, "een AIFF-bestand"),
)


# --- the probe server and its children ---------------------------------------------------


def serve(control_fd: int) -> None:
    """Main loop of the probe server: fork one child per request until the parent goes away."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps children: no zombies
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent, which stops us
    gc.freeze()  # keep the warm heap shared with the children instead of copied on write
    control = socket.socket(fileno=control_fd)
    while True:
        message, fds, _flags, _addr = socket.recv_fds(control, MAX_REQUEST_BYTES, 4)
        if not message and not fds:
            os._exit(0)  # the parent closed its end (or exited)
        if len(fds) != 1:
            for fd in fds:
                os.close(fd)
            continue
        try:
            pid = os.fork()
        except OSError:
            pid = -1  # out of processes or memory: closing the socket tells the caller
        if pid == 0:
            control.close()
            _child(fds[0], message)  # never returns
        os.close(fds[0])


def _child(fd: int, message: bytes) -> None:
    """Body of a forked child: limit itself, run the request, answer, and exit."""
    code = 0
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        target, args, timeout = pickle.loads(message)  # noqa: S301 - sent by our own parent
        _limit_self(timeout)
        answer = _run(target, args)
        with Connection(fd, readable=False) as writer:
            writer.send(answer)
    except BaseException:
        code = 1
    finally:
        os._exit(code)  # skip the server's atexit handlers and buffered files


def _limit_self(timeout: float) -> None:
    """Bound the child's lifetime and memory, and keep crashes from writing core files."""
    # SIGALRM's default action ends the process, even inside a blocking open() or C code.
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.setitimer(signal.ITIMER_REAL, timeout + CHILD_GRACE_SECONDS)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    cpu = math.ceil(timeout + CHILD_GRACE_SECONDS) + 1
    _lower_limit(resource.RLIMIT_CPU, cpu)
    _lower_limit(resource.RLIMIT_AS, CHILD_MEMORY_LIMIT)


def _lower_limit(which: int, value: int) -> None:
    """Lower a soft resource limit to ``value`` unless it is already lower."""
    soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    if soft == resource.RLIM_INFINITY or soft > value:
        resource.setrlimit(which, (value, hard))


def _run(target: Callable[..., Any], args: tuple[Any, ...]) -> tuple[str, Any, str]:
    """Run the target; report ("ok", result, "") or ("error", Dutch message, detail)."""
    try:
        return ("ok", target(*args), "")
    except AudioError as exc:
        return ("error", str(exc), "")
    except MemoryError:
        return ("error", MSG_TOO_COMPLEX, "MemoryError")
    except Exception as exc:  # any parser failure on untrusted input is a refusal
        return ("error", MSG_INVALID, f"{type(exc).__name__}: {exc}"[:500])


# --- probing ---------------------------------------------------------------------------


def probe_file(path: str) -> AudioInfo:
    """Open, recognise and describe one audio file; raise AudioError if it is not acceptable."""
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


def refusal_message(head: bytes) -> str:
    """The Dutch refusal for an unrecognised file, naming its real type when we know it."""
    if head.startswith(b"OggS"):
        return MSG_OGG_CODEC
    for magic, offset, name in _OTHER_FORMATS:
        if head[offset : offset + len(magic)] == magic:
            return f"{MSG_INVALID} Het lijkt {name} te zijn."
    return MSG_INVALID


_PROBERS: dict[str, Callable[[BinaryIO, int, str], AudioInfo]] = {
    "mp3": probe_mp3,
    "m4a": probe_m4a,
    "ogg-vorbis": probe_ogg,
    "ogg-opus": probe_ogg,
}

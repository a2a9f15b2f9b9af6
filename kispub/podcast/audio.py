"""Audio intake for the podcast channel: recognise, measure and describe an uploaded episode.

Only MP3, M4A (AAC in an MP4 container) and Ogg (Vorbis or Opus) are accepted, recognised by
their content. Parsing untrusted files is done in a short-lived child process with a time
limit, because some malformed files make mutagen loop forever or fail in unexpected ways;
whatever goes wrong there reaches the caller as an :class:`AudioError` with a Dutch message.

The children are forked by a small single-threaded helper interpreter (the "probe server",
started on first use) that has the parsing code imported: each probe costs a fork of a warm
process, not a fresh interpreter, and no fork ever happens in the (possibly threaded) web
server. multiprocessing's own forkserver was not used because its children re-import the
parent's ``__main__`` script (e.g. ``gunicorn`` or ``pytest``) for every single process.
"""

from __future__ import annotations

import atexit
import logging
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from typing import Any

from kispub.podcast.mp3frames import id3v2_size, parse_header

logger = logging.getLogger(__name__)

__all__ = [
    "AudioError",
    "AudioInfo",
    "Chapter",
    "EmbeddedImage",
    "probe_audio",
    "sniff_format",
]

DEFAULT_TIMEOUT = 5.0
SEND_TIMEOUT = 5.0
_HERE = Path(__file__).resolve().parent
_PACKAGES = (("kispub", str(_HERE.parent)), ("kispub.podcast", str(_HERE)))
# The probe server registers the two packages bare, so that importing the probe code does
# not run kispub/__init__.py: the server then holds no Flask application, starts in a tenth
# of a second, stays small (cheap forks) and never runs application start-up code.
_BOOTSTRAP = """
import sys, types
sys.path[:0] = {path!r}
for name, where in {packages!r}:
    module = types.ModuleType(name)
    module.__path__ = [where]
    sys.modules[name] = module
from kispub.podcast._probe import serve
serve({fd})
"""

MSG_INVALID = "Dit bestand is geen geldig MP3-, M4A- of Ogg-audiobestand."
MSG_EMPTY = "Het bestand is leeg."
MSG_UNREADABLE = "Het audiobestand kon niet worden geopend."
MSG_CRASHED = (
    "Het audiobestand kon niet worden gelezen: de controle van het bestand liep vast. "
    "Controleer of het een geldig MP3-, M4A- of Ogg-bestand is."
)
MSG_TOO_COMPLEX = "Het audiobestand kon niet worden gelezen: het vraagt te veel geheugen."
MSG_UNAVAILABLE = "Het audiobestand kon nu niet worden gecontroleerd. Probeer het later opnieuw."


class AudioError(ValueError):
    """An uploaded file is not acceptable audio; ``str(error)`` is a Dutch message for the user."""


@dataclass(frozen=True)
class Chapter:
    """One chapter mark: start and optional end in milliseconds, and its title."""

    start_ms: int
    end_ms: int | None
    title: str


@dataclass(frozen=True)
class EmbeddedImage:
    """Cover art embedded in the audio file; ``mime_type`` is taken from the bytes themselves."""

    data: bytes
    mime_type: str


@dataclass(frozen=True)
class AudioInfo:
    """Everything the podcast channel needs to know about an accepted audio file."""

    format: str  # "mp3" | "m4a" | "ogg-vorbis" | "ogg-opus"
    mime_type: str  # "audio/mpeg" | "audio/mp4" | "audio/ogg"
    extension: str  # ".mp3" | ".m4a" | ".ogg" | ".opus"
    duration_ms: int
    bitrate: int  # bits per second: the encoder's figure when trustworthy, else the average
    sample_rate: int
    channels: int
    title: str | None
    artist: str | None
    chapters: tuple[Chapter, ...]
    image: EmbeddedImage | None
    audio_offset: int  # byte offset where the audio starts (after the ID3v2 tag); 0 otherwise
    bytes_per_second: float  # average audio bytes per second of playing time


FORMATS: dict[str, tuple[str, str]] = {
    "mp3": ("audio/mpeg", ".mp3"),
    "m4a": ("audio/mp4", ".m4a"),
    "ogg-vorbis": ("audio/ogg", ".ogg"),
    "ogg-opus": ("audio/ogg", ".opus"),
}
# How many leading bytes :func:`sniff_format` wants to see.
SNIFF_BYTES = 512


def sniff_format(head: bytes) -> str | None:
    """Recognise an accepted audio format from the first bytes of a file, or return None."""
    if _looks_like_mp3(head):
        return "mp3"
    if len(head) >= 12 and head[4:8] == b"ftyp" and int.from_bytes(head[:4], "big") >= 8:
        return "m4a"
    if head[:4] == b"OggS" and len(head) >= 28 and head[4] == 0 and head[5] & 0x02:
        packet = head[27 + head[26] :]
        if packet.startswith(b"\x01vorbis"):
            return "ogg-vorbis"
        if packet.startswith(b"OpusHead"):
            return "ogg-opus"
    return None


def _looks_like_mp3(head: bytes) -> bool:
    """An ID3v2 tag, or an MPEG Layer III frame header at the very start."""
    return id3v2_size(head) is not None or parse_header(head) is not None


def probe_audio(path: str | os.PathLike[str], timeout: float = DEFAULT_TIMEOUT) -> AudioInfo:
    """Describe the audio file at ``path``; raise :class:`AudioError` if it is not acceptable."""
    # Absolute, because the probe server keeps the working directory it was started in.
    result = run_in_child(_probe_file, (os.path.abspath(path),), timeout)
    if not isinstance(result, AudioInfo):
        raise AudioError(MSG_INVALID)
    return result


def _probe_file(path: str) -> AudioInfo:
    """Child-side entry point; imported lazily because ``_probe`` imports this module."""
    from kispub.podcast import _probe

    return _probe.probe_file(path)


def timeout_message(timeout: float) -> str:
    """The Dutch message for a probe that did not finish in time."""
    seconds = f"{timeout:g}".replace(".", ",")
    return f"Het bestand kon niet binnen {seconds} seconden worden gelezen."


def run_in_child(target: Callable[..., Any], args: tuple[Any, ...], timeout: float) -> Any:
    """Run ``target(*args)`` in a freshly forked child; its result, or AudioError on any failure.

    ``target`` must be importable by reference (a module-level function), like the targets
    of :mod:`multiprocessing`.
    """
    request = ForkingPickler.dumps((target, args, timeout))
    try:
        reader = _SERVER.submit(bytes(request))
    except OSError as exc:
        logger.exception("could not reach the audio probe server")
        raise AudioError(MSG_UNAVAILABLE) from exc
    with reader:
        return _receive(reader, timeout)


def _receive(reader: Connection, timeout: float) -> Any:
    """Wait for the child's answer for at most ``timeout`` seconds and unpack it."""
    if not reader.poll(timeout):
        raise AudioError(timeout_message(timeout))
    try:
        status, payload, detail = reader.recv()
    except (EOFError, OSError, ValueError, TypeError) as exc:
        # The child died (crash, signal, out of memory) before it could answer.
        raise AudioError(MSG_CRASHED) from exc
    if status == "ok":
        return payload
    if detail:
        logger.info("audio probe refused a file: %s", detail)
    raise AudioError(payload)


class _ProbeServer:
    """Client side of the probe fork server (:func:`kispub.podcast._probe.serve`).

    The server is a single-threaded helper interpreter with the parsing code imported. For
    each request it receives one end of a fresh socket pair and forks a child that answers
    on it. Because the fork happens in that helper, it is safe however many threads the web
    server runs; and because it is a fork of a warm interpreter, it costs milliseconds.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._ctrl: socket.socket | None = None

    def submit(self, request: bytes) -> Connection:
        """Hand a request to the server; return the connection the child will answer on."""
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            with self._lock:
                self._send(request, theirs)
        except BaseException:
            mine.close()
            raise
        finally:
            theirs.close()
        return Connection(mine.detach(), writable=False)

    def _send(self, request: bytes, fd_owner: socket.socket) -> None:
        """Send one request, restarting the server once if it has gone away."""
        for attempt in (1, 2):
            ctrl = self._ensure_running()
            try:
                socket.send_fds(ctrl, [request], [fd_owner.fileno()])
                return
            except OSError:
                self._stop()
                if attempt == 2:
                    raise

    def _ensure_running(self) -> socket.socket:
        """The control socket of a live server started by this process."""
        if self._proc is not None and self._proc.poll() is not None:
            self._stop()
        if self._ctrl is None:
            self._start()
        assert self._ctrl is not None
        return self._ctrl

    def after_fork_in_child(self) -> None:
        """In a forked process (e.g. a pre-forking web server's worker) start afresh.

        The server and its socket belong to the parent: sharing them would mix up answers.
        """
        self._lock = threading.Lock()  # another thread may have held it at the fork
        if self._ctrl is not None:
            self._ctrl.close()  # only this process's copy; the parent keeps its own
        if self._proc is not None:
            # Not our child, so never wait for it; marking it finished stops Popen from
            # warning at exit that it is "still running".
            self._proc.returncode = 0
        self._proc, self._ctrl = None, None

    def _start(self) -> None:
        """Launch the helper interpreter with a SEQPACKET control socket."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        ours.settimeout(SEND_TIMEOUT)  # a wedged server must not block callers forever
        code = _BOOTSTRAP.format(path=sys.path, packages=_PACKAGES, fd=theirs.fileno())
        try:
            self._proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-c", code],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
            )
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self._ctrl = ours

    def _stop(self) -> None:
        """Close the control socket (the server exits on EOF) and reap the server."""
        if self._ctrl is not None:
            self._ctrl.close()
        if self._proc is not None:
            try:
                self._proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc, self._ctrl = None, None

    def close(self) -> None:
        """Stop the server (at interpreter exit)."""
        with self._lock:
            self._stop()


_SERVER = _ProbeServer()
atexit.register(_SERVER.close)
os.register_at_fork(after_in_child=_SERVER.after_fork_in_child)

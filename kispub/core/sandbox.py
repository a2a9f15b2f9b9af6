"""Run a parser of untrusted files in a forked child with a time limit and a memory cap.

Parsers (mutagen, Pillow, pypdfium2) can loop forever, exhaust memory or crash on a hostile
file. :func:`run_sandboxed` runs one module-level function in a short-lived child process and
returns its result, or raises: the function's own exception (same type and message, when the
caller allows that type), or a :class:`SandboxError` when the child timed out, ran out of
memory, crashed, could not start or answered something that is not a well-formed answer.

The child's answer is JSON, never a pickle: a child that a hostile file took over could
otherwise make the parent run code while unpickling. Functions run here therefore return
plain data (dicts, lists, str, int, float, bool, None; tuples arrive as lists), and an
exception travels as its class names and message, rebuilt only as a class the caller allows.
A :class:`~kispub.core.refusals.Refusal` also carries its message id and parameters, so that
the caller can translate it (the child has no application, hence no locale).

The children are forked by a small single-threaded helper interpreter (the "sandbox server",
started on first use). Before forking, the server imports the function's module itself, so
every child starts warm: a call costs a fork, not a fresh interpreter, and no fork ever
happens in the (possibly threaded) web server. The project's own packages are registered bare
in the server (their ``__init__`` does not run), so it holds no Flask application, starts in
a tenth of a second and stays small. multiprocessing's forkserver was not used because its
children re-import the parent's ``__main__`` script (``gunicorn``, ``pytest``) every time.

The time limit is enforced twice: the caller stops waiting, and the child's own timer kills
it shortly after. This isolates hostile *input*; the function itself is trusted code.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import json
import logging
import math
import os
import pickle
import resource
import signal
import socket
import subprocess
import sys
import threading
import traceback
import types
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from typing import Any, TypeVar

from kispub.core.refusals import Refusal, Text

logger = logging.getLogger(__name__)

T = TypeVar("T")

# A child may use this much address space by default; beyond it allocations fail.
DEFAULT_MEMORY_LIMIT = 1 << 30
# The child kills itself this long after the caller has given up waiting for it.
GRACE_SECONDS = 1.0
SEND_TIMEOUT = 5.0  # a wedged server must not block callers forever
MAX_REQUEST_BYTES = 1 << 16
# The largest answer read from a child (a probe's embedded cover art travels as base64).
MAX_ANSWER_BYTES = 64 << 20
# Exceptions that may come back as themselves without being named by the caller: they carry
# nothing but a message. Everything else must be listed in ``errors=``.
PLAIN_ERRORS: tuple[type[Exception], ...] = (
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    LookupError,
    OSError,
    EOFError,
    ArithmeticError,
    RuntimeError,
    NotImplementedError,
)
_ROOT = Path(__file__).resolve().parents[1]  # the kispub package
_BOOTSTRAP = """
import sys, types
sys.path[:0] = {path!r}
root = types.ModuleType({name!r})
root.__path__ = [{root!r}]
sys.modules[{name!r}] = root
from kispub.core.sandbox import serve
serve({fd})
"""


class SandboxError(Exception):
    """The sandboxed call did not finish normally."""


class SandboxTimeout(SandboxError):
    """The function did not return within its time limit."""


class SandboxMemoryError(SandboxError):
    """The function needed more memory than the child may use."""


class SandboxCrashed(SandboxError):
    """The child died without answering (a signal, a segfault, ``os._exit``)."""


class SandboxUnavailable(SandboxError):
    """The sandbox server could not be reached."""


def run_sandboxed(
    func: Callable[..., T],
    *args: Any,
    timeout: float,
    memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
    errors: tuple[type[Exception], ...] = (),
) -> T:
    """Run ``func(*args)`` in a forked child; its result, or its exception re-raised here.

    ``func`` must be importable by reference (a module-level function) and its arguments
    picklable, as with :mod:`multiprocessing`; pass files by path (the request is limited to
    64 KiB). Its result must be plain JSON data. An exception it raises comes back as the
    nearest of its classes found in ``errors`` or :data:`PLAIN_ERRORS`, built from its
    message alone; any other is a :class:`SandboxError`. ``memory_limit`` caps the child's
    address space in bytes (RLIMIT_AS); None leaves it as inherited.
    """
    module = getattr(func, "__module__", None) or ""
    request = (
        module.encode() + b"\0" + bytes(ForkingPickler.dumps((func, args, timeout, memory_limit)))
    )
    if len(request) > MAX_REQUEST_BYTES:
        raise ValueError("the arguments are too large for the sandbox: pass a file path")
    try:
        reader = _SERVER.submit(request)
    except OSError as exc:
        logger.exception("could not reach the sandbox server")
        raise SandboxUnavailable("the sandbox server could not be reached") from exc
    with reader:
        return _receive(reader, timeout, errors)


def server_pid() -> int | None:
    """The process id of this process's sandbox server, if it is running."""
    return _SERVER.pid


def _receive(reader: Connection, timeout: float, errors: tuple[type[Exception], ...]) -> Any:
    """Wait for the child's answer for at most ``timeout`` seconds and read it as JSON."""
    if not reader.poll(timeout):
        raise SandboxTimeout(f"no answer within {timeout:g} seconds")
    try:
        raw = reader.recv_bytes(MAX_ANSWER_BYTES)
    except EOFError as exc:
        raise SandboxCrashed("the child died before it answered") from exc
    except OSError as exc:  # cut off mid-answer, or longer than MAX_ANSWER_BYTES
        raise SandboxError(f"unreadable answer: {exc}") from exc
    try:
        answer = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # not JSON, or absurdly deep or long
        raise SandboxError(f"unreadable answer: {type(exc).__name__}") from exc
    return _unpack(answer, errors)


def _unpack(answer: Any, errors: tuple[type[Exception], ...]) -> Any:
    """The result of a well-formed answer, or the exception it describes raised here."""
    status = answer.get("status") if isinstance(answer, dict) else None
    if status == "ok" and "result" in answer:
        return answer["result"]
    if status == "memory":
        raise SandboxMemoryError("the child ran out of memory")
    if status == "unplain":
        raise SandboxError(f"the function returned something that is not plain data: {answer}")
    error = answer.get("error") if status == "raised" else None
    if not isinstance(error, dict):
        raise SandboxError("malformed answer from the sandbox")
    names, message, trace = error.get("types"), error.get("message"), error.get("trace")
    if not isinstance(names, list) or not isinstance(message, str):
        raise SandboxError("malformed answer from the sandbox")
    rebuilt = _rebuild(names, Text.from_data(error.get("text")) or message, errors)
    if rebuilt is None:
        first = names[0] if names and isinstance(names[0], str) else "Exception"
        raise SandboxError(f"{first.rpartition('.')[2]}: {message}"[:500])
    if isinstance(trace, str):
        rebuilt.add_note(f"raised in the sandbox:\n{trace[-4000:]}")
    raise rebuilt


def _rebuild(
    names: list[Any], message: Text | str, errors: tuple[type[Exception], ...]
) -> Exception | None:
    """An instance of the first class in ``names`` (the child's MRO) that may travel.

    A :class:`Refusal` is rebuilt from its :class:`Text`; any other class from the text alone.
    """
    allowed = {_qualified(cls): cls for cls in (*errors, *PLAIN_ERRORS)}
    for name in names:
        cls = allowed.get(name) if isinstance(name, str) else None
        if cls is None:
            continue
        try:
            return cls(message if issubclass(cls, Refusal) else str(message))
        except Exception:  # a class that wants other arguments: not rebuilt
            return None
    return None


def _qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


# --- the server, in its own interpreter --------------------------------------------------


def serve(control_fd: int) -> None:
    """Main loop of the sandbox server: fork one child per request until the parent goes away."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps children: no zombies
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent, which stops us
    control = socket.socket(fileno=control_fd)
    while True:
        message, fds, _flags, _addr = socket.recv_fds(control, MAX_REQUEST_BYTES, 4)
        if not message and not fds:
            os._exit(0)  # the parent closed its end (or exited)
        if len(fds) != 1:
            for fd in fds:
                os.close(fd)
            continue
        module, _, payload = message.partition(b"\0")
        _warm(module.decode(errors="replace"))
        try:
            pid = os.fork()
        except OSError:
            pid = -1  # out of processes or memory: closing the socket tells the caller
        if pid == 0:
            control.close()
            _child(fds[0], payload)  # never returns
        os.close(fds[0])


def _warm(module: str) -> None:
    """Import the function's module here, once, so that every child starts with it loaded."""
    if not module or module in sys.modules:
        return
    parts = module.split(".")
    for depth in range(2, len(parts)):  # the project's packages bare: no app start-up code
        _bare_package(".".join(parts[:depth]))
    try:
        importlib.import_module(module)
    except Exception:
        logger.exception("sandbox server could not import %s", module)
    gc.freeze()  # keep the warm heap shared with the children instead of copied on write


def _bare_package(name: str) -> None:
    """Register a package of the project without running its ``__init__``."""
    parent_name, _, last = name.rpartition(".")
    parent = sys.modules.get(parent_name)
    if name in sys.modules or parent is None or parent_name.split(".")[0] != _ROOT.name:
        return
    where = Path(getattr(parent, "__path__", [""])[0]) / last
    if (where / "__init__.py").is_file():
        package = types.ModuleType(name)
        package.__path__ = [str(where)]
        sys.modules[name] = package


def _child(fd: int, payload: bytes) -> None:
    """Body of a forked child: limit itself, run the request, answer, and exit."""
    code = 0
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        func, args, timeout, memory_limit = pickle.loads(payload)  # noqa: S301 - from our parent
        _limit_self(timeout, memory_limit)
        answer = _run(func, args)
        with Connection(fd, readable=False) as writer:
            writer.send_bytes(answer)
    except BaseException:
        code = 1
    finally:
        os._exit(code)  # skip the server's atexit handlers and buffered files


def _limit_self(timeout: float, memory_limit: int | None) -> None:
    """Bound the child's lifetime and memory, and keep crashes from writing core files."""
    # SIGALRM's default action ends the process, even inside a blocking open() or C code.
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.setitimer(signal.ITIMER_REAL, timeout + GRACE_SECONDS)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    _lower_limit(resource.RLIMIT_CPU, math.ceil(timeout + GRACE_SECONDS) + 1)
    if memory_limit is not None:
        _lower_limit(resource.RLIMIT_AS, memory_limit)


def _lower_limit(which: int, value: int) -> None:
    """Lower a soft resource limit to ``value`` unless it is already lower."""
    soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    if soft == resource.RLIM_INFINITY or soft > value:
        resource.setrlimit(which, (value, hard))


def _run(func: Callable[..., Any], args: tuple[Any, ...]) -> bytes:
    """Run the function and encode what happened as a JSON answer."""
    try:
        result = func(*args)
    except MemoryError:
        return _encode({"status": "memory"})
    except Exception as exc:
        error: dict[str, Any] = {
            "types": [_qualified(cls) for cls in type(exc).__mro__],
            "message": str(exc)[:2000],
            "trace": "".join(traceback.format_exception(exc))[-4000:],
        }
        if isinstance(exc, Refusal):
            error["text"] = exc.text.to_data()
        return _encode({"status": "raised", "error": error})
    try:
        return _encode({"status": "ok", "result": result})
    except (TypeError, ValueError):  # not JSON-able: the function broke its contract
        return _encode({"status": "unplain", "type": type(result).__name__})
    except MemoryError:
        return _encode({"status": "memory"})


def _encode(answer: dict[str, Any]) -> bytes:
    return json.dumps(answer, ensure_ascii=False, allow_nan=True).encode()


# --- the client, in the caller's process ---------------------------------------------------


class _SandboxServer:
    """Client side of the sandbox server (:func:`serve`).

    For each request the server receives one end of a fresh socket pair and forks a child
    that answers on it. Because the fork happens in that single-threaded helper, it is safe
    however many threads the web server runs.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._ctrl: socket.socket | None = None

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs."""
        proc = self._proc
        return proc.pid if proc is not None and proc.poll() is None else None

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
        ours.settimeout(SEND_TIMEOUT)
        code = _BOOTSTRAP.format(
            path=sys.path, name=_ROOT.name, root=str(_ROOT), fd=theirs.fileno()
        )
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


_SERVER = _SandboxServer()
atexit.register(_SERVER.close)
os.register_at_fork(after_in_child=_SERVER.after_fork_in_child)

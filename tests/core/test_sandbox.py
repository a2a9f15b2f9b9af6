"""The forked, time-limited sandbox that parsers of untrusted files run in."""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

import pytest
from PIL import Image

from kispub.core import sandbox
from kispub.core.refusals import N_, Refusal, Text
from kispub.core.sandbox import (
    SandboxCrashed,
    SandboxMemoryError,
    SandboxTimeout,
    run_sandboxed,
    server_pid,
)
from tests.processes import no_sandbox_children_left, wait_until

# The PostgreSQL run skips it: what it tests does not depend on the database.
pytestmark = pytest.mark.dialect_free

FIXTURES = Path(__file__).parents[1] / "podcast" / "fixtures"


class ParseRefused(ValueError):
    """A parser's own error class, which must come back as itself."""


def add(a: int, b: int) -> int:
    return a + b


def refuse(message: str) -> None:
    raise ParseRefused(message)


class FileRefused(Refusal):
    """A refusal whose message id and parameters must survive the trip."""


TOO_LARGE = N_("Het bestand %(name)s is %(kind)s van %(size)s MB.")


def refuse_with_text(size: float) -> None:
    raise FileRefused(TOO_LARGE, name="a.pdf", kind=Text("een PDF-document"), size=size)


class NeedsTwoArguments(Exception):
    def __init__(self, first: str, second: str) -> None:
        super().__init__(f"{first} {second}")


def raise_unpicklable() -> None:
    raise NeedsTwoArguments("kan", "niet")


def answer_with(raw: bytes) -> None:
    """A child taken over by a hostile file: it writes its own bytes as the answer."""
    for entry in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{entry}").startswith("socket:"):
                Connection(int(entry), readable=False).send_bytes(raw)
        except OSError:
            continue
    os._exit(0)


class Explode:
    """Unpickling this would run a shell command in whoever unpickles it."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Callable[..., object], tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def return_bytes() -> bytes:
    return b"niet te coderen"


class LocalRefusal(ValueError):
    """Not named by the caller; its nearest plain ancestor (ValueError) travels."""


def refuse_locally() -> None:
    raise LocalRefusal("lokaal geweigerd")


def allocate(size: int) -> int:
    return len(bytearray(size))


def segfault() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def image_facts(path: str) -> tuple[str, int, int, str]:  # arrives as a list
    """What a dossier parser would learn from an image: decoded inside the sandbox."""
    with Image.open(path) as image:
        image.load()
        return str(image.format), image.width, image.height, image.mode


@pytest.fixture(autouse=True)
def _warm() -> None:
    """A running server, so that timings measure only the call."""
    assert run_sandboxed(add, 1, 1, timeout=10) == 2


def test_a_function_that_returns() -> None:
    assert run_sandboxed(add, 2, 3, timeout=5) == 5
    assert run_sandboxed(os.getpid, timeout=5) not in (os.getpid(), server_pid())


def test_the_functions_own_error_comes_back_with_its_message() -> None:
    with pytest.raises(ParseRefused) as caught:
        run_sandboxed(refuse, "Dit bestand is kapot.", timeout=5, errors=(ParseRefused,))
    assert str(caught.value) == "Dit bestand is kapot."
    assert any("raised in the sandbox" in note for note in caught.value.__notes__)
    with pytest.raises(ValueError, match="invalid literal"):
        run_sandboxed(int, "geen getal", timeout=5)


def test_an_error_that_cannot_travel_becomes_a_sandbox_error() -> None:
    with pytest.raises(sandbox.SandboxError, match="NeedsTwoArguments: kan niet"):
        run_sandboxed(raise_unpicklable, timeout=5)


def test_a_hanging_function_times_out_and_leaves_no_process() -> None:
    started = time.monotonic()
    with pytest.raises(SandboxTimeout):
        run_sandboxed(time.sleep, 30, timeout=0.5)
    assert time.monotonic() - started < 1.5
    assert wait_until(no_sandbox_children_left, 3.0)


@pytest.mark.parametrize(
    ("func", "args"),
    [(os._exit, (3,)), (os.abort, ()), (segfault, ())],
    ids=["exit", "abort", "segv"],
)
def test_a_child_that_kills_itself_is_a_clean_error(
    func: Callable[..., object], args: tuple[object, ...]
) -> None:
    started = time.monotonic()
    with pytest.raises(SandboxCrashed):
        run_sandboxed(func, *args, timeout=5)
    assert time.monotonic() - started < 2.0  # an EOF, long before the time limit
    assert wait_until(no_sandbox_children_left, 3.0)


def test_memory_is_capped() -> None:
    with pytest.raises(SandboxMemoryError):
        run_sandboxed(bytearray, 4 << 30, timeout=5)  # the default cap is 1 GiB
    with pytest.raises(SandboxMemoryError):
        run_sandboxed(allocate, 256 << 20, timeout=5, memory_limit=128 << 20)
    assert run_sandboxed(allocate, 256 << 20, timeout=5, memory_limit=None) == 256 << 20


def test_pillow_parses_an_image_inside_the_sandbox() -> None:
    facts = run_sandboxed(image_facts, str(FIXTURES / "cover_1400.jpg"), timeout=10)
    assert facts == ["JPEG", 1400, 1400, "RGB"]  # JSON: a tuple comes back as a list
    with pytest.raises(OSError, match="truncated"):
        run_sandboxed(image_facts, str(FIXTURES / "cover_truncated.jpg"), timeout=10)


def test_large_arguments_are_refused_before_anything_runs() -> None:
    with pytest.raises(ValueError, match="pass a file path"):
        run_sandboxed(len, b"x" * (1 << 20), timeout=5)


def test_the_server_restarts_after_being_killed() -> None:
    pid = server_pid()
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    assert wait_until(lambda: server_pid() is None, 3.0)
    assert run_sandboxed(add, 1, 2, timeout=10) == 3
    assert server_pid() not in (None, pid)


def test_concurrent_calls_from_threads() -> None:
    results: dict[int, int] = {}

    def work(index: int) -> None:
        results[index] = run_sandboxed(add, index, 100, timeout=10)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert results == {i: i + 100 for i in range(16)}


FORK_SCRIPT = """
import os
from kispub.core.sandbox import run_sandboxed, server_pid
assert run_sandboxed(abs, -1, timeout=10) == 1
server = server_pid()
pid = os.fork()
if pid == 0:  # like a pre-forking web server's worker: it must get a server of its own
    ok = run_sandboxed(abs, -2, timeout=10) == 2 and server_pid() not in (None, server)
    os._exit(0 if ok else 1)
_, status = os.waitpid(pid, 0)
assert os.waitstatus_to_exitcode(status) == 0, status
assert run_sandboxed(abs, -3, timeout=10) == 3 and server_pid() == server
print("fork-ok")
"""


def test_forked_processes_get_their_own_server() -> None:
    # In a fresh interpreter: forking the (possibly threaded) test runner itself is unwise.
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", FORK_SCRIPT],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parents[2],
        check=False,
    )
    assert result.stdout.strip() == "fork-ok", result.stderr
    assert result.stderr == ""  # no ResourceWarning about the parent's server at exit


def test_the_function_s_own_error_needs_the_callers_permission() -> None:
    with pytest.raises(ValueError, match="kapot") as refused:
        run_sandboxed(refuse, "Dit bestand is kapot.", timeout=5)
    assert type(refused.value) is ValueError  # not named: its nearest plain class
    with pytest.raises(ValueError, match="lokaal geweigerd") as caught:
        run_sandboxed(refuse_locally, timeout=5)
    assert type(caught.value) is ValueError


def test_a_result_that_is_not_plain_data_is_a_sandbox_error() -> None:
    with pytest.raises(sandbox.SandboxError, match="not plain data"):
        run_sandboxed(return_bytes, timeout=5)


def test_a_crafted_pickle_from_the_child_is_never_unpickled(tmp_path: Path) -> None:
    marker = tmp_path / "exploded"
    crafted = pickle.dumps(("ok", Explode(str(marker)), ""))
    with pytest.raises(sandbox.SandboxError, match="unreadable answer"):
        run_sandboxed(answer_with, crafted, timeout=5)
    time.sleep(0.2)
    assert not marker.exists()


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff garbage",
        b"[1, 2, 3]",
        b'{"status": "ok"}',
        b'{"status": "raised", "error": "ValueError"}',
        b'{"status": "raised", "error": {"types": "builtins.ValueError", "message": "x"}}',
        b'{"status": "verzonnen"}',
        b"[" * 30_000,
        b"1" * 30_000,
    ],
    ids=lambda raw: repr(raw[:30]),
)
def test_garbage_from_the_child_is_a_clean_sandbox_error(raw: bytes) -> None:
    with pytest.raises(sandbox.SandboxError):
        run_sandboxed(answer_with, raw, timeout=5)


@pytest.mark.parametrize(
    "names",
    [
        ["builtins.SystemExit"],
        ["builtins.KeyboardInterrupt"],
        ["os.system"],
        ["subprocess.Popen"],
        ["tests.core.test_sandbox.Explode"],
    ],
)
def test_a_claimed_exception_outside_the_allowed_set_is_not_built(
    tmp_path: Path, names: list[str]
) -> None:
    message = f"touch {tmp_path / 'exploded'}"
    raw = json.dumps({"status": "raised", "error": {"types": names, "message": message}})
    with pytest.raises(sandbox.SandboxError) as caught:
        run_sandboxed(answer_with, raw.encode(), timeout=5)
    assert type(caught.value) is sandbox.SandboxError
    assert not (tmp_path / "exploded").exists()


def test_a_claimed_plain_exception_is_only_a_message() -> None:
    raw = json.dumps(
        {"status": "raised", "error": {"types": ["builtins.OSError"], "message": "kapot"}}
    )
    with pytest.raises(OSError, match="kapot"):
        run_sandboxed(answer_with, raw.encode(), timeout=5)


def test_a_refusal_comes_back_with_its_message_id_and_parameters() -> None:
    with pytest.raises(FileRefused) as caught:
        run_sandboxed(refuse_with_text, 2.5, timeout=5, errors=(FileRefused,))
    assert caught.value.text == Text(
        TOO_LARGE, {"name": "a.pdf", "kind": Text("een PDF-document"), "size": 2.5}
    )
    assert str(caught.value) == "Het bestand a.pdf is een PDF-document van 2.5 MB."


@pytest.mark.parametrize(
    "text",
    [
        {"msgid": 5, "params": {}},
        {"msgid": "%(x)s", "params": {"x": True}},
        {"msgid": "%(x)s", "params": {"x": ["lijst"]}},
        {"msgid": "%(x)s", "params": []},
        {"msgid": "%(x)s", "params": {"x": {"msgid": "%(x)s", "params": {"x": {"msgid": 1}}}}},
        "Dit is geen tekst.",
    ],
)
def test_a_malformed_message_id_falls_back_to_the_message(text: object) -> None:
    names = [f"{__name__}.FileRefused", "builtins.ValueError"]
    error = {"types": names, "message": "kapot", "text": text}
    raw = json.dumps({"status": "raised", "error": error})
    with pytest.raises(FileRefused) as caught:
        run_sandboxed(answer_with, raw.encode(), timeout=5, errors=(FileRefused,))
    assert caught.value.text == Text("kapot")

"""Looking at other processes from a test: the process table, local servers, waiting."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import redis

from kispub.core.sandbox import server_pid


def redis_reachable(url: str = "redis://127.0.0.1:6379/0") -> bool:
    """Whether a Redis server answers at ``url`` (tests that need one skip otherwise)."""
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        client.ping()
        client.close()
    except (redis.RedisError, OSError):
        return False
    return True


def process_table() -> dict[int, tuple[int, str]]:
    """pid -> (ppid, state) for every process visible in /proc."""
    found: dict[int, tuple[int, str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        found[int(entry)] = (int(fields[1]), fields[0])
    return found


def no_sandbox_children_left() -> bool:
    """No child of the sandbox server is alive, and nothing of ours is a zombie."""
    server, me = server_pid(), os.getpid()
    procs = process_table()
    zombies = [pid for pid, (ppid, state) in procs.items() if ppid in (me, server) and state == "Z"]
    children = [pid for pid, (ppid, _) in procs.items() if ppid == server]
    return not zombies and not children


def wait_until(check: Callable[[], bool], seconds: float) -> bool:
    """Poll ``check`` until it is true or ``seconds`` have passed; its last answer."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()

"""Peak memory of the stack (nginx, gunicorn, the worker) while many clients download a file."""

from __future__ import annotations

import http.client
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit


@dataclass
class Memory:
    """RSS of the stack's processes before and during concurrent downloads."""

    idle_mb: float
    peak_mb: float
    peak_worker_mb: float  # the largest single process
    seconds: float
    processes: int


def _rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _family(master: int) -> list[int]:
    """The master and its direct children (the workers)."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                children.append(int(entry.name))
    return [master, *children]


def download_memory(
    url: str, masters: list[int], size: int, clients: int, user_agent: str
) -> Memory:
    """Peak RSS of the given processes and their children while ``clients`` fetch the file."""
    pids = [pid for master in masters for pid in _family(master)]
    for n in range(2 * len(pids)):  # warm up: each worker has served the file before
        request = urllib.request.Request(url, headers={"User-Agent": f"warm-up #{n}"})
        with urllib.request.urlopen(request) as response:
            response.read()
    idle = sum(_rss_mb(p) for p in pids)
    peak, peak_worker, done = idle, 0.0, threading.Event()

    def sample() -> None:
        nonlocal peak, peak_worker
        while not done.is_set():
            sizes = [_rss_mb(p) for p in pids]
            peak, peak_worker = max(peak, sum(sizes)), max(peak_worker, *sizes)
            time.sleep(0.02)

    def download(n: int) -> None:
        # Half the clients take the file whole (sendfile), half in 4 MB ranges like a player
        # (copied through Python in blocks).
        parts = urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        step = size if n % 2 else 4 * 2**20
        received = 0
        for start in range(0, size, step):
            headers = {"User-Agent": f"{user_agent} #{n}"}
            if step < size:
                headers["Range"] = f"bytes={start}-{min(start + step, size) - 1}"
            connection.request("GET", parts.path, headers=headers)
            response = connection.getresponse()
            while chunk := response.read(256 * 1024):
                received += len(chunk)
        connection.close()
        assert received == size, (received, size)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.monotonic()
    threads = [threading.Thread(target=download, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    done.set()
    sampler.join()
    return Memory(idle, peak, peak_worker, elapsed, len(pids))

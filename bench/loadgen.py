"""Load generators for bench/run.py: wrk when installed, else Python threads with keep-alive."""

from __future__ import annotations

import http.client
import random
import re
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

CONNECTIONS = 16
UNITS = {"B": 1 / 2**20, "KB": 1 / 2**10, "MB": 1.0, "GB": 2**10}


@dataclass(frozen=True)
class LoadResult:
    """What a run achieved."""

    rps: float
    mb_per_s: float
    errors: int = 0


def _lua(headers: dict[str, str], size: int | None, chunk: int | None) -> str:
    # Lua long brackets: header values (ETags) contain double quotes.
    lines = [f'wrk.headers["{name}"] = [[{value}]]' for name, value in headers.items()]
    if size and chunk:
        lines += [
            "math.randomseed(20261129)",
            "request = function()",
            f"  local start = math.random(0, {size - chunk})",
            f'  wrk.headers["Range"] = "bytes=" .. start .. "-" .. (start + {chunk - 1})',
            "  return wrk.format()",
            "end",
        ]
    return "\n".join(lines) + "\n"


def wrk_load(
    wrk: str,
    url: str,
    seconds: float,
    user_agent: str,
    headers: dict[str, str] | None = None,
    size: int | None = None,
    chunk: int | None = None,
) -> LoadResult:
    """Run wrk with two threads and CONNECTIONS connections."""
    script = _lua({"User-Agent": user_agent, **(headers or {})}, size, chunk)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        output = subprocess.run(
            [wrk, "-t2", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "-s", handle.name, url],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        Path(handle.name).unlink()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    amount, unit = re.search(r"Transfer/sec:\s+([\d.]+)(\w+)", output).groups()  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    for problem in (errors, re.search(r"Socket errors: .*", output)):
        if problem:
            print(f"  warning, {url}: {problem.group(0)}")
    return LoadResult(rps, float(amount) * UNITS[unit], int(errors.group(1)) if errors else 0)


def python_load(
    url: str,
    seconds: float,
    user_agent: str,
    headers: dict[str, str] | None = None,
    size: int | None = None,
    chunk: int | None = None,
) -> LoadResult:
    """Keep-alive connections in threads, each sending requests until the time is up."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    deadline = time.monotonic() + seconds
    counts = [[0, 0, 0] for _ in range(CONNECTIONS)]  # requests, bytes, errors

    def worker(slot: list[int], seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311 - load pattern, not secrets
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        while time.monotonic() < deadline:
            sent = {"User-Agent": user_agent, **(headers or {})}
            if size and chunk:
                start = rng.randrange(size - chunk)
                sent["Range"] = f"bytes={start}-{start + chunk - 1}"
            connection.request("GET", path, headers=sent)
            response = connection.getresponse()
            body = response.read()
            slot[0] += 1
            slot[1] += len(body)
            slot[2] += response.status >= 400
        connection.close()

    threads = [threading.Thread(target=worker, args=(c, n)) for n, c in enumerate(counts)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    requests, received, errors = (sum(c[i] for c in counts) for i in range(3))
    return LoadResult(requests / elapsed, received / elapsed / 2**20, errors)

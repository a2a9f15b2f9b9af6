"""Run the development web server and the job worker together; Ctrl-C stops both.

`make run` calls this after `init-db` and `demo`. Either process ending stops the other,
so a crash is never hidden behind a server that still answers.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

FLASK = str(Path(sys.executable).with_name("flask"))
COMMANDS = {
    "web": [FLASK, "--app", "kispub", "run", "--host", "127.0.0.1", "--port", "5000"],
    "worker": [FLASK, "--app", "kispub", "worker", "--workers", "2"],
}


def main() -> int:
    """Start both, wait until one ends or Ctrl-C, then stop the other."""
    processes = {name: subprocess.Popen(cmd) for name, cmd in COMMANDS.items()}  # noqa: S603
    signal.signal(signal.SIGTERM, lambda *_: _stop(processes))
    try:
        while all(p.poll() is None for p in processes.values()):
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass  # the terminal sent SIGINT to the whole group; fall through to stop them
    _stop(processes)
    return max(p.returncode or 0 for p in processes.values())


def _stop(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    for process in processes.values():
        if process.poll() is None:
            process.terminate()
    for process in processes.values():
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


if __name__ == "__main__":
    sys.exit(main())

"""The servers the benchmarks run: gunicorn with the app, and plain nginx as the reference."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, timeout: float = 20.0) -> None:
    """Wait until something accepts connections on the port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


@contextmanager
def gunicorn_server(
    gunicorn: Path, env: dict[str, str], workers: int, threads: int
) -> Iterator[tuple[int, int]]:
    """gunicorn (gthread) with the app on a free port; yields (port, master pid)."""
    port = free_port()
    env = {**os.environ, **env}
    command = [str(gunicorn), "--workers", str(workers), "--worker-class", "gthread",
               "--threads", str(threads), "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT),
               "--log-level", "warning", "wsgi:app"]  # fmt: skip
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    try:
        wait_for(port)
        time.sleep(0.5)  # let both workers boot
        yield port, process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


@contextmanager
def nginx_server(nginx: str, folder: Path, root: Path, workers: int) -> Iterator[int]:
    """Plain nginx serving ``root`` as files, with no app: the reference.

    As a stock installation serves files: nginx's defaults, its access log in the default
    (combined) format as Debian's nginx.conf has it, sendfile and gzip_static; no headers,
    no JSON. A ratio to it measures what the shipped configuration adds. Yields its port;
    its config, pid, log and temp files live in ``folder``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    conf = folder / "nginx.conf"
    temp = folder / "nginx-temp"
    temp.mkdir(exist_ok=True)
    conf.write_text(
        textwrap.dedent(f"""\
        worker_processes {workers};
        daemon off;
        pid {folder / "nginx.pid"};
        error_log {folder / "nginx-error.log"} warn;
        {"user root;" if os.geteuid() == 0 else ""}
        events {{ worker_connections 1024; }}
        http {{
          access_log {folder / "access.log"};
          sendfile on;
          tcp_nopush on;
          types {{ audio/mpeg mp3; application/rss+xml xml; text/calendar ics; }}
          client_body_temp_path {temp}/body;
          proxy_temp_path {temp}/proxy;
          fastcgi_temp_path {temp}/fastcgi;
          uwsgi_temp_path {temp}/uwsgi;
          scgi_temp_path {temp}/scgi;
          server {{
            listen 127.0.0.1:{port};
            root {root};
            gzip_static on;
          }}
        }}
    """)
    )
    process = subprocess.Popen([nginx, "-c", str(conf), "-p", str(folder),
                                "-e", str(folder / "nginx-error.log")])  # fmt: skip
    try:
        wait_for(port)
        yield port
    finally:
        process.send_signal(signal.SIGQUIT)
        process.wait(timeout=30)

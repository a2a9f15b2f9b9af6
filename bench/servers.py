"""The servers the benchmark runs: gunicorn with the app, nginx for files and X-Accel."""

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
def nginx_server(
    nginx: str, folder: Path, media: Path, app_port: int, workers: int
) -> Iterator[tuple[int, int]]:
    """nginx serving the media root, and proxying to the app with X-Accel-Redirect.

    Yields (static port, proxy port); its config, pid and temp files live in ``folder``.
    """
    static_port, proxy_port = free_port(), free_port()
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
          access_log off;
          sendfile on;
          tcp_nopush on;
          keepalive_requests 1000000;
          types {{ audio/mpeg mp3; application/rss+xml xml; }}
          client_body_temp_path {temp}/body;
          proxy_temp_path {temp}/proxy;
          fastcgi_temp_path {temp}/fastcgi;
          uwsgi_temp_path {temp}/uwsgi;
          scgi_temp_path {temp}/scgi;
          server {{
            listen 127.0.0.1:{static_port};
            root {media};
            gzip_static on;
          }}
          upstream app {{ server 127.0.0.1:{app_port}; keepalive 32; }}
          server {{
            listen 127.0.0.1:{proxy_port};
            location / {{
              proxy_pass http://app;
              proxy_http_version 1.1;
              proxy_set_header Connection "";
              proxy_set_header Host $host;
            }}
            location /protected-media/ {{ internal; alias {media}/; }}
          }}
        }}
    """)
    )
    process = subprocess.Popen([nginx, "-c", str(conf), "-p", str(folder)])
    try:
        wait_for(static_port)
        wait_for(proxy_port)
        yield static_port, proxy_port
    finally:
        process.send_signal(signal.SIGQUIT)
        process.wait(timeout=30)

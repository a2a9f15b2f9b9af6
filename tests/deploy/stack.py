"""The production stack of deploy/ as real processes: nginx, gunicorn, the worker.

nginx runs Debian's binary with deploy/nginx/kispub.conf itself, its paths and ports swapped
for a temporary folder and free loopback ports; gunicorn runs with deploy/gunicorn.conf.py.
Each process gets the app's settings as ``KISPUB_*`` environment variables, as the systemd
units give them from /etc/kispub/env.
"""

from __future__ import annotations

import http.client
import json
import os
import pwd
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent
NGINX = Path("/usr/sbin/nginx")
# Debian's nginx runs its workers as www-data; so does this test when it can (as root), so
# that a file only its owner may read shows up as a 403 here, not first in production.
NGINX_USER = "www-data"

# What deploy/nginx/kispub.conf names, and what the test puts in its place.
CONF_DEFAULTS = {
    "listen 80;": "listen 127.0.0.1:{port};",
    "listen [::]:80;": "",
    "server 127.0.0.1:8000;": "server 127.0.0.1:{app_port};",
    "root /srv/kispub/public;": "root {public};",
    "alias /srv/kispub/kispub/static/;": "alias {static}/;",
    "/var/log/nginx/kispub.access.json": "{log}",
}


def free_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: Callable[[], Any], seconds: float, what: str) -> Any:
    """Poll ``check`` until it returns something true; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


@dataclass(frozen=True)
class Answer:
    """One HTTP response, its body as sent (no decompression)."""

    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    @property
    def etag(self) -> str:
        value = self.headers.get("ETag")
        assert value, "no ETag"
        return value

    def all(self, name: str) -> list[str]:
        return self.headers.get_all(name) or []


def request(
    port: int, path: str, method: str = "GET", body: bytes | None = None, **headers: str
) -> Answer:
    """One request on a fresh connection; header names given with ``_`` for ``-``."""
    sent = {name.replace("_", "-"): value for name, value in headers.items()}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


def answers(port: int) -> bool:
    try:
        return request(port, "/healthz").status == 200
    except OSError:
        return False


def app_environment(settings: Mapping[str, Any], instance: Path) -> dict[str, str]:
    """This process's environment without its own kispub/gunicorn settings, plus ``settings``
    as ``KISPUB_*`` variables (JSON, as the app reads them)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("KISPUB_", "GUNICORN_")) and key != "WEB_CONCURRENCY"
    }
    env["KISPUB_INSTANCE_PATH"] = str(instance)
    for key, value in settings.items():
        env[f"KISPUB_{key}"] = value if isinstance(value, str) else json.dumps(value)
    return env


class Processes:
    """Started processes, each with a log file; stopped together."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[tuple[str, subprocess.Popen[bytes], signal.Signals]] = []

    def start(
        self, name: str, command: list[str], env: dict[str, str], stop: signal.Signals
    ) -> subprocess.Popen[bytes]:
        with (self.folder / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(
                command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
            )
        self.started.append((name, process, stop))
        return process

    def log(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def check_alive(self) -> None:
        for name, process, _ in self.started:
            assert process.poll() is None, f"{name} stopped:\n{self.log(name)}"

    def stop_all(self) -> None:
        for _, process, stop in reversed(self.started):
            if process.poll() is None:
                process.send_signal(stop)
        for _, process, _ in self.started:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def start_gunicorn(processes: Processes, name: str, env: dict[str, str], threads: int = 2) -> int:
    """gunicorn with deploy/gunicorn.conf.py on a free port (the bind given on the command
    line, as it wins over the file); its port (see ``wait_for_app``)."""
    port = free_port()
    env = {**env, "WEB_CONCURRENCY": env.get("WEB_CONCURRENCY", "1")}
    env["GUNICORN_THREADS"] = str(threads)
    command = [str(BIN / "gunicorn"), "-c", str(DEPLOY / "gunicorn.conf.py"),
               "--bind", f"127.0.0.1:{port}", "kispub.wsgi:app"]  # fmt: skip
    processes.start(name, command, env, signal.SIGTERM)
    return port


def wait_for_app(processes: Processes, port: int) -> None:
    """Wait until the app answers /healthz on ``port``."""
    wait_until(lambda: answers(port) or processes.check_alive(), 60, f"the app on {port}")


def start_worker(processes: Processes, env: dict[str, str], name: str = "worker") -> None:
    """``flask --app kispub worker`` as the worker unit starts it."""
    command = [str(BIN / "flask"), "--app", "kispub", "worker", "--workers", "2"]
    processes.start(name, command, env, signal.SIGTERM)


def flask(env: dict[str, str], *args: str) -> str:
    """A ``flask --app kispub`` command run to its end; its output (fails on an error)."""
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "kispub", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"flask {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def nginx_conf(folder: Path, values: Mapping[str, object]) -> Path:
    """nginx.conf for a test: Debian's mime types, then kispub.conf with its paths swapped.

    Every default path must be found exactly once, so a change to kispub.conf that the
    test would no longer cover fails here.
    """
    conf = (DEPLOY / "nginx" / "kispub.conf").read_text()
    for default, replacement in CONF_DEFAULTS.items():
        assert conf.count(default) == 1, f"kispub.conf no longer has one {default!r}"
        conf = conf.replace(default, replacement.format(**values))
    temp = folder / "nginx-temp"
    user = f"user {NGINX_USER};" if os.geteuid() == 0 and _user_exists(NGINX_USER) else ""
    main = f"""\
worker_processes {values.get("workers", 1)};
daemon off;
pid {folder / "nginx.pid"};
error_log {folder / "nginx-error.log"} warn;
{user}
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    gzip on;  # as in Debian's nginx.conf
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
{conf}
}}
"""
    path = folder / "nginx.conf"
    path.write_text(main)
    return path


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def start_nginx(processes: Processes, conf: Path, port: int) -> None:
    """nginx in the foreground with ``conf``; returns once it listens."""
    folder = conf.parent
    (folder / "nginx-temp").mkdir(exist_ok=True)
    test = subprocess.run(
        [str(NGINX), "-t", "-q", *_nginx_args(conf)],
        capture_output=True,
        text=True,
    )
    assert test.returncode == 0, test.stderr
    processes.start("nginx", [str(NGINX), *_nginx_args(conf)], {}, signal.SIGQUIT)

    def listens() -> bool:
        processes.check_alive()
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", port)) == 0

    wait_until(listens, 20, f"nginx on {port}")


def _nginx_args(conf: Path) -> list[str]:
    # -e: the error log before the configuration is read (else Debian's /var/log/nginx).
    folder = conf.parent
    return ["-c", str(conf), "-p", str(folder), "-e", str(folder / "nginx-error.log")]

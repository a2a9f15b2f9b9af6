"""How many worker processes, and threads in each, the WSGI server runs this app in (for
start-up checks and the size of the database connection pool)."""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Mapping
from typing import Any


def server_worker_count(environ: Mapping[str, str] | None = None) -> int:
    """The number of worker processes serving this app; 1 when it cannot be told.

    Under gunicorn the app is imported by gunicorn's own code (a worker's ``load_wsgi``, or
    the arbiter with ``--preload``), whose objects hold the configuration gunicorn settled
    on from all its sources (command line, ``GUNICORN_CMD_ARGS``, config file,
    ``WEB_CONCURRENCY``); that is read first. Elsewhere the environment variables are used.
    """
    config = _gunicorn_config_on_stack()
    if config is not None:
        return int(config.workers)
    return _workers_from_environment(os.environ if environ is None else environ)


def server_thread_count(environ: Mapping[str, str] | None = None) -> int:
    """The number of threads each worker process serves requests in; 1 when it cannot be
    told. Read like :func:`server_worker_count`: gunicorn's settled configuration first (its
    ``threads``, from the command line, ``GUNICORN_CMD_ARGS`` or a config file), else
    ``--threads`` in GUNICORN_CMD_ARGS."""
    config = _gunicorn_config_on_stack()
    if config is not None:
        return max(1, int(config.threads))
    words = shlex.split((os.environ if environ is None else environ).get("GUNICORN_CMD_ARGS", ""))
    value = _option(words, "--threads", None)
    return int(value) if value is not None and value.isdigit() and int(value) > 0 else 1


def _option(words: list[str], long: str, short: str | None) -> str | None:
    """The value of ``--long N``, ``--long=N``, ``-s N`` or ``-sN`` in a command line."""
    for index, word in enumerate(words):
        if word in (long, short) and index + 1 < len(words):
            return words[index + 1]
        if word.startswith(f"{long}="):
            return word.partition("=")[2]
        if short is not None and word.startswith(short) and len(word) > len(short):
            return word[len(short) :]
    return None


def _gunicorn_config_on_stack() -> Any | None:
    """The ``gunicorn.config.Config`` of a gunicorn object that is importing us, if any."""
    frame = sys._getframe(1)
    while frame is not None:
        owner = frame.f_locals.get("self")
        config = getattr(owner, "cfg", None)
        if type(config).__module__ == "gunicorn.config":
            return config
        frame = frame.f_back  # type: ignore[assignment]
    return None


def _workers_from_environment(environ: Mapping[str, str]) -> int:
    """Workers named by GUNICORN_CMD_ARGS (``-w N``, ``--workers N``), else WEB_CONCURRENCY."""
    value = _option(shlex.split(environ.get("GUNICORN_CMD_ARGS", "")), "--workers", "-w")
    if value is not None and value.isdigit():
        return int(value)
    concurrency = environ.get("WEB_CONCURRENCY", "")
    return int(concurrency) if concurrency.isdigit() else 1

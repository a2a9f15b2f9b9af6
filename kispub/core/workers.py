"""How many worker processes the WSGI server runs this app in (for start-up checks)."""

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
    words = shlex.split(environ.get("GUNICORN_CMD_ARGS", ""))
    for index, word in enumerate(words):
        value = None
        if word in ("-w", "--workers") and index + 1 < len(words):
            value = words[index + 1]
        elif word.startswith("--workers="):
            value = word.partition("=")[2]
        elif word.startswith("-w") and len(word) > 2:
            value = word[2:]
        if value is not None and value.isdigit():
            return int(value)
    concurrency = environ.get("WEB_CONCURRENCY", "")
    return int(concurrency) if concurrency.isdigit() else 1

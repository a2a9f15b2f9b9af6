"""Background jobs with Huey: one queue per app, tasks that run in that app's context.

The queue is a SQLite file in the instance folder by default (no server needed) and Redis
when ``REDIS_URL`` is set. ``JOBS_IMMEDIATE`` runs every task at once in the caller's
process (the tests do that). The worker is ``flask --app kispub worker``.

Features register their tasks and periodic jobs in their ``init_app`` with
``register_task`` and ``register_periodic``, so core never imports a feature.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.api import TaskWrapper
from huey.consumer import WORKER_THREAD

__all__ = ["crontab", "enqueue", "huey_of", "register_periodic", "register_task", "run_worker"]

#: When a periodic job runs: a function of the (UTC) minute, as ``crontab(...)`` builds.
Schedule = Callable[[datetime], bool]


@dataclass
class Jobs:
    """An app's queue and the tasks registered on it, by name."""

    huey: Huey
    tasks: dict[str, TaskWrapper] = field(default_factory=dict)


def init_app(app: Flask) -> None:
    """Create the app's queue from its configuration."""
    app.extensions["kispub_jobs"] = Jobs(_make_huey(app))


def _make_huey(app: Flask) -> Huey:
    name = app.config["JOBS_QUEUE_NAME"]
    # No result store: tasks report through the database, and unread results would pile up.
    options: dict[str, Any] = {"results": False, "immediate": bool(app.config["JOBS_IMMEDIATE"])}
    if app.config["REDIS_URL"]:
        return RedisHuey(name, url=app.config["REDIS_URL"], **options)
    path = Path(app.config["JOBS_SQLITE_PATH"])
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str(path), **options)


def huey_of(app: Flask) -> Huey:
    """The Huey instance of ``app``."""
    return _jobs(app).huey


def _jobs(app: Flask) -> Jobs:
    return app.extensions["kispub_jobs"]


def task_name(func: Callable[..., object]) -> str:
    """The name a task is queued under: stable across processes, unique per function."""
    return f"{func.__module__}.{func.__qualname__}"


def register_task(app: Flask, func: Callable[..., object]) -> None:
    """Let ``func`` be queued with ``enqueue``; the worker runs it in ``app``'s context."""
    jobs = _jobs(app)
    name = task_name(func)
    if name not in jobs.tasks:
        # Huey prefixes the module itself: the queued name is module.qualname.
        jobs.tasks[name] = jobs.huey.task(name=func.__qualname__)(_in_context(app, func))


def register_periodic(
    app: Flask, name: str, schedule: Schedule, func: Callable[[], object]
) -> None:
    """Run ``func`` in the worker whenever ``schedule`` matches the current UTC minute.

    Example: ``register_periodic(app, "ateliers-purge", crontab(minute="15", hour="2"),
    purge_attendee_data)``. The worker checks the schedules once a minute, and at start.
    """
    jobs = _jobs(app)
    if name in jobs.tasks:
        raise ValueError(f"a job named {name!r} is already registered")
    jobs.tasks[name] = jobs.huey.periodic_task(schedule, name=name)(_in_context(app, func))


def enqueue(func: Callable[..., object], *args: Any, eta: datetime | None = None) -> None:
    """Queue a registered task with JSON-like arguments, to run now or at ``eta`` (aware)."""
    task = _jobs(current_app).tasks.get(task_name(func))
    if task is None:
        raise LookupError(f"{task_name(func)} is not a registered task")
    if eta is None:
        task(*args)
    else:
        task.schedule(args=args, eta=eta)


def _in_context(app: Flask, func: Callable[..., object]) -> Callable[..., object]:
    """Run the task inside an app context of the app the queue belongs to.

    A fresh context per task also gives each task its own database session, removed
    when the context ends.
    """

    @wraps(func)
    def run(*args: Any) -> object:
        with app.app_context():
            return func(*args)

    return run


def run_worker(app: Flask, workers: int = 2, periodic: bool = True) -> None:
    """Run the consumer until it is stopped (Ctrl-C or SIGTERM finish the running tasks)."""
    huey = huey_of(app)
    if huey.immediate:
        raise RuntimeError("JOBS_IMMEDIATE is set: tasks run in the web process, not a worker")
    consumer = huey.create_consumer(
        workers=workers,
        periodic=periodic,
        worker_type=WORKER_THREAD,
        graceful_signal="TERM",  # systemd stops with SIGTERM: let running tasks finish
        initial_delay=0.1,
        max_delay=1.0,  # SQLite storage is polled: pick new work up within a second
    )
    consumer.run()

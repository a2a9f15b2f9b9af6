"""SQLAlchemy's pool keeps a connection for every thread the web server runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from gunicorn.config import Config

from kispub.config import POOL_HEADROOM, POOL_SIZE_MINIMUM
from kispub.core.workers import server_thread_count
from kispub.extensions import db


class _Worker:
    """Stands in for gunicorn's worker: it holds the settled config while it loads the app."""

    def __init__(self, threads: int) -> None:
        self.cfg = Config()
        self.cfg.set("threads", threads)

    def load_wsgi(self, load: Callable[[], Any]) -> Any:
        return load()


def _pool_size(app: Flask) -> int:
    with app.app_context():
        return db.engine.pool.size()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("arguments", "threads"),
    [
        ("", 1),
        ("--threads 8", 8),
        ("--bind :80 --threads=12 --workers 2", 12),
        ("--threads veel", 1),
        ("--threads 0", 1),
    ],
)
def test_threads_from_the_environment(arguments: str, threads: int) -> None:
    assert server_thread_count({"GUNICORN_CMD_ARGS": arguments}) == threads


def test_gunicorns_own_setting_comes_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUNICORN_CMD_ARGS", "--threads 3")
    assert _Worker(16).load_wsgi(server_thread_count) == 16


def test_without_a_server_the_pool_keeps_sqlalchemys_default(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GUNICORN_CMD_ARGS", raising=False)
    assert _pool_size(make_app()) == POOL_SIZE_MINIMUM


def test_the_pool_grows_with_gunicorns_threads(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GUNICORN_CMD_ARGS", "--threads 4")
    app = _Worker(12).load_wsgi(make_app)  # as gunicorn's worker builds it
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_size"] == 12 + POOL_HEADROOM
    assert _pool_size(app) == 12 + POOL_HEADROOM
    monkeypatch.delenv("GUNICORN_CMD_ARGS")
    assert _pool_size(make_app()) == POOL_SIZE_MINIMUM


def test_threads_in_the_environment_size_the_pool(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GUNICORN_CMD_ARGS", "--workers 2 --threads 8")
    assert _pool_size(make_app()) == 8 + POOL_HEADROOM


def test_a_configured_pool_size_is_kept(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GUNICORN_CMD_ARGS", "--threads 8")
    app = make_app(SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "pool_size": 3})
    assert _pool_size(app) == 3


@pytest.mark.dialect_free
def test_in_memory_sqlite_keeps_its_single_connection(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Flask-SQLAlchemy gives in-memory SQLite a StaticPool, which takes no size."""
    monkeypatch.setenv("GUNICORN_CMD_ARGS", "--threads 8")
    app = make_app(SQLALCHEMY_DATABASE_URI="sqlite://")
    assert "pool_size" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    with app.app_context():
        assert db.session.execute(db.text("SELECT 1")).scalar() == 1

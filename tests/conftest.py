"""Shared fixtures: a fresh database per test, the app, a client, factories, and guards.

The suite runs on SQLite by default. With KISPUB_TEST_DATABASE=postgresql it runs on the
PostgreSQL server named by KISPUB_TEST_DATABASE_URL.
"""

from __future__ import annotations

import contextvars
import os
import shutil
import smtplib
import socket
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text
from werkzeug.test import TestResponse

from kispub import create_app
from kispub.accounts.models import Role, User
from kispub.extensions import db as _db
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.routing_cache import cache_url_builders
from tests.second_factor import log_in

cache_url_builders()

POSTGRES = os.environ.get("KISPUB_TEST_DATABASE") == "postgresql"
POSTGRES_URL = os.environ.get("KISPUB_TEST_DATABASE_URL", "")

# Cheap hashing keeps the suite fast; production cost is tested in test_passwords.py.
FAST_ARGON2 = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024, "ARGON2_PARALLELISM": 1}


def pytest_report_header(config: pytest.Config) -> str:
    return f"kispub database: {'PostgreSQL ' + POSTGRES_URL if POSTGRES else 'SQLite'}"


@pytest.fixture(autouse=True)
def _no_mail_or_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that would send real e-mail or reach beyond this machine."""

    def refuse_smtp(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a test tried to send real e-mail")

    real_connect = socket.socket.connect

    def loopback_only(sock: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if (
            isinstance(host, str)
            and host not in ("127.0.0.1", "::1", "localhost")
            and "/" not in host
        ):
            raise AssertionError(f"a test tried to reach {address}")
        return real_connect(sock, address)

    monkeypatch.setattr(smtplib, "SMTP", refuse_smtp)
    monkeypatch.setattr(socket.socket, "connect", loopback_only)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty schema built once; each test gets a copy of the file."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    app = create_app(_base_config(f"sqlite:///{path}", tmp_path_factory.mktemp("t")))
    with app.app_context():
        _db.create_all()
        _db.engine.dispose()
    return path


def postgres_schema_url(schema: str) -> str:
    """A fresh, empty schema of the test database, and the URL that works inside it."""
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"


def worker_schema(name: str) -> str:
    """A schema name of this xdist worker's own ("gw0", or "main" without xdist)."""
    return f"{name}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"


@pytest.fixture(scope="session")
def _postgres_schema(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Create the schema on PostgreSQL once per run, one schema per xdist worker."""
    if not POSTGRES_URL:
        pytest.skip("KISPUB_TEST_DATABASE_URL is not set")
    url = postgres_schema_url(worker_schema("kispub_test"))
    app = create_app(_base_config(url, tmp_path_factory.mktemp("t")))
    with app.app_context():
        _db.create_all()
        _db.engine.dispose()
    return url


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with a fresh, empty schema for this test."""
    if POSTGRES:
        url = request.getfixturevalue("_postgres_schema")
        _truncate_all(url)
        return url
    template = request.getfixturevalue("_sqlite_template")
    path = tmp_path / "kispub.sqlite3"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


def _truncate_all(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in _db.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


def _base_config(url: str, tmp: Path) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": url,
        "MEDIA_ROOT": str(tmp / "media"),
        "PUBLIC_ROOT": str(tmp / "public"),
        "OUTBOX_DIR": str(tmp / "outbox"),
        "DATA_EXPORT_DIR": str(tmp / "exports"),
        "ACCESS_LOG": str(tmp / "access.log"),
        "BASE_URL": "https://kis.example",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Jobs run at once in the test's process, so queued mail is in the outbox folder
        # when the request returns; tests/jobs/ runs a real worker instead.
        "JOBS_IMMEDIATE": True,
        "JOBS_SQLITE_PATH": str(tmp / "jobs.sqlite3"),
        **FAST_ARGON2,
    }


@pytest.fixture
def app_config(database_url: str, tmp_path: Path) -> dict[str, Any]:
    """The test configuration; a test may change it before asking for ``app``."""
    return _base_config(database_url, tmp_path)


class IsolatedClient(FlaskClient):
    """A test client whose requests run as in production: own app context, g and session.

    Without this, requests would reuse the app context the ``app`` fixture pushes, and
    with it Flask-Login's cached user and the test's database session.
    """

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        _end_test_transaction()
        try:
            return contextvars.Context().run(super().open, *args, **kwargs)
        finally:
            _end_test_transaction()


def _end_test_transaction() -> None:
    """Let the test's own session see what a request committed (fresh snapshot, fresh objects)."""
    if has_app_context():
        _db.session.rollback()


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    """The application, with an app context pushed for direct service calls."""
    application = create_app(app_config)
    application.test_client_class = IsolatedClient
    with application.app_context():
        yield application
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def make_app(app_config: dict[str, Any]) -> Iterator[Callable[..., Flask]]:
    """Build extra apps on the test's database (other settings, other "processes").

    Their connection pools are closed at teardown; a pool left to the garbage collector
    makes psycopg warn about unclosed connections in some later test.
    """
    made: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        extra = create_app({**app_config, **overrides})
        extra.test_client_class = IsolatedClient
        made.append(extra)
        return extra

    yield make
    for extra in made:
        with extra.app_context():
            _db.session.remove()
            _db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def login_as(client: FlaskClient) -> Callable[..., User]:
    """Log a user in through the real login form; creates the user when given overrides.

    Staff pass the second step too, with a real code from their (directly enrolled) app.
    """

    def login(user: User | None = None, password: str = DEFAULT_PASSWORD, **overrides: Any) -> User:
        user = user or make_user(**overrides)
        response = log_in(client, user, password)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return login


@pytest.fixture
def editor(login_as: Callable[..., User]) -> User:
    """Log in as an editor through the real login form."""
    return login_as(role=Role.EDITOR)


@pytest.fixture
def outbox(app: Flask) -> Callable[[], list[EmailMessage]]:
    """The messages written to the development outbox so far, oldest first."""

    def read() -> list[EmailMessage]:
        folder = Path(app.config["OUTBOX_DIR"])
        files = sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
        return [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]  # type: ignore[misc]

    return read

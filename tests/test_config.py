"""Configuration precedence and the secret key rules."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from kispub import create_app
from kispub.config import PROJECT_ROOT, SecretKeyMissing, defaults
from kispub.extensions import limiter


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An instance folder of our own, and no KISPUB_* variables from the caller's shell."""
    for name in list(__import__("os").environ):
        if name.startswith("KISPUB_"):
            monkeypatch.delenv(name)
    folder = tmp_path / "instance"
    folder.mkdir()
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(folder))
    return folder


def test_defaults_apply_without_any_source(instance: Path) -> None:
    app = create_app()
    assert app.config["BASE_URL"] == "http://127.0.0.1:5000"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'kispub.sqlite3'}"


def test_instance_file_overrides_defaults(instance: Path) -> None:
    (instance / "config.py").write_text('BASE_URL = "https://from-instance.example"\n')
    assert create_app().config["BASE_URL"] == "https://from-instance.example"


def test_environment_overrides_instance_file(
    instance: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (instance / "config.py").write_text('BASE_URL = "https://from-instance.example"\n')
    monkeypatch.setenv("KISPUB_BASE_URL", "https://from-env.example")
    monkeypatch.setenv("KISPUB_SESSION_IDLE_TIMEOUT", "600")  # JSON-decoded to an int
    app = create_app()
    assert app.config["BASE_URL"] == "https://from-env.example"
    assert app.config["SESSION_IDLE_TIMEOUT"].total_seconds() == 600


def test_test_config_overrides_environment(instance: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KISPUB_BASE_URL", "https://from-env.example")
    app = create_app({"BASE_URL": "https://from-test.example"})
    assert app.config["BASE_URL"] == "https://from-test.example"


def test_https_base_url_makes_cookies_secure(instance: Path) -> None:
    secure = create_app({"BASE_URL": "https://kis.example"}).config
    plain = create_app({"BASE_URL": "http://127.0.0.1:5000"}).config
    assert secure["SESSION_COOKIE_SECURE"] and secure["REMEMBER_COOKIE_SECURE"]
    assert not plain["SESSION_COOKIE_SECURE"]
    assert secure["SESSION_COOKIE_HTTPONLY"] and secure["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_development_generates_a_secret_key_once(instance: Path) -> None:
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    assert len(first) >= 64
    assert first == second == (instance / "secret_key").read_text()
    assert (instance / "secret_key").stat().st_mode & 0o077 == 0


def test_production_refuses_to_start_without_a_secret_key(instance: Path) -> None:
    with pytest.raises(SecretKeyMissing, match="KISPUB_SECRET_KEY"):
        create_app(production=True)
    assert not (instance / "secret_key").exists()


def test_production_starts_with_a_secret_key_from_the_environment(
    instance: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KISPUB_SECRET_KEY", "x" * 64)
    assert create_app(production=True).config["SECRET_KEY"] == "x" * 64


def test_wsgi_module_builds_a_production_app(
    instance: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KISPUB_SECRET_KEY", "y" * 64)
    import importlib

    import kispub.wsgi
    import wsgi

    assert importlib.reload(kispub.wsgi).app.config["SECRET_KEY"] == "y" * 64
    assert importlib.reload(wsgi).app is kispub.wsgi.app


def test_media_root_defaults_to_the_checkouts_media_folder_in_development() -> None:
    """`make run` keeps media in the checkout's media/, as it always has."""
    in_checkout = defaults(str(PROJECT_ROOT / "instance"))
    assert in_checkout["MEDIA_ROOT"] == str(PROJECT_ROOT / "media")


def test_media_root_defaults_to_the_instance_folder_elsewhere(instance: Path) -> None:
    """An installed package keeps media with its database, never inside site-packages."""
    assert create_app().config["MEDIA_ROOT"] == str(instance / "media")


def test_templates_come_from_the_checkout_when_running_from_it(instance: Path) -> None:
    assert create_app().template_folder == str(PROJECT_ROOT / "templates")


def test_an_app_without_throttling_leaves_the_next_app_throttled(
    make_app: Callable[..., Flask],
) -> None:
    # Flask-Limiter has one extension object per process; each app must set its own state.
    make_app(RATELIMIT_ENABLED=False)
    assert not limiter.enabled
    make_app()
    assert limiter.enabled

"""Browser fixtures: the app served on 127.0.0.1 in a thread, Debian's Chromium via Playwright,
and an axe-core check for WCAG 2.1 AA.

Every page a test opens is also watched for console errors, which is where Chromium
reports a Content-Security-Policy violation.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from kispub.accounts.models import User
from tests.factories import DEFAULT_PASSWORD
from tests.second_factor import next_code

CHROMIUM = os.environ.get("KISPUB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything in tests/browser is a browser test."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One Chromium for the whole run."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """Serve the test's app (fresh database) on a free loopback port; yields its base URL."""
    app.config["BASE_URL"] = "http://127.0.0.1"  # cookies without Secure over plain http
    app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = False
    app.config["PREFERRED_URL_SCHEME"] = "http"
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = base_url
    yield base_url
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(browser: object, live_server: str) -> Iterator[object]:
    """A fresh browser tab on the live server; fails the test on any console error."""
    context = browser.new_context(base_url=live_server, locale="nl-NL")  # type: ignore[attr-defined]
    tab = context.new_page()
    errors: list[str] = []

    def on_console(msg: object) -> None:
        # An error page answers with its status on purpose; any other failed load counts.
        own_status = (
            msg.text.startswith("Failed to load resource") and msg.location["url"] == tab.url
        )
        if msg.type == "error" and not own_status:
            errors.append(f"{msg.text} ({msg.location['url']})")

    tab.on("console", on_console)
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert errors == [], f"console errors (CSP violations show here): {errors}"


def assert_accessible(page: object) -> None:
    """Run axe-core on the current page and fail on any WCAG 2.1 A/AA violation."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    results = Axe().run(page, options=options)
    violations = results.response["violations"]
    summary = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
    ]
    assert violations == [], "\n".join(summary)


def log_in(page: Any, user: User, password: str = DEFAULT_PASSWORD) -> None:
    """Log in through the real login form and wait for the home page.

    Staff then type a real code from their authenticator app (enrolled directly through the
    service) on the second step's page.
    """
    code = next_code(user) if user.needs_second_factor else None  # enrols first if needed
    page.goto("/inloggen")
    page.get_by_label("E-mailadres").fill(user.email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    if code is not None:
        page.wait_for_url(re.compile(r"/inloggen/tweede-stap$"))
        page.get_by_label("Code").fill(code)
        page.get_by_role("button", name="Bevestigen").click()
    page.wait_for_url(re.compile(r"/$"))

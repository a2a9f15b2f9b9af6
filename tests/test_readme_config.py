"""README's configuration table and ``kispub/config.py: defaults()`` describe the same settings."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from kispub.config import defaults

README = Path(__file__).resolve().parent.parent / "README.md"
HEADER = "| variable | meaning | default |"
PREFIX = "KISPUB_"

# Settings in defaults() that a deployment is not meant to change, so README leaves them out.
INTERNAL = {
    "SITE_NAME",  # this platform is KIS's own
    "SQLALCHEMY_ENGINE_OPTIONS",  # connection-pool behaviour the code relies on
    "OUTBOX_DIR",  # development stand-in for SMTP; the MAIL_* row says where it writes
    "BABEL_DEFAULT_LOCALE",  # a Dutch site; English is a translation
    "BABEL_DEFAULT_TIMEZONE",  # ateliers take place in Amsterdam time
    "RATELIMIT_HEADERS_ENABLED",
    "RATELIMIT_ENABLED",
    # Cookie flags: fixed for safety; Secure follows BASE_URL.
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_SAMESITE",
    "REMEMBER_COOKIE_HTTPONLY",
    "REMEMBER_COOKIE_SECURE",
    "REMEMBER_COOKIE_SAMESITE",
    "REMEMBER_COOKIE_DURATION",
    "PASSWORD_RESET_MAX_AGE",
    # Password hashing cost: chosen against OWASP's minimum; only the tests lower it.
    "ARGON2_TIME_COST",
    "ARGON2_MEMORY_COST",
    "ARGON2_PARALLELISM",
    "WTF_CSRF_TIME_LIMIT",  # None: the token lives as long as the session
}
# Defaults README states as numbers: the value check below must keep reading them.
STATED_AS_NUMBERS = {
    "MAX_CONTENT_LENGTH",
    "SESSION_IDLE_TIMEOUT",
    "SESSION_ABSOLUTE_TIMEOUT",
    "PODCAST_MAX_AUDIO_BYTES",
    "PODCAST_PROBE_TIMEOUT",
    "ATELIER_ATTENDEE_RETENTION_DAYS",
    "ATELIER_FEED_PAST_DAYS",
    "ATELIER_FEED_REFRESH_HOURS",
}
DURATION_UNITS = {"s": "seconds", "min": "minutes", "h": "hours", "days": "days"}
# Paths in defaults() are relative to the instance folder; README writes them as instance/...
CODE = defaults("instance")


def test_every_documented_variable_is_a_setting() -> None:
    documented = {key for keys, _ in _table() for key in keys}
    unknown = sorted(documented - CODE.keys())
    assert not unknown, f"documented in README, unknown to defaults(): {unknown}"


def test_every_setting_meant_to_be_set_is_documented() -> None:
    documented = {key for keys, _ in _table() for key in keys}
    assert not INTERNAL - CODE.keys(), f"no longer settings: {sorted(INTERNAL - CODE.keys())}"
    assert not INTERNAL & documented, (
        f"documented, so not internal: {sorted(INTERNAL & documented)}"
    )
    missing = sorted(CODE.keys() - INTERNAL - documented)
    assert not missing, f"missing from README's configuration table: {missing}"


def test_documented_defaults_agree_with_the_code() -> None:
    stated = {key: value for keys, cell in _table() for key, value in _stated(keys, cell).items()}
    assert not STATED_AS_NUMBERS - stated.keys(), "README's numbers are no longer read"
    disagreeing = {
        key: (value, CODE.get(key, "not in defaults()"))
        for key, value in stated.items()
        if value != CODE.get(key, "not in defaults()")
    }
    assert not disagreeing, f"README's default, then defaults(): {disagreeing}"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("200 MiB", 200 * 1024 * 1024),
        ("30 min", timedelta(minutes=30)),
        ("12 h", timedelta(hours=12)),
        ("5", 5),
        ("`false`", False),
        ("`memory://`", "memory://"),
        ("the address in `MAIL_FROM`", None),
    ],
)
def test_default_cells_are_read_as_the_environment_would(cell: str, expected: Any) -> None:
    assert _stated(("X",), cell).get("X") == expected


def _table() -> list[tuple[tuple[str, ...], str]]:
    """The rows of README's configuration table: the settings named, and the default cell."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index(HEADER) + 2  # after the header and its |---| line
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip()[1:-1])]
        assert len(cells) == 3, line
        rows.append((_settings(cells[0]), cells[2]))
    assert rows, "README's configuration table is empty"
    return rows


def _settings(cell: str) -> tuple[str, ...]:
    """`KISPUB_MAIL_SERVER`, `_PORT` name MAIL_SERVER and MAIL_PORT: a short name continues
    the first name's prefix (all of it but its last word)."""
    names = re.findall(r"`([A-Z0-9_]+)`", cell)
    assert names and names[0].startswith(PREFIX), cell
    stem = names[0].rsplit("_", 1)[0]
    full = [name if name.startswith(PREFIX) else stem + name for name in names]
    assert all(name.startswith(PREFIX) for name in names if not name.startswith("_")), cell
    return tuple(name.removeprefix(PREFIX) for name in full)


def _stated(keys: tuple[str, ...], cell: str) -> dict[str, Any]:
    """The values a default cell states, per setting; prose ("outbox", "off") states none."""
    parts = [part.strip() for part in cell.split(",")] if len(keys) > 1 else [cell]
    if len(parts) != len(keys):
        return {}
    stated = {key: _value(part) for key, part in zip(keys, parts, strict=True)}
    return {key: value for key, value in stated.items() if value is not None}


def _value(text: str) -> Any:
    if match := re.fullmatch(r"(\d+) MiB", text):
        return int(match[1]) * 1024 * 1024
    if match := re.fullmatch(rf"(\d+) ({'|'.join(DURATION_UNITS)})", text):
        return timedelta(**{DURATION_UNITS[match[2]]: int(match[1])})
    if re.fullmatch(r"\d+", text):
        return int(text)
    if match := re.fullmatch(r"`([^`]+)`", text):
        try:  # as Flask reads KISPUB_* variables: JSON when it parses, else the string
            return json.loads(match[1])
        except json.JSONDecodeError:
            return match[1]
    return None

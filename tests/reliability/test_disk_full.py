"""A full media disk (a real 2 MB tmpfs, filled up) gives a clear 507 or CLI message, and no
partial file, no staged file, no row."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from kispub.accounts.models import Role
from kispub.extensions import db
from kispub.podcast.models import Episode, Series
from tests.podcast.conftest import FIXTURES
from tests.reliability.conftest import multipart, new_series

LEFT_FREE = 16 * 1024  # less than the 50 KB audio fixture


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs; skipped where mounting is not allowed (not root, no CAP_SYS_ADMIN)."""
    mount = tmp_path / "media-tmpfs"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                            capture_output=True, text=True, check=False)  # fmt: skip
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs for the full-disk test: {result.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=True)


@pytest.fixture
def app_config(app_config: dict[str, Any], tiny_disk: Path) -> dict[str, Any]:
    return {**app_config, "MEDIA_ROOT": str(tiny_disk)}


def fill(root: Path) -> None:
    """Fill the disk up to LEFT_FREE bytes."""
    stats = os.statvfs(root)
    with (root / "filler").open("wb") as out:
        out.write(b"\0" * (stats.f_bavail * stats.f_frsize - LEFT_FREE))


def leftovers(root: Path, before: set[str]) -> set[str]:
    """Files under the media root that were not there before (the lock file aside)."""
    now = {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}
    return now - before - {".lock"}


def rows() -> tuple[int, int]:
    db.session.rollback()
    count = db.session.scalar
    return count(select(func.count()).select_from(Episode)), count(
        select(func.count()).select_from(Series)
    )


def snapshot(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_an_upload_onto_a_full_disk_is_a_507_page(
    app: Flask, client: FlaskClient, login_as: Callable[..., Any], tiny_disk: Path
) -> None:
    series = new_series(app)
    login_as(role=Role.EDITOR)
    fill(tiny_disk)
    before, counts = snapshot(tiny_disk), rows()
    content_type, body = multipart(
        {"series": str(series.id), "status": "draft", "episode_type": "full",
         "nonce": "nonce-van-de-volle-schijf", "title": "Past niet"},
        {"audio": ("cbr_tagged.mp3", (FIXTURES / "cbr_tagged.mp3").read_bytes())},
    )  # fmt: skip
    response = client.post("/beheer/podcast/nieuw", data=body, content_type=content_type)
    assert response.status_code == 507
    page = response.get_data(as_text=True)
    assert "De opslag is vol" in page and "Er is niets opgeslagen" in page
    assert leftovers(tiny_disk, before) == set()
    assert rows() == counts


def test_a_content_file_load_onto_a_full_disk_says_so(
    app: Flask, runner: FlaskCliRunner, tiny_disk: Path, tmp_path: Path
) -> None:
    new_series(app, title="Volle schijf")
    content = tmp_path / "content" / "podcast.toml"
    content.parent.mkdir()
    (content.parent / "aflevering.mp3").write_bytes((FIXTURES / "cbr_tagged.mp3").read_bytes())
    content.write_text('[[podcast_episodes]]\nseries = "volle-schijf"\nslug = "past-niet"\n'
                       'title = "Past niet"\naudio = "aflevering.mp3"\n')  # fmt: skip
    fill(tiny_disk)
    before, counts = snapshot(tiny_disk), rows()
    result = runner.invoke(args=["load", str(content)])
    assert result.exit_code == 1
    assert "De opslag is vol" in result.output and "Traceback" not in result.output
    assert leftovers(tiny_disk, before) == set()
    assert rows() == counts


def test_a_cli_import_onto_a_full_disk_says_so(
    app: Flask, runner: FlaskCliRunner, tiny_disk: Path
) -> None:
    new_series(app)
    fill(tiny_disk)
    before, counts = snapshot(tiny_disk), rows()
    result = runner.invoke(args=["podcast", "import", str(FIXTURES / "cbr_tagged.mp3"),
                                 "--title", "Past niet"])  # fmt: skip
    assert result.exit_code == 1
    assert "De opslag is vol" in result.output and "Traceback" not in result.output
    assert leftovers(tiny_disk, before) == set()
    assert rows() == counts

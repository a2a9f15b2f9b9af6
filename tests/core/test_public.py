"""The public folder: atomic files at their URL paths, symlinks, serving, and publishers."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest
from flask import Flask

from kispub.core import public
from kispub.core.database import write_transaction
from kispub.extensions import db
from kispub.jobs import huey_of
from kispub.themes.models import Theme
from tests.clock import freeze
from tests.factories import make_theme


def leftovers(folder: Path) -> list[str]:
    """Temporary files a write left behind (stamps are the folder's own, and expected)."""
    return [p.name for p in folder.rglob(".*") if not p.name.endswith(".stamp") and p.is_file()]


def test_a_file_and_its_gzip_twin_are_written_whole_and_world_readable(app: Flask) -> None:
    body = b"<rss>" + b"x" * 5000 + b"</rss>"
    assert public.write("podcast/serie/feed.xml", body)
    path = public.root() / "podcast" / "serie" / "feed.xml"
    assert path.read_bytes() == body
    assert gzip.decompress(path.with_name("feed.xml.gz").read_bytes()) == body
    assert path.stat().st_mode & 0o777 == 0o644
    assert leftovers(public.root()) == []


def test_the_same_bytes_again_leave_the_file_and_its_etag_alone(app: Flask) -> None:
    public.write("kennisateliers.ics", b"BEGIN:VCALENDAR")
    path = public.path_of("kennisateliers.ics")
    os.utime(path, (1_000_000, 1_000_000))
    assert not public.write("kennisateliers.ics", b"BEGIN:VCALENDAR")
    assert path.stat().st_mtime == 1_000_000
    assert public.write("kennisateliers.ics", b"BEGIN:VCALENDAR\r\n")
    assert path.stat().st_mtime != 1_000_000


def test_a_write_that_fails_keeps_the_old_file_and_leaves_nothing_behind(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    public.write("kennisateliers.ics", b"oud", gzipped=False)

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        public.write("kennisateliers.ics", b"nieuw", gzipped=False)
    assert public.path_of("kennisateliers.ics").read_bytes() == b"oud"
    assert leftovers(public.root()) == []


@pytest.mark.parametrize(
    "url_path",
    ["../geheim", "podcast/../../etc/passwd", ".lock", "podcast/.feed.xml.stamp", "a//b", "a\\b"],
)
def test_paths_that_leave_the_folder_or_name_its_own_files_are_refused(
    app: Flask, url_path: str
) -> None:
    with pytest.raises(public.UnsafePath):
        public.path_of(url_path)


def test_links_point_into_media_and_follow_a_new_target(app: Flask, tmp_path: Path) -> None:
    first, second = tmp_path / "media" / "a.mp3", tmp_path / "media" / "b.mp3"
    first.parent.mkdir(parents=True)
    first.write_bytes(b"eerste")
    second.write_bytes(b"tweede")
    first.chmod(0o600)
    assert public.link("podcast/audio/x.mp3", first)
    assert not public.link("podcast/audio/x.mp3", first)
    path = public.path_of("podcast/audio/x.mp3")
    assert path.is_symlink() and path.read_bytes() == b"eerste"
    assert first.stat().st_mode & 0o777 == 0o644  # the web server's user may read it
    assert public.link("podcast/audio/x.mp3", second)
    assert path.read_bytes() == b"tweede"
    assert public.names("podcast/audio") == {"x.mp3"}
    assert public.remove("podcast/audio/x.mp3")
    assert public.names("podcast/audio") == set() and second.exists()
    assert leftovers(public.root()) == []


def test_the_app_serves_a_file_as_nginx_would(app: Flask) -> None:
    body = b"0123456789" * 100
    public.write("kennisateliers.ics", body)
    stat = public.path_of("kennisateliers.ics").stat()
    etag = f'"{int(stat.st_mtime):x}-{stat.st_size:x}"'
    with app.test_request_context():
        response = public.send("kennisateliers.ics", "text/calendar", 300)
        assert response is not None and response.get_data() == body
        assert response.headers["ETag"] == etag
        assert response.headers["Cache-Control"] == "public, max-age=300"
        assert response.headers["Vary"] == "Accept-Encoding"
    with app.test_request_context(headers={"If-None-Match": etag}):
        response = public.send("kennisateliers.ics", "text/calendar", 300)
        assert response is not None and response.status_code == 304
    with app.test_request_context(headers={"Range": "bytes=10-19"}):
        response = public.send("kennisateliers.ics", "text/calendar", 300)
        assert response is not None and response.status_code == 206
        assert response.get_data() == body[10:20]
    with app.test_request_context(headers={"Accept-Encoding": "gzip"}):
        response = public.send("kennisateliers.ics", "text/calendar", 300)
        assert response is not None and response.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(response.get_data()) == body
    with app.test_request_context():
        assert public.send("kennisateliers/thema/geen.ics", "text/calendar", 300) is None


def test_a_committed_change_queues_its_publisher_once_and_a_rollback_none(app: Flask) -> None:
    runs: list[bool] = []
    public.register_publisher(app, "proef", runs.append, (Theme,))
    theme = make_theme("Proef")
    runs.clear()
    with write_transaction() as session:
        session.get(Theme, theme.id).description = "een"  # type: ignore[union-attr]
        session.flush()
        session.get(Theme, theme.id).description = "twee"  # type: ignore[union-attr]
    assert runs == [True]  # once, rebuilding: a change may not be skipped on a stamp
    with pytest.raises(RuntimeError), write_transaction() as session:
        session.get(Theme, theme.id).description = "drie"  # type: ignore[union-attr]
        session.flush()
        raise RuntimeError("afgebroken")
    assert runs == [True]
    db.session.rollback()


def test_a_scheduled_change_is_queued_again_for_its_moment(app: Flask) -> None:
    from datetime import UTC, datetime, timedelta

    clock = freeze(app, datetime(2030, 1, 1, tzinfo=UTC))
    moment = clock.now + timedelta(hours=3)
    public.register_publisher(app, "proef", lambda rebuild: None, (Theme,), lambda row: moment)
    before = len(huey_of(app).scheduled())
    make_theme("Later")
    scheduled = huey_of(app).scheduled()
    assert len(scheduled) == before + 1
    assert scheduled[-1].args == ("proef",)

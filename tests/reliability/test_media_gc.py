"""Media no row references are removed after the grace period, and nothing else is."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from kispub.core.clock import set_clock
from kispub.core.media_gc import clean_staging, collect_media_garbage
from kispub.core.storage import get_storage
from kispub.jobs import huey_of
from kispub.podcast import services
from tests.reliability.conftest import FixedClock, new_episode, new_series, referenced_files

DAY = 24 * 3600


def age_all(root: Path, seconds: float) -> None:
    """Pretend every stored file was stored ``seconds`` ago."""
    for path in root.rglob("*"):
        if path.is_file():
            stat = path.stat()
            os.utime(path, (stat.st_atime - seconds, stat.st_mtime - seconds))


def stored(root: Path) -> set[str]:
    return {f"{p.parent.name}/{p.name}" for p in root.glob("[0-9a-f][0-9a-f]/*")}


def test_deleted_episodes_files_go_after_the_grace_shared_and_young_files_stay(app: Flask) -> None:
    clock = FixedClock()
    set_clock(app, clock)
    root = Path(app.config["MEDIA_ROOT"])
    series = new_series(app)
    first = new_episode(app, series.id, "cbr_tagged.mp3", transcript="gesprek.vtt", title="Een")
    shared = new_episode(app, series.id, "cbr_tagged.mp3", title="Dezelfde audio")
    other = new_episode(app, series.id, "vbr_xing.mp3", transcript="gesprek.srt", title="Ander")
    assert first.audio_key == shared.audio_key
    only_first = {first.transcript_key}
    assert services.delete_episode(first.id) == "Een"

    # Deleted, but within the grace period: everything stays.
    age_all(root, 23 * 3600)
    assert collect_media_garbage() == []

    # Past the grace: only what no row references goes; the shared audio stays for `shared`.
    age_all(root, 2 * 3600)
    young = get_storage().save_bytes(b"stored a moment ago, its row not yet committed", ".txt")
    assert set(collect_media_garbage()) == only_first
    assert stored(root) == referenced_files(app) | {young.key}
    assert {shared.audio_key, other.audio_key, other.transcript_key} <= stored(root)

    # Once the last episode using it is gone too, the shared audio goes.
    services.delete_episode(shared.id)
    age_all(root, DAY + 60)
    assert set(collect_media_garbage()) == {shared.audio_key, young.key}
    assert stored(root) == referenced_files(app)


def test_storing_old_content_again_restarts_its_grace(app: Flask) -> None:
    root = Path(app.config["MEDIA_ROOT"])
    storage = get_storage()
    kept = storage.save_bytes(b"same content, uploaded again", ".txt")
    age_all(root, 2 * DAY)
    again = storage.save_bytes(b"same content, uploaded again", ".txt")  # a row is on its way
    assert again.key == kept.key
    assert collect_media_garbage() == []
    assert storage.exists(kept.key)


def test_the_collector_waits_while_a_backup_holds_the_media(app: Flask) -> None:
    storage = get_storage()
    orphan = storage.save_bytes(b"nobody uses me", ".txt")
    age_all(Path(app.config["MEDIA_ROOT"]), 2 * DAY)
    with storage.exclusive():
        assert collect_media_garbage() == []
    assert storage.exists(orphan.key)
    assert collect_media_garbage() == [orphan.key]


def test_stale_staged_files_are_removed_fresh_ones_stay(app: Flask) -> None:
    clock = FixedClock()
    set_clock(app, clock)
    staging = Path(app.config["MEDIA_ROOT"]) / ".staging"
    staging.mkdir(parents=True)
    (staging / "tmpkilled").write_bytes(b"half an upload")
    (staging / "tmpbusy").write_bytes(b"an upload in progress")
    age_all(staging, 61 * 60)
    (staging / "tmpbusy").touch()
    assert clean_staging() == 1
    assert sorted(p.name for p in staging.iterdir()) == ["tmpbusy"]


def test_both_jobs_are_scheduled(app: Flask) -> None:
    periodic = {task.__name__ for task in huey_of(app)._registry._periodic_tasks}
    assert {"media-gc", "media-staging-cleanup"} <= periodic

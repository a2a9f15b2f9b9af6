"""Downloads counted from nginx's access log: which lines count, crashes, and the query bill."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from kispub.core.accesslog import AccessLogCursor, LogLine, ingest, register_log_handler
from kispub.core.visitors import visitor_hash
from kispub.extensions import db
from kispub.podcast.models import Download, Episode, EpisodeStatus, ListenerSalt
from tests.accesslog import append, log_path, nginx_line
from tests.queries import count_queries

APP = "AntennaPod/3.2.0"
T = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# Dimensions given to the test episode: one minute is 960,000 bytes past a 10,000-byte tag.
SIZE, OFFSET, BPS = 10_000_000, 10_000, 16_000.0


@pytest.fixture
def episode(make_episode: Callable[..., Episode]) -> Episode:
    return sized(make_episode())


def sized(episode: Episode) -> Episode:
    """The episode, with the dimensions of a ten-megabyte file."""
    dimensions = {"audio_size": SIZE, "audio_offset": OFFSET, "bytes_per_second": BPS}
    db.session.execute(update(Episode).where(Episode.id == episode.id).values(**dimensions))
    db.session.commit()
    return episode


@pytest.fixture
def log(app: Flask) -> Path:
    return log_path(app)


def audio(episode: Episode, ext: str = "mp3") -> str:
    return f"/podcast/audio/{episode.guid}.{ext}"


def whole(episode: Episode, ext: str = "mp3", **fields: object) -> bytes:
    """A 200 that sent the whole file."""
    return nginx_line(T, audio(episode, ext), status=200, sent=SIZE, ua=APP, **fields)


def ranged(episode: Episode, start: int, stop: int, sent: int | None = None, **kw: object) -> bytes:
    """A 206 for bytes [start, stop) of which ``sent`` went out (all by default)."""
    return nginx_line(
        T,
        audio(episode),
        status=206,
        sent=stop - start if sent is None else sent,
        content_range=f"bytes {start}-{stop - 1}/{SIZE}",
        **{"ua": APP, **kw},
    )


def counted() -> int:
    db.session.rollback()
    statement = select(func.count(Download.id)).where(Download.counted_at.is_not(None))
    return db.session.scalar(statement) or 0


def test_lines_as_nginx_writes_them_are_counted_by_the_rules(log: Path, episode: Episode) -> None:
    append(
        log,
        whole(episode, addr="2001:db8:1:2::10"),
        whole(episode, addr="2001:db8:1:2:ffff::99"),  # the same /64: the same listener
        whole(episode, addr="2001:db8:1:3::10"),
        whole(episode, addr="::ffff:192.0.2.10"),  # IPv4-mapped: the IPv4 listener
        whole(episode, addr="192.0.2.10"),
        whole(episode, addr="192.0.2.11", purpose="prefetch", gpc="1"),
    )
    assert ingest().counted == 4
    assert counted() == 4


NOT_COUNTED = {
    "HEAD": {"method": "HEAD", "sent": 0},
    "a search engine": {"ua": "Mozilla/5.0 (compatible; Googlebot/2.1)"},
    "Apple's enclosure check": {"ua": "iTMS"},
    "no User-Agent (nginx logs it empty)": {"ua": ""},
    "a 304": {"status": 304, "sent": 0},
    "a 416": {"status": 416, "sent": 197, "content_range": f"bytes */{SIZE}"},
    "a 404": {"status": 404, "sent": 153},
    "a POST": {"method": "POST"},
    "a broken-off download": {"sent": 500_000},
    "several ranges in one answer (multipart)": {"status": 206, "content_range": ""},
}


@pytest.mark.parametrize("fields", NOT_COUNTED.values(), ids=NOT_COUNTED.keys())
def test_what_is_not_a_download(log: Path, episode: Episode, fields: dict[str, object]) -> None:
    values = {"status": 200, "sent": SIZE, "ua": APP, **fields}
    append(log, nginx_line(T, audio(episode), **values))
    assert ingest().lines == 1
    assert counted() == 0


def test_only_the_bytes_a_range_sent_count(log: Path, episode: Episode) -> None:
    minute = 960_000
    append(log, ranged(episode, OFFSET, OFFSET + minute, sent=minute - 1))
    assert ingest().counted == 0  # the client broke off one byte short
    append(log, ranged(episode, OFFSET + minute - 1, OFFSET + minute))
    assert ingest().counted == 1


def test_other_paths_and_unknown_episodes_count_nothing(log: Path, episode: Episode) -> None:
    append(
        log,
        nginx_line(T, "/podcast/audio/onbekend.mp3", sent=SIZE, ua=APP),
        nginx_line(T, f"/podcast/audio/{episode.guid}.mp3/x", sent=SIZE, ua=APP),
        nginx_line(T, f"/podcast/{episode.guid}.mp3", sent=SIZE, ua=APP),
        nginx_line(T, f"/podcast/audio/{episode.guid}.wav", sent=SIZE, ua=APP),
        nginx_line(T, b"/podcast/audio/\xff.mp3", sent=SIZE, ua=APP),
    )
    assert ingest().lines == 5
    assert counted() == 0


def test_audio_served_before_it_was_unpublished_still_counts(log: Path, episode: Episode) -> None:
    append(log, whole(episode), whole(episode, addr="192.0.2.99", ext="m4a"))
    db.session.execute(
        update(Episode).where(Episode.id == episode.id).values(status=EpisodeStatus.DRAFT)
    )
    db.session.commit()
    assert ingest().counted == 2


def test_no_address_or_user_agent_is_stored_anywhere(log: Path, episode: Episode) -> None:
    addresses = ["203.0.113.77", "2001:db8:abcd:12::5"]
    append(log, *(whole(episode, addr=address) for address in addresses))
    assert ingest().counted == 2
    db.session.rollback()
    for table in db.metadata.sorted_tables:
        text = repr(db.session.execute(select(table)).all())
        for secret in [*addresses, "2001:db8:abcd:12", APP]:
            assert secret not in text, f"{secret} in {table.name}"


def test_a_crash_keeps_the_batches_before_it_and_counts_the_rest_once(
    app: Flask, log: Path, episode: Episode
) -> None:
    listeners = [f"192.0.2.{n}" for n in range(1, 8)]
    append(log, *(whole(episode, addr=address) for address in listeners))
    batches = []

    def crash_in_the_second_batch(lines: Sequence[LogLine]) -> int:
        batches.append(len(lines))
        if len(batches) == 2:
            raise OSError("killed")
        return 0

    register_log_handler(app, crash_in_the_second_batch)  # after the podcast's: it has counted
    with pytest.raises(OSError, match="killed"):
        ingest(batch_lines=3)
    assert counted() == 3
    row = db.session.get(AccessLogCursor, app.config["ACCESS_LOG"])
    first_batch = b"".join(whole(episode, addr=address) for address in listeners[:3])
    assert row is not None and row.byte_offset == len(first_batch)
    assert ingest(batch_lines=3).counted == 4
    assert counted() == 7
    assert db.session.scalar(select(func.count(Download.id))) == 7
    assert ingest().lines == 0


def test_a_salt_made_in_a_batch_that_failed_is_never_used(
    app: Flask, log: Path, episode: Episode
) -> None:
    fail = [True]

    def fails_first(lines: Sequence[LogLine]) -> int:
        if fail.pop() if fail else False:
            raise OSError("killed")
        return 0

    register_log_handler(app, fails_first)
    append(log, whole(episode))
    with pytest.raises(OSError, match="killed"):
        ingest()
    db.session.rollback()
    assert db.session.scalars(select(ListenerSalt)).all() == []
    assert ingest().counted == 1
    salt = db.session.scalars(select(ListenerSalt.salt)).one()
    listener = db.session.scalars(select(Download.listener)).one()
    assert listener == visitor_hash(salt, "192.0.2.10", APP)[:40]


def _listening(episode: Episode, listeners: int, first: int, half: int) -> list[bytes]:
    """Each listener fetches one half of the first minute (their first or their second)."""
    start = OFFSET + half * 480_000
    return [
        ranged(episode, start, start + 480_000, addr=f"10.0.{n // 250}.{n % 250}")
        for n in range(first, first + listeners)
    ]


@pytest.mark.parametrize("listeners", [20, 400])
def test_a_batch_costs_the_same_queries_however_many_lines(
    app: Flask, log: Path, episode: Episode, make_episode: Callable[..., Episode], listeners: int
) -> None:
    other = sized(make_episode(title="Tweede"))
    append(log, whole(episode, addr="10.9.9.9"))  # the day's salt exists from here on
    ingest()
    append(log, *_listening(episode, listeners, 0, 0), *_listening(other, listeners, 0, 0))
    ingest()
    # One batch: the second halves of the open windows, and as many new listeners' first.
    batch = [
        *_listening(episode, listeners, 0, 1),
        *_listening(other, listeners, 0, 1),
        *_listening(episode, listeners, listeners, 0),
    ]
    append(log, *batch)
    with count_queries() as statements:
        report = ingest()
    assert (report.lines, report.counted) == (3 * listeners, 2 * listeners)
    # The cursor (look, lock, move, and the empty next round), the episodes, the salts (the
    # day before has none), the open windows, the new windows, the changed ones.
    assert len(statements) <= 10, "\n".join(statements)

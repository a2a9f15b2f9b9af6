"""Download counting after the IAB Podcast Measurement Technical Guidelines 2.1.

Requests reach the counting as nginx logs them: each case is written to the access log in
nginx's format and ingested, the way production counts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask, current_app
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from kispub.core.accesslog import ingest
from kispub.core.storage import get_storage
from kispub.core.visitors import ip_prefix
from kispub.extensions import db
from kispub.podcast.downloads import (
    AudioRequest,
    covered,
    merge_ranges,
    record_request,
    required_bytes,
    rollup_downloads,
)
from kispub.podcast.models import Download, DownloadDay, Episode, ListenerSalt
from kispub.podcast.queries import download_count, editor_overview
from tests.accesslog import append, log_path, nginx_line
from tests.clock import Clock
from tests.podcast.conftest import FIXTURES

APP = "AppleCoreMedia/1.0.0.20E252 (iPhone; U; CPU OS 16_4 like Mac OS X; nl_nl)"
OTHER_APP = "AntennaPod/3.2.0"
IP = "192.0.2.10"
# A 128 kbit/s episode: one minute is 960,000 bytes past a 10,000-byte ID3 tag.
SIZE, OFFSET, BPS = 10_000_000, 10_000, 16_000.0
MINUTE = 960_000
DAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Hit:
    """One served request: bytes [start, stop), from whom, hours after DAY."""

    start: int
    stop: int
    address: str = IP
    agent: str = APP
    hours: float = 0


def full(**kw: Any) -> Hit:
    return Hit(0, SIZE, **kw)


CASES: dict[str, tuple[list[Hit], int]] = {
    "probe 0-1": ([Hit(0, 2)], 0),
    "probes 0-1 many times": ([Hit(0, 2)] * 50, 0),
    "metadata preload of 64 KB": ([Hit(0, 65_536)], 0),
    "tag plus 59 seconds": ([Hit(0, OFFSET + MINUTE - 16_000)], 0),
    "tag plus one minute": ([Hit(0, OFFSET + MINUTE)], 1),
    "one minute from the middle": ([Hit(5_000_000, 5_000_000 + MINUTE)], 1),
    "many small ranges past a minute": (
        [Hit(i * 65_536, (i + 1) * 65_536) for i in range(20)],
        1,
    ),
    "the same half minute requested ten times": ([Hit(0, OFFSET + MINUTE // 2)] * 10, 0),
    "two halves make a minute": (
        [Hit(OFFSET, OFFSET + MINUTE // 2), Hit(OFFSET + MINUTE // 2, OFFSET + MINUTE)],
        1,
    ),
    "full download twice in a day": ([full(), full(hours=6)], 1),
    "same listener 23 hours later": ([full(), full(hours=23)], 1),
    "same listener the next day": ([full(), full(hours=25)], 2),
    "window across UTC midnight": ([full(hours=14), full(hours=16)], 1),
    "three days running": ([full(), full(hours=24.5), full(hours=49)], 3),
    "IPv6 in the same /64": (
        [full(address="2001:db8:1:2::10"), full(address="2001:db8:1:2:ffff::99")],
        1,
    ),
    "IPv6 in different /64s": (
        [full(address="2001:db8:1:2::10"), full(address="2001:db8:1:3::10")],
        2,
    ),
    "IPv4-mapped IPv6 is the IPv4 listener": ([full(), full(address=f"::ffff:{IP}")], 1),
    "two IPv4 addresses": ([full(), full(address="192.0.2.11")], 2),
    "same address, two apps": ([full(), full(agent=OTHER_APP)], 2),
    "search engine bot": ([full(agent="Mozilla/5.0 (compatible; Googlebot/2.1)")], 0),
    "Apple's enclosure check": ([full(agent="iTMS")], 0),
    "server-side podcast sync": ([full(agent="Overcast/1.0 Podcast Sync")], 0),
    "curl": ([full(agent="curl/8.5.0")], 0),
    "no user agent": ([full(agent="")], 0),
}


@pytest.fixture
def episode(make_episode: Callable[..., Episode]) -> Episode:
    return make_episode()


def counted(episode_id: int) -> int:
    db.session.rollback()
    statement = select(func.count(Download.id)).where(
        Download.episode_id == episode_id, Download.counted_at.is_not(None)
    )
    return db.session.scalar(statement) or 0


def play(episode: Episode, hits: list[Hit], size: int = SIZE, offset: int = OFFSET) -> None:
    """Log the hits as nginx would have served them from a file of ``size``, and ingest."""
    dimensions = {"audio_size": size, "audio_offset": offset, "bytes_per_second": BPS}
    db.session.execute(update(Episode).where(Episode.id == episode.id).values(**dimensions))
    db.session.commit()
    lines = [
        nginx_line(
            DAY + timedelta(hours=hit.hours),
            f"/podcast/audio/{episode.guid}.mp3",
            addr=hit.address,
            ua=hit.agent,
            **sent(hit, size),
        )
        for hit in hits
    ]
    append(log_path(current_app), *lines)
    ingest()


def sent(hit: Hit, size: int) -> dict[str, Any]:
    """What nginx logs for the hit: a 200 for the whole file, else a 206 with its range."""
    if (hit.start, hit.stop) == (0, size):
        return {"status": 200, "sent": size}
    range_ = f"bytes {hit.start}-{hit.stop - 1}/{size}"
    return {"status": 206, "sent": hit.stop - hit.start, "content_range": range_}


@pytest.mark.parametrize(("hits", "expected"), CASES.values(), ids=CASES.keys())
def test_iab_counting_rules(episode: Episode, hits: list[Hit], expected: int) -> None:
    play(episode, hits)
    assert counted(episode.id) == expected


@pytest.mark.parametrize(("stop", "expected"), [(40_000, 0), (49_999, 0), (50_000, 1)])
def test_a_file_shorter_than_a_minute_counts_when_all_its_audio_was_requested(
    episode: Episode, stop: int, expected: int
) -> None:
    # 48,000 bytes of audio at 16,000 bytes/s is three seconds: less than a minute.
    play(episode, [Hit(0, stop)], size=50_000, offset=2_000)
    assert counted(episode.id) == expected


def test_no_address_is_stored_and_old_salts_are_deleted(episode: Episode) -> None:
    play(episode, [full(), full(hours=25), full(hours=49)])
    rows = db.session.scalars(select(Download)).all()
    assert len(rows) == 3
    unsalted = {
        hashlib.new(name, f"{IP}{sep}{APP}".encode()).hexdigest()
        for name in ("sha1", "sha256")
        for sep in ("", " ", "|", "\n")
    }
    everything = stored_text()
    assert IP not in everything and APP not in everything and "iPhone" not in everything
    for row in rows:
        assert len(row.listener) == 40 and int(row.listener, 16) >= 0
        assert row.listener[:40] not in {h[:40] for h in unsalted}  # not a plain hash of IP+UA
    assert len({row.listener for row in rows}) == 3  # the daily salt changed the hash
    days = db.session.scalars(select(ListenerSalt.day)).all()
    assert sorted(days) == [(DAY + timedelta(days=1)).date(), (DAY + timedelta(days=2)).date()]


def stored_text() -> str:
    """Every value in every table, as text."""
    db.session.rollback()
    return " ".join(
        repr(row)
        for table in db.metadata.sorted_tables
        for row in db.session.execute(select(table))
    )


def test_record_request_counts_outside_the_ingest_too(episode: Episode) -> None:
    request = AudioRequest(episode.id, SIZE, OFFSET, BPS, 0, SIZE, IP, APP, DAY)
    assert record_request(request) is True
    assert record_request(request) is False
    assert counted(episode.id) == 1


def test_helpers() -> None:
    assert ip_prefix("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert ip_prefix("::ffff:192.0.2.1") == "192.0.2.1"
    assert ip_prefix("not an address") == "not an address"
    assert required_bytes(SIZE, OFFSET, BPS) == MINUTE
    assert required_bytes(50_000, 2_000, BPS) == 48_000
    assert merge_ranges([(0, 10), (20, 30)], (10, 20)) == [(0, 30)]
    assert covered([(0, 100), (200, 300)], 50, 250) == 100


# --- through HTTP ----------------------------------------------------------------------


def nginx_etag(episode: Episode) -> str:
    """The ETag the public folder's file has, as nginx makes it: mtime and size in hex."""
    stat = get_storage().path(episode.audio_key).stat()
    return f'"{int(stat.st_mtime):x}-{stat.st_size:x}"'


def fetch(client: FlaskClient, path: str, method: str = "GET", **headers: str) -> int:
    agent = headers.pop("agent", APP)
    with client.open(
        path,
        method=method,
        headers={"User-Agent": agent, **headers},
        environ_base={"REMOTE_ADDR": headers.pop("address", IP)},
    ) as response:
        response.get_data()
        return response.status_code


def test_served_requests_are_counted_once_per_listener(
    app: Flask, client: FlaskClient, episode: Episode, clock: Clock
) -> None:
    path = f"/podcast/audio/{episode.guid}.mp3"
    size = (FIXTURES / "cbr_tagged.mp3").stat().st_size  # six seconds: the whole file counts
    assert fetch(client, path, "HEAD") == 200
    assert fetch(client, path, Range="bytes=0-1") == 206
    assert fetch(client, path, **{"If-None-Match": nginx_etag(episode)}) == 304
    assert fetch(client, path, Range=f"bytes={size}-") == 416
    assert counted(episode.id) == 0  # nothing counts inside the request
    assert ingest().counted == 0
    assert fetch(client, path, Range=f"bytes=0-{size // 2}") == 206
    assert ingest().counted == 0
    assert fetch(client, path, Range=f"bytes={size // 2}-") == 206
    assert ingest().counted == 1
    assert counted(episode.id) == 1
    assert fetch(client, path) == 200
    assert fetch(client, path, agent="Googlebot/2.1") == 200
    assert ingest().lines == 2
    assert counted(episode.id) == 1
    clock.advance(days=1, seconds=1)
    assert fetch(client, path) == 200
    ingest()
    assert counted(episode.id) == 2


def test_editors_see_download_counts(
    app: Flask, client: FlaskClient, episode: Episode, editor: Any
) -> None:
    listener = app.test_client()  # the editor's session is bound to their own browser
    fetch(listener, f"/podcast/audio/{episode.guid}.mp3")
    fetch(listener, f"/podcast/audio/{episode.guid}.mp3", agent=OTHER_APP)
    assert ingest().counted == 2
    with client.get("/beheer/podcast/") as response:
        html = response.get_data(as_text=True)
    assert '<td class="podcast-downloads">2</td>' in html
    with client.get(f"/beheer/podcast/aflevering/{episode.id}") as response:
        assert "<dt>Downloads</dt><dd>2</dd>" in response.get_data(as_text=True)


def test_closed_windows_roll_up_into_amsterdam_days_and_their_hashes_go(
    app: Flask, clock: Clock, episode: Episode, make_episode: Callable[..., Episode]
) -> None:
    other = make_episode(title="Tweede")
    # 22:30 UTC on 2 March is 23:30 in Amsterdam; 23:30 UTC is already 3 March there.
    play(episode, [full(hours=13.5), full(hours=14.5, agent=OTHER_APP), Hit(0, 2, address="x")])
    play(other, [full(hours=2)])
    clock.now = DAY + timedelta(hours=38)  # windows started up to DAY+14h closed
    with app.test_request_context():
        # Closed by now: the probe (it counted nothing, and goes too), other's, episode's first.
        assert rollup_downloads() == 3
        clock.now = DAY + timedelta(days=3)
        assert rollup_downloads() == 1
        assert rollup_downloads() == 0
    days = db.session.execute(
        select(DownloadDay.episode_id, DownloadDay.day, DownloadDay.downloads).order_by(
            DownloadDay.episode_id, DownloadDay.day
        )
    ).all()
    assert days == [
        (episode.id, date(2026, 3, 2), 1),
        (episode.id, date(2026, 3, 3), 1),
        (other.id, date(2026, 3, 2), 1),
    ]
    assert db.session.scalar(select(func.count(Download.id))) == 0  # no listener hash left
    assert (download_count(episode), download_count(other)) == (2, 1)


def test_counts_add_rolled_up_days_and_open_windows(
    app: Flask, clock: Clock, episode: Episode
) -> None:
    play(episode, [full()])
    clock.now = DAY + timedelta(days=2)
    with app.test_request_context():
        rollup_downloads()
    play(episode, [full(hours=49)])  # a new window, counted, not rolled up yet
    assert download_count(episode) == 2
    assert editor_overview().downloads == {episode.id: 2}

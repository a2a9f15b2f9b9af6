"""Download counting after the IAB Podcast Measurement Technical Guidelines 2.1.

A download is one listener (IP address, IPv6 grouped by /64, plus User-Agent) fetching an
episode within a rolling 24 hours, counted once the byte ranges they requested together
cover at least one minute of audio past the ID3 tag (or the whole audio of a shorter file).
Probes such as ``bytes=0-1`` and metadata preloads therefore never count, and one listener's
many ranges count once. Known bots are left out (:data:`kispub.core.bots.BOT_PATTERNS`).

No address is stored: a listener is an HMAC of IP prefix and User-Agent under a random salt
that changes every UTC day. Yesterday's salt is kept one more day, so a window that crosses
midnight still finds its listener; after that the salt is deleted and the hashes can no
longer be linked to anyone. Once a window has closed it cannot change: the hourly roll-up
adds it to its episode's day (``DownloadDay``) and deletes it, hash and all.
"""

from __future__ import annotations

import math
import secrets
from collections import Counter, OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import bindparam, delete, select
from sqlalchemy.exc import IntegrityError

from kispub.core import clock
from kispub.core.bots import is_bot
from kispub.core.database import write_transaction
from kispub.core.visitors import visitor_hash
from kispub.extensions import db
from kispub.podcast.models import Download, DownloadDay, Episode, ListenerSalt

WINDOW = timedelta(hours=24)
MINIMUM_SECONDS = 60
MAX_RANGES = 64  # a listener's ranges are merged; beyond this many gaps we stop tracking new ones
COUNTED_CACHE_SIZE = 50_000  # counted windows this process remembers, to skip their queries

Interval = tuple[int, int]  # [start, stop) in bytes


@dataclass(frozen=True)
class AudioRequest:
    """One served audio request: which bytes of which episode went to whom, and when."""

    episode_id: int
    size: int
    audio_offset: int
    bytes_per_second: float
    start: int
    stop: int  # exclusive
    address: str
    user_agent: str
    at: datetime


def required_bytes(size: int, audio_offset: int, bytes_per_second: float) -> int:
    """Bytes past the tag that make a download: one minute of audio, or all of a short file."""
    audio = max(size - audio_offset, 1)
    if bytes_per_second <= 0:
        return audio  # no usable rate: only the whole audio counts
    return max(1, min(audio, math.ceil(MINIMUM_SECONDS * bytes_per_second)))


def record_request(request: AudioRequest) -> bool:
    """Add a served request to its listener's window; True when it makes a new download."""
    if is_bot(request.user_agent) or request.stop <= request.start:
        return False
    listeners = _listener_hashes(request)
    if _known_counted(request.episode_id, listeners, request.at):
        return False  # the common case while a counted listener streams on: no query
    window = _open_window(request.episode_id, listeners, request.at)
    if window is not None and window.counted_at is not None:
        _remember_counted(window)
        return False
    with write_transaction() as session:
        # Serialise counting per episode on PostgreSQL (SQLite's BEGIN IMMEDIATE already does).
        session.execute(
            select(Episode.id).where(Episode.id == request.episode_id).with_for_update()
        )
        window = _open_window(request.episode_id, listeners, request.at)
        if window is None:
            window = Download(
                episode_id=request.episode_id,
                listener=listeners[0],
                started_at=request.at,
                ranges="",
            )
            session.add(window)
        elif window.counted_at is not None:
            return False
        ranges = merge_ranges(parse_ranges(window.ranges), (request.start, request.stop))
        window.ranges = format_ranges(ranges)
        needed = required_bytes(request.size, request.audio_offset, request.bytes_per_second)
        if covered(ranges, request.audio_offset, request.size) >= needed:
            window.counted_at = request.at
            _remember_counted(window)
            return True
    return False


def _counted_cache() -> OrderedDict[tuple[int, str], datetime]:
    return current_app.extensions.setdefault("podcast_counted", OrderedDict())


def _known_counted(episode_id: int, listeners: list[str], at: datetime) -> bool:
    """Whether this process already saw the listener's window counted (it stays counted)."""
    cache = _counted_cache()
    return any(
        (started := cache.get((episode_id, listener))) is not None
        and started <= at < started + WINDOW
        for listener in listeners
    )


def _remember_counted(window: Download) -> None:
    cache = _counted_cache()
    cache[(window.episode_id, window.listener)] = window.started_at
    while len(cache) > COUNTED_CACHE_SIZE:
        cache.popitem(last=False)


_OPEN_WINDOW = (
    select(Download)
    .where(
        Download.episode_id == bindparam("episode_id"),
        Download.listener.in_(bindparam("listeners", expanding=True)),
        Download.started_at > bindparam("since"),
        Download.started_at <= bindparam("at"),
    )
    .order_by(Download.started_at.desc())
    .limit(1)
)


def _open_window(episode_id: int, listeners: list[str], at: datetime) -> Download | None:
    """The listener's window on the episode that is still open at ``at``."""
    values = {"episode_id": episode_id, "listeners": listeners, "since": at - WINDOW, "at": at}
    return db.session.scalars(_OPEN_WINDOW, values).first()


# --- roll-up -------------------------------------------------------------------------


def rollup_downloads() -> int:
    """Move closed windows into per-day counts and delete them; returns how many were moved.

    Days are Amsterdam days, as KIS reports them. Runs hourly in the worker. The windows are
    deleted and read in one statement (DELETE ... RETURNING), so two roll-ups running at once
    never count a window twice: the second one finds it gone.
    """
    closed_before = clock.now() - WINDOW
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    with write_transaction() as session:
        moved = session.execute(
            delete(Download)
            .where(Download.started_at <= closed_before)
            .returning(Download.episode_id, Download.counted_at)
        ).all()
        per_day = Counter(
            (episode_id, counted_at.astimezone(zone).date())
            for episode_id, counted_at in moved
            if counted_at is not None  # a window that never reached a minute counts nothing
        )
        for (episode_id, day), downloads in per_day.items():
            row = session.get(DownloadDay, (episode_id, day), with_for_update=True)
            if row is None:
                session.add(DownloadDay(episode_id=episode_id, day=day, downloads=downloads))
            else:
                row.downloads += downloads
    return len(moved)


# --- listeners -------------------------------------------------------------------------


def _listener_hashes(request: AudioRequest) -> list[str]:
    """The listener's hash under today's salt, then under yesterday's if that still exists."""
    today = request.at.date()
    salts = [_salt(today, create=True), _salt(today - timedelta(days=1), create=False)]
    return [
        visitor_hash(salt, request.address, request.user_agent)[:40]
        for salt in salts
        if salt is not None
    ]


def _salt(day: date, *, create: bool) -> str | None:
    # A past day without a salt never gets one, so "none" is cached as well.
    cache: dict[date, str | None] = current_app.extensions.setdefault("podcast_salts", {})
    if day in cache:
        return cache[day]
    row = db.session.get(ListenerSalt, day)
    salt = row.salt if row is not None else (_create_salt(day) if create else None)
    for old in [d for d in cache if d < day - timedelta(days=1)]:
        del cache[old]
    cache[day] = salt
    return salt


def _create_salt(day: date) -> str:
    """Store a fresh salt for the day and forget the ones nobody may use any more."""
    try:
        with write_transaction() as session:
            if session.get(ListenerSalt, day) is None:
                session.add(ListenerSalt(day=day, salt=secrets.token_hex(32)))
            session.execute(delete(ListenerSalt).where(ListenerSalt.day < day - timedelta(days=1)))
    except IntegrityError:
        pass  # another worker stored the day's salt first; use theirs
    row = db.session.get(ListenerSalt, day)
    assert row is not None
    return row.salt


# --- byte ranges -----------------------------------------------------------------------


def parse_ranges(text: str) -> list[Interval]:
    """ "0-100,200-300" to [(0, 100), (200, 300)]."""
    intervals = []
    for part in filter(None, text.split(",")):
        start, _, stop = part.partition("-")
        intervals.append((int(start), int(stop)))
    return intervals


def format_ranges(intervals: list[Interval]) -> str:
    """The stored form of merged intervals."""
    return ",".join(f"{start}-{stop}" for start, stop in intervals)


def merge_ranges(intervals: list[Interval], new: Interval) -> list[Interval]:
    """Sorted, non-overlapping intervals including ``new`` (touching ones are joined)."""
    merged: list[Interval] = []
    for start, stop in sorted([*intervals, new]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        else:
            merged.append((start, stop))
    if len(merged) > MAX_RANGES:
        # Keep the largest; undercounting a pathological client beats an unbounded row.
        merged = sorted(sorted(merged, key=lambda i: i[1] - i[0])[-MAX_RANGES:])
    return merged


def covered(intervals: list[Interval], low: int, high: int) -> int:
    """How many bytes of [low, high) the intervals cover."""
    return sum(max(0, min(stop, high) - max(start, low)) for start, stop in intervals)

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

The requests come from the access log (:mod:`kispub.podcast.logcount`), a batch of lines
at a time inside the ingest's transaction, with the time each request was logged.
"""

from __future__ import annotations

import math
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from kispub.core import clock
from kispub.core.bots import is_bot
from kispub.core.database import after_commit, padded_chunks, write_transaction
from kispub.core.visitors import visitor_hash
from kispub.podcast.models import Download, DownloadDay, ListenerSalt

WINDOW = timedelta(hours=24)
MINIMUM_SECONDS = 60
MAX_RANGES = 64  # a listener's ranges are merged; beyond this many gaps we stop tracking new ones
LISTENERS_PER_QUERY = 1_000  # listeners per window query (a batch of 2,000 lines has <= 4,000)

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
    """Add one served request to its listener's window; True when it makes a new download."""
    return record_requests([request]) == 1


def record_requests(requests: Sequence[AudioRequest]) -> int:
    """Add served requests, in the order served, to their listeners' windows; new downloads.

    Runs in the caller's write transaction (the access-log ingest's batch) or opens one.
    However many requests: one query reads the windows they can touch, one inserts the
    windows they open and one updates the ones they change.
    """
    bots = {agent: is_bot(agent) for agent in {r.user_agent for r in requests}}  # few agents
    listened = [r for r in requests if not bots[r.user_agent] and r.stop > r.start]
    if not listened:
        return 0
    with write_transaction() as session:
        salts = _Salts(session)
        keyed = [(request, salts.listeners(request)) for request in listened]
        windows = _Windows.load(session, keyed)
        made = sum(windows.add(request, listeners) for request, listeners in keyed)
        windows.store(session)
    return made


@dataclass
class _Window:
    """A listener's window while a batch works on it (a ``Download`` row, or one to be)."""

    episode_id: int
    listener: str
    started_at: datetime
    ranges: str = ""
    counted_at: datetime | None = None
    id: int | None = None  # None: opened by this batch
    changed: bool = False


def _add_bytes(window: _Window, request: AudioRequest) -> bool:
    """The rule: merge the request's bytes into the window; True when they make it a download."""
    ranges = merge_ranges(parse_ranges(window.ranges), (request.start, request.stop))
    window.ranges = format_ranges(ranges)
    window.changed = True
    needed = required_bytes(request.size, request.audio_offset, request.bytes_per_second)
    if covered(ranges, request.audio_offset, request.size) >= needed:
        window.counted_at = request.at
        return True
    return False


_WINDOW_COLUMNS = (
    Download.episode_id,
    Download.listener,
    Download.started_at,
    Download.ranges,
    Download.counted_at,
    Download.id,
)


class _Windows:
    """The listener windows a batch of requests can touch, and the ones it opens."""

    def __init__(self, windows: Iterable[_Window]) -> None:
        self.by_listener: dict[tuple[int, str], list[_Window]] = defaultdict(list)
        for window in windows:
            self.by_listener[(window.episode_id, window.listener)].append(window)

    @classmethod
    def load(cls, session: Session, keyed: list[tuple[AudioRequest, list[str]]]) -> _Windows:
        # By listener alone: one probe of the window index each; another episode's window of
        # the same listener is rare and passed over here.
        episodes = {request.episode_id for request, _ in keyed}
        listeners = sorted({listener for _, hashes in keyed for listener in hashes})
        times = [request.at for request, _ in keyed]
        windows: list[_Window] = []
        for chunk in padded_chunks(listeners, LISTENERS_PER_QUERY, ""):  # "" is nobody
            statement = select(*_WINDOW_COLUMNS).where(
                Download.listener.in_(chunk),
                Download.started_at > min(times) - WINDOW,
                Download.started_at <= max(times),
            )
            rows = (_Window(*row) for row in session.execute(statement))
            windows.extend(window for window in rows if window.episode_id in episodes)
        return cls(windows)

    def add(self, request: AudioRequest, listeners: list[str]) -> bool:
        """Add the request to its listener's open window, or open one; True: a new download."""
        window = self._open(request.episode_id, listeners, request.at)
        if window is None:
            window = _Window(request.episode_id, listeners[0], request.at)
            self.by_listener[(request.episode_id, window.listener)].append(window)
        elif window.counted_at is not None:
            return False  # counted once per window, however much more is fetched
        return _add_bytes(window, request)

    def _open(self, episode_id: int, listeners: list[str], at: datetime) -> _Window | None:
        """The listener's window on the episode that is still open at ``at``: the latest."""
        candidates = [
            window
            for listener in listeners
            for window in self.by_listener.get((episode_id, listener), ())
            if at - WINDOW < window.started_at <= at
        ]
        return max(candidates, key=lambda window: window.started_at, default=None)

    def store(self, session: Session) -> None:
        """Insert the new windows and update the changed ones, each in one statement."""
        windows = [w for group in self.by_listener.values() for w in group if w.changed]
        fields = ("episode_id", "listener", "started_at", "ranges", "counted_at")
        new = [{f: getattr(w, f) for f in fields} for w in windows if w.id is None]
        changed = [
            {"window": w.id, "new_ranges": w.ranges, "new_counted_at": w.counted_at}
            for w in windows
            if w.id is not None
        ]
        # Core statements with many parameter sets: one executemany each, where the ORM's
        # bulk insert would send a statement per row to learn the new ids.
        connection = session.connection()
        if new:
            connection.execute(insert(Download), new)
        if changed:
            connection.execute(_UPDATE_WINDOW, changed)


_UPDATE_WINDOW = (
    update(Download)
    .where(Download.id == bindparam("window"))
    .values(ranges=bindparam("new_ranges"), counted_at=bindparam("new_counted_at"))
)


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


class _Salts:
    """The daily salts, for one transaction: a salt it creates is shared once it commits.

    Each process keeps the salts it read (``podcast_salts``), so a batch costs no query for
    them; one made here joins that cache only after the commit, so a rolled-back salt is
    never used to hash anyone.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cache: dict[date, str | None] = current_app.extensions.setdefault("podcast_salts", {})
        self.created: dict[date, str] = {}
        self.missing: set[date] = set()
        self.hashed: dict[tuple[date, str, str], list[str]] = {}  # a listener's many requests

    def listeners(self, request: AudioRequest) -> list[str]:
        """The listener's hash under its day's salt, then under the day before's if it exists."""
        key = (request.at.date(), request.address, request.user_agent)
        if key not in self.hashed:
            today = key[0]
            salts = [
                self.salt(today, create=True),
                self.salt(today - timedelta(days=1), create=False),
            ]
            self.hashed[key] = [
                visitor_hash(salt, request.address, request.user_agent)[:40]
                for salt in salts
                if salt is not None
            ]
        return self.hashed[key]

    def salt(self, day: date, *, create: bool) -> str | None:
        # A stored salt never changes, so the process keeps it. "No salt" is kept for this
        # batch only: another machine's ingest, behind on its own log, may still store one.
        if day in self.created:
            return self.created[day]
        if self.cache.get(day) is not None:
            return self.cache[day]
        if day in self.missing and not create:
            return None
        row = self.session.get(ListenerSalt, day)
        if row is None:
            if create:
                return self._create(day)
            self.missing.add(day)
            return None
        self.cache[day] = row.salt
        for old in [d for d in self.cache if d < day - timedelta(days=1)]:
            del self.cache[old]
        return row.salt

    def _create(self, day: date) -> str:
        """Store a fresh salt for the day and forget the ones nobody may use any more."""
        salt = secrets.token_hex(32)
        self.session.add(ListenerSalt(day=day, salt=salt))
        self.session.execute(delete(ListenerSalt).where(ListenerSalt.day < day - timedelta(days=1)))
        self.created[day] = salt
        after_commit(self._share)
        return salt

    def _share(self) -> None:
        """Once committed: the new salts for the next batches, the deleted ones forgotten."""
        self.cache.update(self.created)
        newest = max(self.created)
        for old in [d for d in self.cache if d < newest - timedelta(days=1)]:
            del self.cache[old]


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

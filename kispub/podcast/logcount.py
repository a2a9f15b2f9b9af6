"""Counting downloads from the access log: the podcast's handler of its lines.

An audio line is a GET of ``/podcast/audio/<guid>.<ext>`` that nginx (or the app) answered
with 200 or 206; the bytes it sent are [0, bytes) for a 200 and [start, start + bytes) for a
206, so a client that broke off counts only what it got. The episode is found by its guid
whatever its state now: the file was served, so the request counts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import bindparam, select

from kispub.core.accesslog import LogLine
from kispub.core.database import padded_chunks
from kispub.extensions import db
from kispub.podcast.downloads import AudioRequest, record_requests
from kispub.podcast.models import Episode
from kispub.podcast.queries import AudioFile

AUDIO_PATH = re.compile(r"/podcast/audio/([^/.]{1,64})\.(?:mp3|m4a|ogg|opus)")


def count_downloads(lines: Sequence[LogLine]) -> int:
    """Apply the IAB rules to the batch's audio requests; how many new downloads they made."""
    served = [(line, guid) for line in lines if (guid := _audio_guid(line)) is not None]
    if not served:
        return 0
    episodes = _episodes({guid for _, guid in served})
    requests = []
    for line, guid in served:
        audio = episodes.get(guid)
        interval = _sent(line)
        if audio is not None and interval is not None:
            requests.append(_request(audio, line, interval))
    return record_requests(requests)


def _audio_guid(line: LogLine) -> str | None:
    if line.method != "GET" or line.status not in (200, 206):
        return None
    match = AUDIO_PATH.fullmatch(line.uri)
    return None if match is None else match[1]


def _sent(line: LogLine) -> tuple[int, int] | None:
    """The bytes [start, stop) of the file the line's answer sent; None when unknown."""
    if line.status == 200:
        return (0, line.bytes)
    if line.range is None:
        return None  # a 206 with several ranges (multipart): which bytes is not logged
    start = line.range.start
    return (start, start + min(line.bytes, line.range.stop - start))


def _episodes(guids: set[str]) -> dict[str, AudioFile]:
    """The audio of the episodes with these guids: one query per 100 episodes in the batch."""
    found = {}
    for chunk in padded_chunks(sorted(guids), GUIDS_PER_QUERY, ""):
        for row in db.session.execute(_AUDIO_BY_GUIDS, {"guids": chunk}):
            found[row.guid] = AudioFile(*row[1:])
    return found


GUIDS_PER_QUERY = 100
_AUDIO_BY_GUIDS = select(
    Episode.guid,
    Episode.id,
    Episode.audio_key,
    Episode.audio_mime,
    Episode.audio_size,
    Episode.audio_offset,
    Episode.bytes_per_second,
).where(Episode.guid.in_(bindparam("guids", expanding=True)))


def _request(audio: AudioFile, line: LogLine, interval: tuple[int, int]) -> AudioRequest:
    return AudioRequest(
        episode_id=audio.episode_id,
        size=audio.size,
        audio_offset=audio.audio_offset,
        bytes_per_second=audio.bytes_per_second,
        start=interval[0],
        stop=min(interval[1], audio.size),
        address=line.addr,
        user_agent=line.ua,
        at=line.time,
    )

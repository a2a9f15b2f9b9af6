"""Content-file sections ``[[podcast_series]]`` and ``[[podcast_episodes]]`` (see README).

Both upsert by slug, so loading a file twice changes nothing: a series keeps its
podcast:guid, an episode its GUID; audio is only replaced when the file's content changed.
Paths (audio, cover, transcript, and chapters when given as a JSON Chapters file) are
relative to the content file.
"""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from kispub.core.storage import content_hash, parse_key
from kispub.core.text import slugify
from kispub.podcast import queries, services
from kispub.podcast.errors import DuplicateNumber
from kispub.podcast.models import Episode, EpisodeStatus, EpisodeType
from kispub.podcast.services import ChapterData, EpisodeData, EpisodeFiles, GuestData, SeriesData

Items = list[dict[str, Any]]
LOCAL = ZoneInfo("Europe/Amsterdam")


def load_series(items: Items, base: Path) -> int:
    """[[podcast_series]] slug, title, description, author, owner_name, owner_email, cover, ..."""
    changed = 0
    for item in items:
        data = _series_data(item)
        cover = (base / item["cover"]).read_bytes()
        existing = queries.series_by_slug(data.slug or slugify(data.title))
        if existing is None:
            services.create_series(data, cover)
            changed += 1
        elif services.update_series(existing.id, data, cover):
            changed += 1
    return changed


def _series_data(item: dict[str, Any]) -> SeriesData:
    return SeriesData(
        title=item["title"],
        author=item["author"],
        owner_name=item["owner_name"],
        owner_email=item["owner_email"],
        description=item.get("description", ""),
        category=item.get("category", "Society & Culture"),
        subcategory=item.get("subcategory"),
        language=item.get("language", "nl"),
        explicit=bool(item.get("explicit", False)),
        copyright=item.get("copyright"),
        new_feed_url=item.get("new_feed_url"),
        slug=item.get("slug"),
    )


def load_episodes(items: Items, base: Path) -> int:
    """[[podcast_episodes]] series, slug, title, audio, publish_at, guests, themes, ..."""
    changed = 0
    for item in items:
        try:
            changed += _load_episode(item, base)
        except DuplicateNumber as error:  # name the episode: the message names only the other
            name = item.get("slug") or item["title"]
            raise ValueError(f"aflevering '{name}': {error}") from error
    return changed


def _load_episode(item: dict[str, Any], base: Path) -> int:
    series = queries.series_by_slug(item["series"])
    if series is None:
        raise ValueError(f"onbekende serie '{item['series']}'")
    data = _episode_data(item, base)
    audio = base / item["audio"]
    transcript = (base / item["transcript"]).read_bytes() if "transcript" in item else None
    episode = queries.episode_in_series(series, data.slug or slugify(data.title))
    with audio.open("rb") as stream:
        if episode is None:
            services.create_episode(series.id, data, EpisodeFiles(stream, transcript=transcript))
            return 1
        return _update_episode(episode, data, stream, transcript)


def _update_episode(
    episode: Episode, data: EpisodeData, audio: BinaryIO, transcript: bytes | None
) -> int:
    """Change what differs from the file, in one service call; 0 when nothing does."""
    new_audio = content_hash(audio) != episode.audio_sha256
    audio.seek(0)
    new_transcript = transcript is not None and (
        episode.transcript_key is None
        or content_hash(io.BytesIO(transcript)) != parse_key(episode.transcript_key).sha256
    )
    if not (new_audio or new_transcript or differs(episode, data)):
        return 0
    files = EpisodeFiles(
        audio if new_audio else None, transcript=transcript if new_transcript else None
    )
    services.update_episode(episode.id, data, files)
    return 1


def _episode_data(item: dict[str, Any], base: Path) -> EpisodeData:
    chapters = _chapters(item.get("chapters"), base)
    return EpisodeData(
        title=item["title"],
        slug=item.get("slug"),
        number=item.get("number"),
        season=item.get("season"),
        episode_type=EpisodeType(item.get("type", "full")),
        show_notes=item.get("show_notes", ""),
        explicit=bool(item.get("explicit", False)),
        status=EpisodeStatus(item.get("status", "published")),
        publish_at=_moment(item.get("publish_at")),
        guests=tuple(
            GuestData(g["name"], g.get("role", "guest"), g.get("description", ""), g.get("url"))
            for g in item.get("guests", [])
        ),
        theme_slugs=tuple(item.get("themes", [])),
        chapters=None
        if chapters is None
        else tuple(ChapterData(int(c["start_ms"]), c["title"]) for c in chapters),
    )


def _chapters(value: Any, base: Path) -> list[dict[str, Any]] | None:
    """Inline ``[{start_ms, title}]``, or the path of a JSON Chapters file (startTime in s)."""
    if not isinstance(value, str):
        return value
    document = json.loads((base / value).read_text(encoding="utf-8"))
    return [
        {"start_ms": round(float(c["startTime"]) * 1000), "title": c["title"]}
        for c in document["chapters"]
    ]


def _moment(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise ValueError(f"publish_at moet een datum met tijd zijn, niet {value!r}")
    return value if value.tzinfo else value.replace(tzinfo=LOCAL)


def differs(episode: Episode, data: EpisodeData) -> bool:
    """Whether saving ``data`` would change the episode (content loading stays idempotent)."""
    publish_at = data.publish_at
    if data.status == EpisodeStatus.PUBLISHED and publish_at is None:
        publish_at = episode.publish_at
    current = (
        episode.title, episode.number, episode.season, episode.episode_type, episode.show_notes,
        episode.explicit, episode.status, episode.publish_at,
        [(g.name, g.role, g.description, g.url) for g in episode.guests],
        sorted(t.slug for t in episode.themes),
    )  # fmt: skip
    wanted = (
        data.title.strip() or episode.title, data.number, data.season, data.episode_type,
        data.show_notes.strip(), data.explicit, data.status, publish_at,
        [(g.name.strip(), g.role, g.description.strip(), g.url or None) for g in data.guests
         if g.name.strip()],
        sorted(set(data.theme_slugs)),
    )  # fmt: skip
    chapters = [{"start_ms": c.start_ms, "title": c.title} for c in data.chapters or ()]
    return current != wanted or (data.chapters is not None and chapters != episode.chapters)

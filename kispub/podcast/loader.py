"""Content-file sections ``[[podcast_series]]`` and ``[[podcast_episodes]]`` (see README).

Both upsert by slug, so loading a file twice changes nothing: a series keeps its
podcast:guid, an episode its GUID; audio is only replaced when the file's content changed.
Paths (audio, cover, transcript) are relative to the content file.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from kispub.core.text import slugify
from kispub.podcast import intake, queries, services
from kispub.podcast.models import Episode, EpisodeStatus, EpisodeType
from kispub.podcast.services import ChapterData, EpisodeData, GuestData, SeriesData

Items = list[dict[str, Any]]
LOCAL = ZoneInfo("Europe/Amsterdam")


def load_series(items: Items, base: Path) -> int:
    """[[podcast_series]] slug, title, description, author, owner_name, owner_email, cover, ..."""
    changed = 0
    for item in items:
        data = _series_data(item)
        cover = intake.store_cover((base / item["cover"]).read_bytes())
        existing = services.series_by_slug(data.slug or slugify(data.title))
        if existing is None:
            services.create_series(data, cover)
            changed += 1
        elif services.update_series(existing, data, cover):
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
    return sum(_load_episode(item, base) for item in items)


def _load_episode(item: dict[str, Any], base: Path) -> int:
    series = services.series_by_slug(item["series"])
    if series is None:
        raise ValueError(f"onbekende serie '{item['series']}'")
    data = _episode_data(item)
    audio = base / item["audio"]
    transcript = (base / item["transcript"]).read_bytes() if "transcript" in item else None
    episode = queries.episode_in_series(series, data.slug or slugify(data.title))
    if episode is None:
        extras = intake.Extras(transcript=transcript)
        with audio.open("rb") as stream:
            intake.import_episode(series, stream, data, extras)
        return 1
    return _update_episode(episode, data, audio, transcript)


def _update_episode(
    episode: Episode, data: EpisodeData, audio: Path, transcript: bytes | None
) -> int:
    changed = 0
    if _sha256(audio) != episode.audio_sha256:
        with audio.open("rb") as stream:
            intake.replace_audio(episode, stream)
        changed = 1
    if transcript is not None and hashlib.sha256(transcript).hexdigest() not in (
        episode.transcript_key or ""
    ):
        intake.set_transcript(episode, transcript)
        changed = 1
    if services.differs(episode, data):
        services.update_episode(episode, data)
        changed = 1
    return changed


def _episode_data(item: dict[str, Any]) -> EpisodeData:
    chapters = item.get("chapters")
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


def _moment(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise ValueError(f"publish_at moet een datum met tijd zijn, niet {value!r}")
    return value if value.tzinfo else value.replace(tzinfo=LOCAL)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()

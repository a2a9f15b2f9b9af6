"""JSON Chapters documents (Podcasting 2.0 format, version 1.2.0)."""

from __future__ import annotations

import json
from collections.abc import Sequence

CHAPTERS_VERSION = "1.2.0"
# The spec's type for podcast:chapters and for serving the file.
CHAPTERS_MIME_TYPE = "application/json+chapters"

ChapterRow = tuple[int, str, str | None]


def _chapter(start_ms: int, title: str, url: str | None) -> dict[str, object]:
    """One chapter object, checked; startTime is seconds as a float."""
    if isinstance(start_ms, bool) or not isinstance(start_ms, int) or start_ms < 0:
        raise ValueError(f"start_ms must be a non-negative integer, got {start_ms!r}")
    if not title.strip():
        raise ValueError(f"chapter at {start_ms} ms has no title")
    item: dict[str, object] = {"startTime": start_ms / 1000, "title": title.strip()}
    if url:
        if not url.startswith(("https://", "http://")):
            raise ValueError(f"chapter url must be absolute http(s), got {url!r}")
        item["url"] = url
    return item


def render_chapters(chapters: Sequence[ChapterRow], title: str) -> bytes:
    """Render (start_ms, title, url) rows as a JSON Chapters document in UTF-8."""
    # Validate before sorting, so a bad start_ms gives our message and not a TypeError.
    rows = [(row[0], _chapter(*row)) for row in chapters]
    # The spec has apps assume ascending startTime, so sort rather than trust the caller.
    rows.sort(key=lambda pair: pair[0])
    starts = [start for start, _ in rows]
    if len(set(starts)) != len(starts):
        raise ValueError("two chapters start at the same time")
    items = [item for _, item in rows]
    doc = {"version": CHAPTERS_VERSION, "title": title, "chapters": items}
    # ensure_ascii=False keeps Dutch text readable; fixed key order and indent keep it stable.
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

"""The 2020 demo podcast: six episodes from kispub/demo/10-podcast.toml, loaded idempotently."""

from __future__ import annotations

import io
import json
import tomllib
from pathlib import Path

import podcastparser
from flask import Flask
from flask.testing import FlaskClient
from mutagen.mp3 import MP3

from kispub.content import DEMO_FOLDER, load_content
from kispub.podcast import queries
from kispub.podcast.media.transcripts import parse_transcript

DEMO = DEMO_FOLDER / "10-podcast.toml"
FEED_URL = "https://kis.example/podcast/denkers-en-doeners/feed.xml"


def load_demo() -> dict[str, int]:
    load_content(DEMO_FOLDER / "00-foundation.toml")
    return load_content(DEMO).changed


def test_the_six_2020_episodes_load_once_and_never_change_guid(
    app: Flask, client: FlaskClient
) -> None:
    assert load_demo() == {"podcast_series": 1, "podcast_episodes": 6}
    series = queries.series_by_slug("denkers-en-doeners")
    assert series is not None and series.cover_key
    episodes = sorted(queries.editor_overview().episodes[series.id], key=lambda e: e.number)
    assert [e.number for e in episodes] == [1, 2, 3, 4, 5, 6]
    assert episodes[0].title == "Karim Bouzid over Rotterdam, een stad zonder meerderheid"
    assert episodes[5].title.startswith("Nadia Haddou over gendergelijkheid")
    assert all(e.publish_at is not None and e.publish_at.year == 2020 for e in episodes)
    assert episodes[0].transcript_type == "text/vtt"
    guids = {e.id: e.guid for e in episodes}
    guid = series.podcast_guid

    assert load_demo() == {"podcast_series": 0, "podcast_episodes": 0}
    again = queries.series_by_slug("denkers-en-doeners")
    assert again is not None and again.podcast_guid == guid
    assert {e.id: e.guid for e in queries.editor_overview().episodes[series.id]} == guids


def test_the_demo_feed_has_every_episode_with_its_real_duration(
    app: Flask, client: FlaskClient
) -> None:
    load_demo()
    items = tomllib.loads(DEMO.read_text())["podcast_episodes"]
    with client.get("/podcast/denkers-en-doeners/feed.xml") as response:
        parsed = podcastparser.parse(FEED_URL, io.BytesIO(response.get_data()))
    by_title = {e["title"]: e for e in parsed["episodes"]}
    assert len(by_title) == 6
    for item in items:
        audio = Path(DEMO.parent, item["audio"])
        episode = by_title[item["title"]]
        assert abs(episode["total_time"] - MP3(audio).info.length) <= 1
        assert episode["enclosures"][0]["file_size"] == audio.stat().st_size
    page = client.get("/podcast/denkers-en-doeners/rotterdam-stad-zonder-meerderheid").text
    assert "Rotterdam, een stad zonder meerderheid" in page
    assert "Karim Bouzid:" in page and "Lotte van Dam:" in page


def _items() -> list[dict[str, object]]:
    return tomllib.loads(DEMO.read_text())["podcast_episodes"]


def test_every_demo_episode_speaks_for_one_to_three_minutes() -> None:
    for item in _items():
        length = MP3(DEMO.parent / str(item["audio"])).info.length
        assert 60 <= length <= 180, (item["audio"], length)
        info = MP3(DEMO.parent / str(item["audio"])).info
        assert (info.channels, info.sample_rate, info.bitrate) == (1, 22050, 32000)
    total = sum((DEMO.parent / str(i["audio"])).stat().st_size for i in _items())
    assert total < 4_000_000


def test_every_demo_episode_has_a_transcript_and_chapters_within_its_audio(
    app: Flask, client: FlaskClient
) -> None:
    load_demo()
    series = queries.series_by_slug("denkers-en-doeners")
    assert series is not None
    episodes = {e.slug: e for e in queries.editor_overview().episodes[series.id]}
    for item in _items():
        length_ms = MP3(DEMO.parent / str(item["audio"])).info.length * 1000
        episode = episodes[str(item["slug"])]
        assert episode.transcript_type == "text/vtt"
        cues = parse_transcript((DEMO.parent / str(item["transcript"])).read_bytes()).cues
        assert len(cues) >= 10
        assert cues[-1].start_ms < cues[-1].end_ms <= length_ms
        assert [c.start_ms for c in cues] == sorted(c.start_ms for c in cues)
        assert len(episode.chapters) >= 3
        assert episode.chapters[0]["start_ms"] == 0
        assert episode.chapters[-1]["start_ms"] < length_ms
        # Each chapter starts where a sentence starts: chapters and transcript agree.
        starts = {c.start_ms for c in cues}
        assert all(min(abs(c["start_ms"] - s) for s in starts) <= 1 for c in episode.chapters[1:])


def test_demo_episodes_name_nobody_like_a_test() -> None:
    text = DEMO.read_text()
    for path in DEMO.parent.glob("media/*.vtt"):
        text += path.read_text()
    for word in ("Test", "Proef", "Voorbeeld", "Lorem", "example.com"):
        assert word not in text


def test_an_episode_takes_its_chapters_from_a_json_chapters_file(
    app: Flask, tmp_path: Path
) -> None:
    load_demo()
    document = {"version": "1.2.0", "chapters": [
        {"startTime": 0, "title": "Opening"}, {"startTime": 12.5, "title": "Het gesprek"},
    ]}  # fmt: skip
    (tmp_path / "hoofdstukken.json").write_text(json.dumps(document))
    (tmp_path / "aflevering.toml").write_text(
        '[[podcast_episodes]]\nseries = "denkers-en-doeners"\nslug = "extra"\n'
        'title = "Een extra aflevering"\npublish_at = 2020-12-01T07:00:00+01:00\n'
        f'audio = "{DEMO.parent / "media" / "aflevering-1.mp3"}"\n'
        'chapters = "hoofdstukken.json"\n'
    )
    load_content(tmp_path / "aflevering.toml")
    series = queries.series_by_slug("denkers-en-doeners")
    assert series is not None
    episode = queries.episode_in_series(series, "extra")
    assert episode is not None
    assert episode.chapters == [
        {"start_ms": 0, "title": "Opening"},
        {"start_ms": 12500, "title": "Het gesprek"},
    ]  # the file's, not the audio's own (ID3) chapters

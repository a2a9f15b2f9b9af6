"""The 2020 demo podcast: six episodes from kispub/demo/10-podcast.toml, loaded idempotently."""

from __future__ import annotations

import io
import tomllib
from pathlib import Path

import podcastparser
from flask import Flask
from flask.testing import FlaskClient
from mutagen.mp3 import MP3

from kispub.content import DEMO_FOLDER, load_content
from kispub.podcast import queries

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
    assert episodes[0].title == "Rotterdamse wethouder Bert Wijbenga"
    assert episodes[5].title.startswith("Kaouthar Darmoni over gendergelijkheid")
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
    page = client.get("/podcast/denkers-en-doeners/bert-wijbenga").get_data(as_text=True)
    assert "Verteller:" in page and "Bert Wijbenga" in page

"""The feed as the app serves it, read back by feedparser, gPodder's podcastparser and lxml."""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import feedparser
import podcastparser
import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree

from kispub.core import public
from kispub.podcast import queries, services
from kispub.podcast.models import Episode, EpisodeStatus, Series
from kispub.podcast.services import GuestData
from tests.clock import Clock
from tests.podcast.conftest import MIME_TYPES, TRUE_SECONDS, make_series
from tests.queries import count_queries

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
}
LEGACY_PODCAST_NS = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
FEED = "/podcast/denkers-en-doeners/feed.xml"
FEED_URL = "https://kis.example" + FEED


@pytest.fixture
def full_feed(make_episode: Callable[..., Episode], clock: Clock) -> list[Episode]:
    """One episode per audio format, a day apart; the MP3 with transcript, guests and themes."""
    episodes = []
    for number, fixture in enumerate(TRUE_SECONDS, start=1):
        clock.advance(days=1)
        extra: dict[str, Any] = {}
        if fixture == "cbr_tagged.mp3":
            extra = {
                "transcript": "gesprek.vtt",
                "guests": (GuestData("Bert Wijbenga", description="wethouder"),),
                "show_notes": "Over **integratie** & samenleven.",
            }
        episodes.append(make_episode(fixture, title=f"Aflevering {number}", number=number, **extra))
    return episodes


def fetch(client: FlaskClient, path: str = FEED, **headers: str) -> Any:
    with client.get(path, headers=headers) as response:
        response.get_data()
        return response


def test_podcast_apps_see_every_episode_with_size_duration_and_type(
    client: FlaskClient, full_feed: list[Episode]
) -> None:
    response = fetch(client)
    assert response.status_code == 200
    assert response.mimetype == "application/rss+xml"
    parsed = podcastparser.parse(FEED_URL, io.BytesIO(response.data))
    assert parsed["title"] == "Denkers en doeners"
    assert parsed["cover_url"].startswith("https://kis.example/podcast/afbeelding/")
    assert parsed["explicit"] is False
    assert parsed["itunes_author"] == "Kennisplatform Integratie & Samenleving"
    assert parsed["itunes_owner"] == {"name": "Redactie KIS", "email": "podcast@kis.example"}
    by_guid = {e["guid"]: e for e in parsed["episodes"]}
    assert len(by_guid) == len(full_feed)
    for episode, fixture in zip(full_feed, TRUE_SECONDS, strict=True):
        item = by_guid[episode.guid]
        assert item["title"] == episode.title
        assert item["link"] == f"https://kis.example/podcast/denkers-en-doeners/{episode.slug}"
        assert abs(item["total_time"] - TRUE_SECONDS[fixture]) <= 1
        [enclosure] = item["enclosures"]
        assert enclosure["mime_type"] == MIME_TYPES[episode.audio_extension]
        assert enclosure["url"].startswith("https://kis.example/podcast/audio/")
        path = enclosure["url"].removeprefix("https://kis.example")
        with client.head(path) as head:
            assert head.status_code == 200
            assert enclosure["file_size"] == int(head.headers["Content-Length"])
            assert head.mimetype == enclosure["mime_type"]
    assert [e["number"] for e in parsed["episodes"]] == [5, 4, 3, 2, 1]  # newest first
    # The MP3's embedded ID3 chapters reach gPodder inline, as Podlove Simple Chapters.
    mp3 = by_guid[full_feed[0].guid]
    assert [c["start"] for c in mp3["chapters"]] == [0, 2, 4]
    assert all(c["title"] for c in mp3["chapters"])


def test_feedparser_reads_the_required_channel_and_item_tags(
    client: FlaskClient, full_feed: list[Episode]
) -> None:
    parsed = feedparser.parse(fetch(client).data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    feed = parsed.feed
    assert feed.title == "Denkers en doeners"
    assert feed.language == "nl"
    assert feed.podcast_guid  # feedparser keeps unknown namespaces' text
    assert feed.image.href.startswith("https://kis.example/podcast/afbeelding/")
    assert any(t["term"] == "Society & Culture" for t in feed.tags)
    self_links = [link.href for link in feed.links if link.rel == "self"]
    assert self_links == [FEED_URL]
    for entry in parsed.entries:
        assert entry.id and entry.guidislink is False
        assert entry.published_parsed is not None
        assert entry.itunes_duration.isdigit()
        assert entry.enclosures[0].type in {"audio/mpeg", "audio/mp4", "audio/ogg"}
    mp3 = next(e for e in parsed.entries if e.id == full_feed[0].guid)
    assert "<strong>integratie</strong>" in mp3.content[0].value


def test_chapters_transcripts_and_persons_are_served_with_their_types(
    client: FlaskClient, full_feed: list[Episode]
) -> None:
    body = fetch(client).data
    root = etree.fromstring(body)
    item = root.find(f"channel/item[guid='{full_feed[0].guid}']")
    assert item is not None
    chapters = item.find("podcast:chapters", NS)
    transcript = item.find("podcast:transcript", NS)
    person = item.find("podcast:person", NS)
    assert chapters is not None and chapters.get("type") == "application/json+chapters"
    assert transcript is not None and transcript.get("type") == "text/vtt"
    assert person is not None and person.text == "Bert Wijbenga" and person.get("role") == "guest"
    served = fetch(client, chapters.get("url").removeprefix("https://kis.example"))
    assert served.status_code == 200 and served.mimetype == "application/json+chapters"
    document = json.loads(served.data)
    assert [c["title"] for c in document["chapters"]] == ["Opening", "Gesprek", "Afsluiting"]
    vtt = fetch(client, transcript.get("url").removeprefix("https://kis.example"))
    assert vtt.status_code == 200 and vtt.mimetype == "text/vtt"
    assert vtt.data.startswith(b"WEBVTT")
    # podcastparser reads the Podcasting 2.0 tags under the namespace URI it knows.
    legacy = body.replace(NS["podcast"].encode(), LEGACY_PODCAST_NS.encode())
    episode = next(
        e
        for e in podcastparser.parse(FEED_URL, io.BytesIO(legacy))["episodes"]
        if e["guid"] == full_feed[0].guid
    )
    assert episode["transcript_url"] == transcript.get("url")
    assert episode["chapters_json_url"] == chapters.get("url")
    assert [p["name"] for p in episode["persons"]] == ["Bert Wijbenga"]


def test_channel_carries_the_stored_podcast_guid(client: FlaskClient, series: Series) -> None:
    root = etree.fromstring(fetch(client).data)
    assert root.findtext("channel/podcast:guid", namespaces=NS) == series.podcast_guid


def test_a_repeat_request_gets_304_by_etag_and_by_date(
    client: FlaskClient, full_feed: list[Episode]
) -> None:
    first = fetch(client)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert "max-age=300" in first.headers["Cache-Control"]
    assert "public" in first.headers["Cache-Control"]
    assert fetch(client, **{"If-None-Match": etag}).status_code == 304
    assert fetch(client, **{"If-Modified-Since": modified}).status_code == 304
    assert fetch(client, **{"If-None-Match": '"something-else"'}).status_code == 200


def test_apps_that_accept_gzip_get_the_same_feed_compressed(
    client: FlaskClient, full_feed: list[Episode]
) -> None:
    plain = fetch(client)
    packed = fetch(client, **{"Accept-Encoding": "gzip, deflate"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert (
        "Accept-Encoding" in packed.headers["Vary"] and "Accept-Encoding" in plain.headers["Vary"]
    )
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) < len(plain.data)
    assert packed.headers["ETag"] != plain.headers["ETag"]
    again = fetch(client, **{"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304


def test_the_feed_is_rendered_once_per_change_not_per_run_or_request(
    app: Flask,
    client: FlaskClient,
    full_feed: list[Episode],
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kispub.podcast.feed import syndication

    renders = []
    real = syndication.build_feed
    monkeypatch.setattr(syndication, "build_feed", lambda *a: renders.append(1) or real(*a))
    etag = fetch(client).headers["ETag"]
    for _ in range(3):
        public.publish()  # the worker's run every minute
        assert fetch(client).headers["ETag"] == etag
    assert renders == []
    episode = queries.episode_for_editing(full_feed[0].id)
    assert episode is not None
    clock.advance(seconds=1)  # time moves on between edits, as it does outside tests
    services.update_episode(episode.id, _data_of(episode, title="Nieuwe titel"))
    changed = fetch(client)
    assert len(renders) == 1 and changed.headers["ETag"] != etag
    assert b"Nieuwe titel" in changed.data


def test_a_served_feed_costs_no_query_whatever_the_number_of_episodes(
    client: FlaskClient, make_episode: Callable[..., Episode]
) -> None:
    make_episode()
    with count_queries() as served:
        assert fetch(client).status_code == 200
    for _ in range(4):
        make_episode(guests=(GuestData("Gast"),))
    with count_queries() as served_more:
        assert fetch(client, **{"Accept-Encoding": "gzip"}).status_code == 200
    assert served == served_more == []


def test_scheduled_episode_enters_the_feed_on_the_first_run_after_it_is_due(
    app: Flask, client: FlaskClient, make_episode: Callable[..., Episode], clock: Clock
) -> None:
    make_episode(title="Nu")
    later = make_episode(title="Straks", publish_at=clock.now + timedelta(hours=2))
    first = fetch(client)
    assert later.guid.encode() not in first.data
    clock.advance(hours=1, minutes=59)
    public.publish()
    assert fetch(client, **{"If-None-Match": first.headers["ETag"]}).status_code == 304
    clock.advance(minutes=2)
    public.publish()
    due = fetch(client, **{"If-None-Match": first.headers["ETag"]})
    assert due.status_code == 200
    assert later.guid.encode() in due.data


def test_drafts_are_never_in_the_feed(
    client: FlaskClient, make_episode: Callable[..., Episode]
) -> None:
    draft = make_episode(status=EpisodeStatus.DRAFT)
    assert draft.guid.encode() not in fetch(client).data


def test_a_moved_feed_answers_301_and_names_the_new_address(
    app: Flask, client: FlaskClient, series: Series, make_episode: Callable[..., Episode]
) -> None:
    make_episode()
    new = "https://podcasts.example.org/kis/feed.xml"
    services.update_series(series.id, _series_data(series, new_feed_url=new))
    response = fetch(client)
    assert response.status_code == 301
    assert response.headers["Location"] == new
    root = etree.fromstring(response.data)
    assert root.findtext("channel/itunes:new-feed-url", namespaces=NS) == new
    assert podcastparser.parse(FEED_URL, io.BytesIO(response.data))["new_url"] == new


def test_unknown_series_is_404_and_the_default_feed_redirects(
    app: Flask, client: FlaskClient, series: Series
) -> None:
    assert fetch(client, "/podcast/bestaat-niet/feed.xml").status_code == 404
    make_series(app, "Tweede serie")
    response = fetch(client, "/podcast/feed.xml")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(FEED)


def _data_of(episode: Episode, **changes: Any) -> services.EpisodeData:
    return services.EpisodeData(
        title=changes.get("title", episode.title),
        number=episode.number,
        status=episode.status,
        publish_at=episode.publish_at,
        theme_slugs=tuple(t.slug for t in episode.themes),
        guests=tuple(GuestData(g.name, g.role, g.description, g.url) for g in episode.guests),
    )


def _series_data(series: Series, **changes: Any) -> services.SeriesData:
    return services.SeriesData(
        title=series.title,
        author=series.author,
        owner_name=series.owner_name,
        owner_email=series.owner_email,
        description=series.description,
        **changes,
    )

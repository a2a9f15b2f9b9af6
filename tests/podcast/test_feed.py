"""Tests for the podcast RSS feed, read back with lxml, feedparser and gPodder's podcastparser."""

from __future__ import annotations

import dataclasses
import io
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import feedparser
import podcastparser
import pytest
from lxml import etree

from kispub.podcast.feed.rss import FeedEpisode, FeedSeries, Person, podcast_guid, render_feed

# Spelled out here, not imported, so a typo in the code cannot hide in both places.
NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "psc": "http://podlove.org/simple-chapters",
}
# The pre-2021 URI that the spec says clients must treat as the same namespace.
LEGACY_PODCAST_NS = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
FEED_URL = "https://www.kis.nl/podcast/feed.xml"
CET = timezone(timedelta(hours=1))

HOST = Person(
    "Anna de Vries",
    role="host",
    href="https://www.kis.nl/mensen/anna",
    img="https://www.kis.nl/media/anna.jpg",
)
GUEST = Person("Bram Jansen")

SERIES = FeedSeries(
    title="KIS Podcast",
    description="Gesprekken over integratie & samenleving.",
    link="https://www.kis.nl/podcast",
    feed_url=FEED_URL,
    author="Kennisplatform Integratie & Samenleving",
    owner_name="Redactie KIS",
    owner_email="podcast@kis.nl",
    image_url="https://www.kis.nl/media/podcast/cover.jpg",
    updated_at=datetime(2025, 3, 11, 12, 0, tzinfo=UTC),
    subcategory="Documentary",
    copyright="© 2025 KIS",
    funding_url="https://www.kis.nl/steun",
    funding_text="Steun het KIS",
    persons=(HOST,),
)

FULL = FeedEpisode(
    guid="kis-podcast-s1e2",
    title="Taal en werk",
    link="https://www.kis.nl/podcast/taal-en-werk",
    description_html='<p>Shownotes met <a href="https://www.kis.nl">link</a> &amp; meer.</p>',
    summary_text="Shownotes met link & meer.",
    published_at=datetime(2025, 3, 10, 10, 0, tzinfo=CET),
    enclosure_url="https://media.kis.nl/podcast/s1e2.mp3",
    enclosure_length=48_123_456,
    enclosure_type="audio/mpeg",
    duration_seconds=3723,
    number=2,
    season=1,
    transcript_url="https://www.kis.nl/podcast/taal-en-werk/transcript.vtt",
    transcript_type="text/vtt",
    chapters_url="https://www.kis.nl/podcast/taal-en-werk/chapters.json",
    chapters=((754_500, "Over de nieuwe wet"), (0, "Intro")),
    persons=(HOST, GUEST),
)
BONUS = FeedEpisode(
    guid="kis-podcast-bonus-1",
    title="Bonus: achter de schermen",
    link="https://www.kis.nl/podcast/bonus-1",
    description_html="<p>Extra.</p>",
    summary_text="Extra.",
    published_at=datetime(2025, 2, 14, 8, 30, tzinfo=UTC),
    enclosure_url="https://media.kis.nl/podcast/bonus-1.m4a",
    enclosure_length=7_654_321,
    enclosure_type="audio/mp4",
    duration_seconds=905,
    season=1,
    episode_type="bonus",
    explicit=True,
    image_url="https://www.kis.nl/media/podcast/bonus-1.png",
    transcript_url="https://www.kis.nl/podcast/bonus-1/transcript.srt",
    transcript_type="application/x-subrip",
    persons=(GUEST,),
)
TRAILER = FeedEpisode(
    guid="kis-podcast-trailer",
    title="Trailer",
    link="https://www.kis.nl/podcast/trailer",
    description_html="<p>Binnenkort.</p>",
    summary_text="Binnenkort.",
    published_at=datetime(2025, 1, 6, 7, 0, tzinfo=UTC),
    enclosure_url="https://media.kis.nl/podcast/trailer.ogg",
    enclosure_length=1_048_576,
    enclosure_type="audio/ogg",
    duration_seconds=59,
    season=1,
    episode_type="trailer",
)
EPISODES = (TRAILER, FULL, BONUS)  # deliberately not in feed order
NEWEST_FIRST = (FULL, BONUS, TRAILER)
PUBDATES = {
    FULL.guid: "Mon, 10 Mar 2025 09:00:00 +0000",
    BONUS.guid: "Fri, 14 Feb 2025 08:30:00 +0000",
    TRAILER.guid: "Mon, 06 Jan 2025 07:00:00 +0000",
}


@pytest.fixture(scope="module")
def feed() -> bytes:
    """The rendered feed for SERIES and EPISODES."""
    return render_feed(SERIES, EPISODES)


@pytest.fixture(scope="module")
def channel(feed: bytes) -> etree._Element:
    """The <channel> element, parsed with lxml."""
    return etree.fromstring(feed).find("channel")


@pytest.fixture(scope="module")
def items(channel: etree._Element) -> dict[str, etree._Element]:
    """The <item> elements by guid."""
    return {item.findtext("guid"): item for item in channel.findall("item")}


@pytest.fixture(scope="module")
def pparsed(feed: bytes) -> dict[str, Any]:
    """The feed as gPodder's podcastparser reads it."""
    return podcastparser.parse(FEED_URL, io.BytesIO(feed))


def attrs(elem: etree._Element | None) -> dict[str, str]:
    """The attributes of an element, failing clearly when it is missing."""
    assert elem is not None
    return dict(elem.attrib)


def persons(parent: etree._Element) -> list[tuple[str, dict[str, str]]]:
    """Each podcast:person as (name, attributes)."""
    return [(p.text, dict(p.attrib)) for p in parent.findall("podcast:person", NS)]


# --- lxml: exact XML --------------------------------------------------------------------------


def test_namespace_uris_are_exact(feed: bytes) -> None:
    root = etree.fromstring(feed)
    assert root.tag == "rss"
    assert root.get("version") == "2.0"
    assert root.nsmap == NS
    assert feed.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<rss ")


def test_channel_rss_elements(channel: etree._Element) -> None:
    assert channel.findtext("title") == "KIS Podcast"
    assert channel.findtext("link") == "https://www.kis.nl/podcast"
    assert channel.findtext("description") == "Gesprekken over integratie & samenleving."
    assert channel.findtext("language") == "nl"
    assert channel.findtext("copyright") == "© 2025 KIS"
    assert channel.findtext("lastBuildDate") == "Tue, 11 Mar 2025 12:00:00 +0000"
    assert channel.findtext("pubDate") == PUBDATES[FULL.guid]
    assert attrs(channel.find("atom:link", NS)) == {
        "href": FEED_URL,
        "rel": "self",
        "type": "application/rss+xml",
    }


def test_channel_itunes_elements(channel: etree._Element) -> None:
    assert channel.findtext("itunes:author", namespaces=NS) == SERIES.author
    assert channel.findtext("itunes:owner/itunes:name", namespaces=NS) == "Redactie KIS"
    assert channel.findtext("itunes:owner/itunes:email", namespaces=NS) == "podcast@kis.nl"
    assert attrs(channel.find("itunes:image", NS)) == {"href": SERIES.image_url}
    category = channel.find("itunes:category", NS)
    assert attrs(category) == {"text": "Society & Culture"}
    assert [attrs(sub) for sub in category] == [{"text": "Documentary"}]
    assert [e.text for e in channel.findall("itunes:explicit", NS)] == ["false"]
    assert channel.findtext("itunes:type", namespaces=NS) == "episodic"
    assert channel.find("itunes:new-feed-url", NS) is None


def test_channel_podcasting20_elements(channel: etree._Element) -> None:
    assert channel.findtext("podcast:guid", namespaces=NS) == podcast_guid(FEED_URL)
    locked = channel.find("podcast:locked", NS)
    assert (locked.text, attrs(locked)) == ("yes", {"owner": "podcast@kis.nl"})
    funding = channel.find("podcast:funding", NS)
    assert (funding.text, attrs(funding)) == ("Steun het KIS", {"url": "https://www.kis.nl/steun"})
    assert persons(channel) == [
        ("Anna de Vries", {"role": "host", "href": HOST.href, "img": HOST.img})
    ]


def test_items_newest_first_with_opaque_guids(channel: etree._Element) -> None:
    guids = channel.findall("item/guid")
    assert [g.text for g in guids] == [ep.guid for ep in NEWEST_FIRST]
    assert {g.get("isPermaLink") for g in guids} == {"false"}


@pytest.mark.parametrize("ep", NEWEST_FIRST, ids=lambda ep: ep.episode_type)
def test_item_rss_elements(items: dict[str, etree._Element], ep: FeedEpisode) -> None:
    item = items[ep.guid]
    assert item.findtext("title") == ep.title
    assert item.findtext("link") == ep.link
    assert item.findtext("description") == ep.description_html
    assert item.findtext("content:encoded", namespaces=NS) == ep.description_html
    assert item.findtext("pubDate") == PUBDATES[ep.guid]
    assert attrs(item.find("enclosure")) == {
        "url": ep.enclosure_url,
        "length": str(ep.enclosure_length),
        "type": ep.enclosure_type,
    }


@pytest.mark.parametrize("ep", NEWEST_FIRST, ids=lambda ep: ep.episode_type)
def test_item_itunes_elements(items: dict[str, etree._Element], ep: FeedEpisode) -> None:
    item = items[ep.guid]

    def text(tag: str) -> str | None:
        return item.findtext(f"itunes:{tag}", namespaces=NS)

    assert text("duration") == str(ep.duration_seconds)
    assert text("episodeType") == ep.episode_type
    assert text("season") == "1"
    assert text("episode") == (str(ep.number) if ep.number else None)
    assert [e.text for e in item.findall("itunes:explicit", NS)] == [str(ep.explicit).lower()]
    assert text("summary") == ep.summary_text
    image = item.find("itunes:image", NS)
    assert (image.get("href") if image is not None else None) == ep.image_url


def test_item_podcasting20_elements(items: dict[str, etree._Element]) -> None:
    full, bonus, trailer = (items[ep.guid] for ep in NEWEST_FIRST)
    assert attrs(full.find("podcast:transcript", NS)) == {
        "url": FULL.transcript_url,
        "type": "text/vtt",
        "language": "nl",
        "rel": "captions",
    }
    assert attrs(full.find("podcast:chapters", NS)) == {
        "url": FULL.chapters_url,
        "type": "application/json+chapters",
    }
    assert persons(full) == [
        ("Anna de Vries", {"role": "host", "href": HOST.href, "img": HOST.img}),
        ("Bram Jansen", {"role": "guest"}),
    ]
    assert full.findtext("podcast:season", namespaces=NS) == "1"
    assert full.findtext("podcast:episode", namespaces=NS) == "2"
    assert attrs(bonus.find("podcast:transcript", NS))["type"] == "application/x-subrip"
    assert bonus.find("podcast:chapters", NS) is None
    assert persons(bonus) == [("Bram Jansen", {"role": "guest"})]
    assert trailer.find("podcast:transcript", NS) is None
    assert trailer.find("podcast:episode", NS) is None
    assert persons(trailer) == []


# --- feedparser ---------------------------------------------------------------------------------


def test_feedparser_reads_the_channel(feed: bytes) -> None:
    parsed = feedparser.parse(feed)
    assert not parsed.bozo, parsed.get("bozo_exception")
    info = parsed.feed
    assert (info.title, info.link, info.language) == ("KIS Podcast", SERIES.link, "nl")
    assert info.image.href == SERIES.image_url
    assert info.publisher_detail == {"name": "Redactie KIS", "email": "podcast@kis.nl"}
    assert [(t.term, t.scheme) for t in info.tags] == [
        ("Society & Culture", "http://www.itunes.com/"),
        ("Documentary", "http://www.itunes.com/"),
    ]
    assert info.itunes_type == "episodic"
    assert {"href": FEED_URL, "rel": "self", "type": "application/rss+xml"} in info.links
    assert info.podcast_guid == podcast_guid(FEED_URL)
    assert info.podcast_locked == {"owner": "podcast@kis.nl"}
    assert info.updated_parsed[:6] == (2025, 3, 11, 12, 0, 0)


def test_feedparser_reads_the_items(feed: bytes) -> None:
    entries = feedparser.parse(feed).entries
    assert [e.id for e in entries] == [ep.guid for ep in NEWEST_FIRST]
    for entry, ep in zip(entries, NEWEST_FIRST, strict=True):
        assert entry.guidislink is False
        assert entry.enclosures == [
            {
                "href": ep.enclosure_url,
                "length": str(ep.enclosure_length),
                "type": ep.enclosure_type,
            }
        ]
        assert entry.itunes_duration == str(ep.duration_seconds)
        assert entry.itunes_episodetype == ep.episode_type
        assert entry.itunes_season == "1"
        assert entry.get("itunes_episode") == (str(ep.number) if ep.number else None)
        assert entry.published_parsed[:5] == ep.published_at.astimezone(UTC).timetuple()[:5]
        assert entry.content[0].value == ep.description_html


def test_feedparser_reads_podcasting20_item_tags(feed: bytes) -> None:
    full = feedparser.parse(feed).entries[0]
    assert full.podcast_transcript == {
        "url": FULL.transcript_url,
        "type": "text/vtt",
        "language": "nl",
        "rel": "captions",
    }
    assert full.podcast_chapters == {"url": FULL.chapters_url, "type": "application/json+chapters"}
    assert (full.podcast_season, full.podcast_episode) == ("1", "2")


# --- podcastparser (gPodder) ---------------------------------------------------------------------


def test_podcastparser_reads_the_channel(pparsed: dict[str, Any]) -> None:
    assert pparsed["title"] == "KIS Podcast"
    assert pparsed["link"] == SERIES.link
    assert pparsed["language"] == "nl"
    assert pparsed["description"] == SERIES.description
    assert pparsed["cover_url"] == SERIES.image_url
    assert pparsed["itunes_author"] == SERIES.author
    assert pparsed["itunes_owner"] == {"name": "Redactie KIS", "email": "podcast@kis.nl"}
    assert pparsed["itunes_categories"] == [["Society & Culture", "Documentary"]]
    assert pparsed["explicit"] is False
    assert pparsed["type"] == "episodic"
    assert "new_url" not in pparsed


def test_podcastparser_reads_the_episodes(pparsed: dict[str, Any]) -> None:
    episodes = pparsed["episodes"]
    assert [e["guid"] for e in episodes] == [ep.guid for ep in NEWEST_FIRST]
    for parsed, ep in zip(episodes, NEWEST_FIRST, strict=True):
        assert parsed["title"] == ep.title
        assert parsed["link"] == ep.link
        assert parsed["enclosures"] == [
            {
                "url": ep.enclosure_url,
                "file_size": ep.enclosure_length,
                "mime_type": ep.enclosure_type,
            }
        ]
        assert parsed["total_time"] == ep.duration_seconds
        assert parsed["published"] == int(ep.published_at.timestamp())
        assert parsed["type"] == ep.episode_type
        assert parsed["season"] == 1
        assert parsed.get("number") == ep.number
        assert parsed["explicit"] is ep.explicit
        assert parsed.get("episode_art_url") == ep.image_url
        assert parsed["description"] == ep.summary_text
        assert parsed["description_html"] == ep.description_html


def test_podcastparser_does_not_know_the_official_podcast_namespace(
    pparsed: dict[str, Any],
) -> None:
    # podcastparser 0.6.11 only maps the legacy GitHub URI; when this starts failing it has
    # learned the official one and the legacy-URI test below can read our feed as served.
    full = pparsed["episodes"][0]
    assert {"transcript_url", "chapters_json_url", "persons"}.isdisjoint(full)
    assert {"funding_url", "import_prohibited"}.isdisjoint(pparsed)


def test_podcastparser_reads_podcasting20_tags_under_the_legacy_uri(feed: bytes) -> None:
    legacy = feed.replace(NS["podcast"].encode(), LEGACY_PODCAST_NS.encode())
    assert legacy != feed
    parsed = podcastparser.parse(FEED_URL, io.BytesIO(legacy))
    assert parsed["funding_url"] == "https://www.kis.nl/steun"
    assert parsed["import_prohibited"] is True
    full, bonus, trailer = parsed["episodes"]
    assert full["transcript_url"] == FULL.transcript_url
    assert full["chapters_json_url"] == FULL.chapters_url
    assert full["persons"] == [
        {"name": "Anna de Vries", "role": "host", "group": "cast", **_links(HOST)},
        {"name": "Bram Jansen", "role": "guest", "group": "cast", "href": None, "img": None},
    ]
    assert bonus["transcript_url"] == BONUS.transcript_url
    assert "chapters_json_url" not in bonus
    assert "transcript_url" not in trailer
    assert "persons" not in trailer


def _links(person: Person) -> dict[str, str | None]:
    """The href and img of a person as podcastparser reports them."""
    return {"href": person.href, "img": person.img}


# --- options and invariants ---------------------------------------------------------------------


def test_explicit_series_and_new_feed_url() -> None:
    series = dataclasses.replace(
        SERIES, explicit=True, new_feed_url="https://feeds.kis.nl/podcast.xml", locked=False
    )
    feed = render_feed(series, [FULL])
    channel = etree.fromstring(feed).find("channel")
    assert channel.findtext("itunes:explicit", namespaces=NS) == "true"
    assert channel.findtext("itunes:new-feed-url", namespaces=NS) == series.new_feed_url
    assert channel.findtext("podcast:locked", namespaces=NS) == "no"
    parsed = podcastparser.parse(FEED_URL, io.BytesIO(feed))
    assert (parsed["explicit"], parsed["new_url"]) == (True, series.new_feed_url)
    assert feedparser.parse(feed).feed["itunes_new-feed-url"] == series.new_feed_url


def test_stored_guid_wins_over_the_computed_one() -> None:
    stored = "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    feed = render_feed(dataclasses.replace(SERIES, guid=stored), [])
    channel = etree.fromstring(feed).find("channel")
    assert channel.findtext("podcast:guid", namespaces=NS) == stored
    assert channel.find("item") is None
    assert channel.find("pubDate") is None


def test_output_is_deterministic(feed: bytes) -> None:
    assert render_feed(SERIES, EPISODES) == feed
    assert render_feed(SERIES, list(reversed(EPISODES))) == feed
    later = dataclasses.replace(SERIES, updated_at=datetime(2025, 3, 12, 8, 0, tzinfo=CET))
    diff = set(render_feed(later, EPISODES).splitlines()) ^ set(feed.splitlines())
    assert diff == {
        b"    <lastBuildDate>Tue, 11 Mar 2025 12:00:00 +0000</lastBuildDate>",
        b"    <lastBuildDate>Wed, 12 Mar 2025 07:00:00 +0000</lastBuildDate>",
    }


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # The two examples in the podcast:guid spec (docs/tags/guid.md).
        ("https://mp3s.nashownotes.com/pc20rss.xml", "917393e3-1b1e-5cef-ace4-edaa54e1f810"),
        ("http://mp3s.nashownotes.com/pc20rss.xml", "917393e3-1b1e-5cef-ace4-edaa54e1f810"),
        ("https://podnews.net/rss", "9b024349-ccf0-5f69-a609-6b82873eab3c"),
        ("https://podnews.net/rss//", "9b024349-ccf0-5f69-a609-6b82873eab3c"),
        ("podnews.net/rss", "9b024349-ccf0-5f69-a609-6b82873eab3c"),
    ],
)
def test_podcast_guid_matches_the_spec_examples(url: str, expected: str) -> None:
    assert podcast_guid(url) == expected


def _episode(**changes: Any) -> FeedEpisode:
    """FULL with some fields changed."""
    return dataclasses.replace(FULL, **changes)


REJECTED_SERIES = {
    "unknown category": ({"category": "Podcasting"}, "Apple Podcasts category"),
    "wrong subcategory": ({"subcategory": "Golf"}, "not a subcategory"),
    "podcast type": ({"podcast_type": "daily"}, "episodic or serial"),
    "naive updated_at": ({"updated_at": datetime(2025, 1, 1)}, "timezone-aware"),
    "relative image": ({"image_url": "/media/cover.jpg"}, "absolute"),
    "owner e-mail": ({"owner_email": "redactie"}, "e-mail"),
}


@pytest.mark.parametrize(
    ("changes", "message"), REJECTED_SERIES.values(), ids=REJECTED_SERIES.keys()
)
def test_rejects_invalid_series(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        render_feed(dataclasses.replace(SERIES, **changes), [FULL])


REJECTED_EPISODES = {
    "audio/mp3": ([_episode(enclosure_type="audio/mp3")], "not allowed"),
    "zero length": ([_episode(enclosure_length=0)], "file size"),
    "episode type": ([_episode(episode_type="teaser")], "episode_type"),
    "transcript type": ([_episode(transcript_type="text/plain")], "transcript type"),
    "transcript without type": ([_episode(transcript_type=None)], "go together"),
    "season zero": ([_episode(season=0)], "positive"),
    "naive pubDate": (
        [_episode(published_at=datetime(2025, 1, 1))],
        "timezone-aware",
    ),
    "duplicate guid": ([FULL, _episode(title="Kopie")], "duplicate"),
}


@pytest.mark.parametrize(
    ("episodes", "message"), REJECTED_EPISODES.values(), ids=REJECTED_EPISODES.keys()
)
def test_rejects_invalid_episodes(episodes: list[FeedEpisode], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        render_feed(SERIES, episodes)


def test_serial_podcast_needs_episode_numbers() -> None:
    serial = dataclasses.replace(SERIES, podcast_type="serial")
    with pytest.raises(ValueError, match="episode number"):
        render_feed(serial, [_episode(number=None)])
    # Trailers and bonus episodes may go without a number.
    assert b"<itunes:type>serial</itunes:type>" in render_feed(serial, [FULL, TRAILER, BONUS])


def test_chapters_are_inline_as_podlove_simple_chapters_for_gpodder(
    pparsed: dict[str, Any], feed: bytes
) -> None:
    # gPodder reads psc:chapters without fetching the JSON chapters file.
    full, bonus, _trailer = pparsed["episodes"]
    assert full["chapters"] == [
        {"start": 0, "title": "Intro"},
        {"start": 754, "title": "Over de nieuwe wet"},  # podcastparser keeps whole seconds
    ]
    assert "chapters" not in bonus
    item = etree.fromstring(feed).find("channel/item", NS)
    assert attrs(item.find("psc:chapters", NS)) == {"version": "1.2"}
    assert [attrs(c) for c in item.find("psc:chapters", NS)] == [
        {"start": "00:00:00.000", "title": "Intro"},
        {"start": "00:12:34.500", "title": "Over de nieuwe wet"},
    ]

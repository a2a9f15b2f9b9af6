"""The podcast RSS feed: Apple Podcasts tags plus the Podcasting 2.0 namespace."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator

from kispub.core.text import scrub
from kispub.podcast.feed.extensions import register_extensions
from kispub.podcast.media.chapters import CHAPTERS_MIME_TYPE

# Apple Podcasts categories and subcategories as listed in Podcasts Connect since 2019.
APPLE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": (
        "Careers",
        "Entrepreneurship",
        "Investing",
        "Management",
        "Marketing",
        "Non-Profit",
    ),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": (
        "Alternative Health",
        "Fitness",
        "Medicine",
        "Mental Health",
        "Nutrition",
        "Sexuality",
    ),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": (
        "Animation & Manga",
        "Automotive",
        "Aviation",
        "Crafts",
        "Games",
        "Hobbies",
        "Home & Garden",
        "Video Games",
    ),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": (
        "Business News",
        "Daily News",
        "Entertainment News",
        "News Commentary",
        "Politics",
        "Sports News",
        "Tech News",
    ),
    "Religion & Spirituality": (
        "Buddhism",
        "Christianity",
        "Hinduism",
        "Islam",
        "Judaism",
        "Religion",
        "Spirituality",
    ),
    "Science": (
        "Astronomy",
        "Chemistry",
        "Earth Sciences",
        "Life Sciences",
        "Mathematics",
        "Natural Sciences",
        "Nature",
        "Physics",
        "Social Sciences",
    ),
    "Society & Culture": (
        "Documentary",
        "Personal Journals",
        "Philosophy",
        "Places & Travel",
        "Relationships",
    ),
    "Sports": (
        "Baseball",
        "Basketball",
        "Cricket",
        "Fantasy Sports",
        "Football",
        "Golf",
        "Hockey",
        "Rugby",
        "Running",
        "Soccer",
        "Swimming",
        "Tennis",
        "Volleyball",
        "Wilderness",
        "Wrestling",
    ),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}

# audio/mp3 is not a registered type and Apple rejects it; these are the ones we serve.
ENCLOSURE_TYPES = frozenset({"audio/mpeg", "audio/mp4", "audio/ogg"})
TRANSCRIPT_TYPES = frozenset({"text/vtt", "application/x-subrip"})
EPISODE_TYPES = frozenset({"full", "trailer", "bonus"})
PODCAST_TYPES = frozenset({"episodic", "serial"})

# The "podcast" namespace UUID of the Podcasting 2.0 podcast:guid spec.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


@dataclass(frozen=True)
class Person:
    """A podcast:person; role and group follow the Podcast Taxonomy Project."""

    name: str
    role: str = "guest"
    href: str | None = None
    img: str | None = None


@dataclass(frozen=True)
class FeedSeries:
    """Channel-level data of one podcast series."""

    title: str
    description: str
    link: str
    feed_url: str
    author: str
    owner_name: str
    owner_email: str
    image_url: str
    updated_at: datetime
    language: str = "nl"
    category: str = "Society & Culture"
    subcategory: str | None = None
    explicit: bool = False
    podcast_type: str = "episodic"
    copyright: str | None = None
    locked: bool = True
    funding_url: str | None = None
    funding_text: str | None = None
    new_feed_url: str | None = None
    # The spec's guid is fixed once and survives URL moves: store it and pass it here.
    guid: str | None = None
    persons: tuple[Person, ...] = ()


@dataclass(frozen=True)
class FeedEpisode:
    """Item-level data of one published episode."""

    guid: str
    title: str
    link: str
    description_html: str
    summary_text: str
    published_at: datetime
    enclosure_url: str
    enclosure_length: int
    enclosure_type: str
    duration_seconds: int
    number: int | None = None
    season: int | None = None
    episode_type: str = "full"
    explicit: bool = False
    image_url: str | None = None
    transcript_url: str | None = None
    transcript_type: str | None = None
    chapters_url: str | None = None
    chapters: tuple[tuple[int, str], ...] = ()  # (start in ms, title), also written inline
    # Item persons replace the channel's in apps, so include the hosts here too.
    persons: tuple[Person, ...] = ()


def podcast_guid(feed_url: str) -> str:
    """The podcast:guid for a feed URL: UUIDv5 of the URL without scheme and trailing slashes."""
    bare = _SCHEME.sub("", feed_url.strip()).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def _utc(value: datetime, field: str) -> datetime:
    """The datetime in UTC; naive ones are refused rather than guessed."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{field} must be timezone-aware")
    return value.astimezone(UTC)


def _require_url(value: str | None, field: str) -> None:
    """Refuse relative or non-http URLs, which podcast apps cannot resolve."""
    if value is not None and not value.startswith(("https://", "http://")):
        raise ValueError(f"{field} must be an absolute http(s) URL, got {value!r}")


def _validate_series(series: FeedSeries) -> None:
    """Check the channel data against Apple's rules."""
    for field in ("link", "feed_url", "image_url", "funding_url", "new_feed_url"):
        _require_url(getattr(series, field), field)
    subcategories = APPLE_CATEGORIES.get(series.category)
    if subcategories is None:
        raise ValueError(f"not an Apple Podcasts category: {series.category!r}")
    if series.subcategory is not None and series.subcategory not in subcategories:
        raise ValueError(f"{series.subcategory!r} is not a subcategory of {series.category!r}")
    if series.podcast_type not in PODCAST_TYPES:
        raise ValueError(f"podcast_type must be episodic or serial, got {series.podcast_type!r}")
    if "@" not in series.owner_email:
        raise ValueError("owner_email must be an e-mail address")
    _utc(series.updated_at, "updated_at")


def _validate_media(ep: FeedEpisode) -> None:
    """Check the enclosure, transcript and chapters of one episode."""
    for field in ("link", "enclosure_url", "image_url", "transcript_url", "chapters_url"):
        _require_url(getattr(ep, field), f"{ep.guid}: {field}")
    if ep.enclosure_type not in ENCLOSURE_TYPES:
        raise ValueError(f"{ep.guid}: enclosure type {ep.enclosure_type!r} not allowed")
    if ep.enclosure_length <= 0:
        raise ValueError(f"{ep.guid}: enclosure_length must be the file size in bytes")
    if (ep.transcript_url is None) != (ep.transcript_type is None):
        raise ValueError(f"{ep.guid}: transcript_url and transcript_type go together")
    if ep.transcript_type is not None and ep.transcript_type not in TRANSCRIPT_TYPES:
        raise ValueError(f"{ep.guid}: transcript type {ep.transcript_type!r} not allowed")


def _validate_episode(ep: FeedEpisode, podcast_type: str) -> None:
    """Check one episode against Apple's rules."""
    _validate_media(ep)
    if ep.episode_type not in EPISODE_TYPES:
        raise ValueError(f"{ep.guid}: episode_type {ep.episode_type!r} not allowed")
    if ep.duration_seconds < 0:
        raise ValueError(f"{ep.guid}: duration_seconds must not be negative")
    for field in ("number", "season"):
        value = getattr(ep, field)
        if value is not None and value <= 0:
            raise ValueError(f"{ep.guid}: {field} must be a positive integer")
    # Apple lists serial shows by episode number, so full episodes must have one.
    if podcast_type == "serial" and ep.episode_type == "full" and ep.number is None:
        raise ValueError(f"{ep.guid}: a serial podcast needs an episode number")
    _utc(ep.published_at, f"{ep.guid}: published_at")


def _newest_first(series: FeedSeries, episodes: Sequence[FeedEpisode]) -> list[FeedEpisode]:
    """Validate the episodes and order them newest first, guid breaking ties."""
    seen: set[str] = set()
    for ep in episodes:
        _validate_episode(ep, series.podcast_type)
        if ep.guid in seen:
            raise ValueError(f"duplicate episode guid {ep.guid!r}")
        seen.add(ep.guid)
    return sorted(
        episodes, key=lambda ep: (_utc(ep.published_at, "published_at"), ep.guid), reverse=True
    )


def _set_channel(fg: FeedGenerator, series: FeedSeries, newest: FeedEpisode | None) -> None:
    """Fill the RSS and iTunes channel elements."""
    fg.title(series.title)
    # feedgen writes the *last* link as RSS <link>, so the self link must come first.
    fg.link(href=series.feed_url, rel="self", type="application/rss+xml")
    fg.link(href=series.link, rel="alternate")
    fg.description(series.description)
    fg.language(series.language)
    fg.generator("kispub")
    # From the data, never "now": the same series must give the same bytes.
    fg.lastBuildDate(_utc(series.updated_at, "updated_at"))
    if newest is not None:
        fg.pubDate(_utc(newest.published_at, "published_at"))
    if series.copyright:
        fg.copyright(series.copyright)
    fg.podcast.itunes_author(series.author)
    fg.podcast.itunes_owner(name=series.owner_name, email=series.owner_email)
    fg.podcast.itunes_image(series.image_url)
    fg.podcast.itunes_category(cat=series.category, sub=series.subcategory)
    fg.podcast.itunes_explicit(series.explicit)
    fg.podcast.itunes_type(series.podcast_type)
    if series.new_feed_url:
        fg.podcast.itunes_new_feed_url(series.new_feed_url)


def _set_channel_pc20(fg: FeedGenerator, series: FeedSeries) -> None:
    """Fill the Podcasting 2.0 channel elements."""
    fg.podcastindex.guid(series.guid or podcast_guid(series.feed_url))
    fg.podcastindex.locked(series.locked, owner=series.owner_email)
    if series.funding_url:
        fg.podcastindex.funding(series.funding_url, series.funding_text or "Steun deze podcast")
    for person in series.persons:
        fg.podcastindex.person(person.name, person.role, person.href, person.img)


def _set_item_itunes(fe: FeedEntry, ep: FeedEpisode) -> None:
    """Fill the iTunes elements of one item."""
    fe.podcast.itunes_duration(str(ep.duration_seconds))
    if ep.summary_text:
        fe.podcast.itunes_summary(ep.summary_text)
    fe.podcast.itunes_explicit(ep.explicit)
    fe.podcast.itunes_episode_type(ep.episode_type)
    if ep.number is not None:
        fe.podcast.itunes_episode(ep.number)
    if ep.season is not None:
        fe.podcast.itunes_season(ep.season)
    if ep.image_url:
        fe.podcast.itunes_image(ep.image_url)


def _set_item_pc20(fe: FeedEntry, ep: FeedEpisode, language: str) -> None:
    """Fill the Podcasting 2.0 elements of one item."""
    if ep.transcript_url and ep.transcript_type:
        # VTT and SRT carry timecodes, which is what rel="captions" announces.
        fe.podcastindex.transcript(ep.transcript_url, ep.transcript_type, language, "captions")
    if ep.chapters_url:
        fe.podcastindex.chapters(ep.chapters_url, CHAPTERS_MIME_TYPE)
    for person in ep.persons:
        fe.podcastindex.person(person.name, person.role, person.href, person.img)
    if ep.season is not None:
        fe.podcastindex.season(ep.season)
    if ep.number is not None:
        fe.podcastindex.episode(ep.number)


def _add_item(fg: FeedGenerator, ep: FeedEpisode, language: str) -> None:
    """Append one episode as an RSS item."""
    fe = fg.add_entry(order="append")
    fe.guid(ep.guid, permalink=False)
    fe.title(ep.title)
    fe.link(href=ep.link)
    fe.description(ep.description_html)
    fe.content(ep.description_html)
    fe.pubDate(_utc(ep.published_at, "published_at"))
    fe.enclosure(ep.enclosure_url, str(ep.enclosure_length), ep.enclosure_type)
    _set_item_itunes(fe, ep)
    _set_item_pc20(fe, ep, language)
    fe.psc.chapters(ep.chapters)


def render_feed(series: FeedSeries, episodes: Sequence[FeedEpisode]) -> bytes:
    """Render the series and its published episodes as RSS 2.0 bytes (UTF-8), newest first."""
    # Rows stored before the text rule may hold what XML cannot carry; lxml would refuse.
    series, episodes = scrub(series), scrub(list(episodes))
    _validate_series(series)
    ordered = _newest_first(series, episodes)
    fg = FeedGenerator()
    register_extensions(fg)
    _set_channel(fg, series, ordered[0] if ordered else None)
    _set_channel_pc20(fg, series)
    for ep in ordered:
        _add_item(fg, ep, series.language)
    return fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)

"""feedgen extensions: Apple's iTunes tags done right and the Podcasting 2.0 namespace."""

from __future__ import annotations

from dataclasses import dataclass

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.ext.podcast import PodcastExtension
from feedgen.ext.podcast_entry import PodcastEntryExtension
from feedgen.feed import FeedGenerator
from lxml import etree

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
# Podlove Simple Chapters: chapters inline in the feed, read by gPodder (podcastparser) and
# other apps that do not fetch podcast:chapters files.
PSC_NS = "http://podlove.org/simple-chapters"

# Registration names: "podcast" replaces feedgen's stock iTunes extension under the name
# load_extension("podcast") would use, so fg.podcast / entry.podcast keep working.
ITUNES_EXT = "podcast"
PODCASTINDEX_EXT = "podcastindex"
PODLOVE_EXT = "psc"


def _itunes(parent: etree._Element, tag: str) -> etree._Element:
    """Append an itunes:<tag> child to parent."""
    return etree.SubElement(parent, f"{{{ITUNES_NS}}}{tag}")


def _pc20(parent: etree._Element, tag: str, text: str | None = None, **attrs: str | None) -> None:
    """Append a podcast:<tag> child with text and the attributes that are set."""
    elem = etree.SubElement(parent, f"{{{PODCAST_NS}}}{tag}")
    for name, value in attrs.items():
        if value is not None:
            elem.set(name, value)
    if text is not None:
        elem.text = text


def _write_image_and_explicit(
    parent: etree._Element, image: str | None, explicit: bool | None
) -> None:
    """Write itunes:image and itunes:explicit the way Apple documents them today."""
    if image:
        _itunes(parent, "image").set("href", image)
    if explicit is not None:
        # Apple's spec: "true" or "false"; feedgen 1.0 only knows the retired yes/no/clean.
        _itunes(parent, "explicit").text = "true" if explicit else "false"


def _check_explicit(value: object) -> bool:
    """Accept only a real bool for itunes:explicit."""
    if not isinstance(value, bool):
        raise TypeError("itunes:explicit takes True or False")
    return value


class _AppleTagsMixin:
    """Own storage for itunes:image and itunes:explicit, bypassing feedgen's checks."""

    _kis_image: str | None = None
    _kis_explicit: bool | None = None

    def itunes_image(self, itunes_image: str | None = None) -> str | None:
        """Get or set the artwork URL; any absolute URL, since stored media has no suffix rule."""
        if itunes_image is not None:
            self._kis_image = itunes_image
        return self._kis_image

    def itunes_explicit(self, itunes_explicit: bool | None = None) -> bool | None:
        """Get or set itunes:explicit as a bool, written as true/false."""
        if itunes_explicit is not None:
            self._kis_explicit = _check_explicit(itunes_explicit)
        return self._kis_explicit


class ItunesExtension(_AppleTagsMixin, PodcastExtension):
    """Channel iTunes tags: feedgen's, with itunes:explicit written as true/false."""

    def extend_rss(self, rss_feed: etree._Element) -> etree._Element:
        """Write feedgen's iTunes channel tags, then image and explicit."""
        rss_feed = super().extend_rss(rss_feed)
        _write_image_and_explicit(rss_feed[0], self._kis_image, self._kis_explicit)
        return rss_feed


class ItunesEntryExtension(_AppleTagsMixin, PodcastEntryExtension):
    """Item iTunes tags: feedgen's, with itunes:explicit written as true/false."""

    def extend_rss(self, entry: etree._Element) -> etree._Element:
        """Write feedgen's iTunes item tags, then image and explicit."""
        entry = super().extend_rss(entry)
        _write_image_and_explicit(entry, self._kis_image, self._kis_explicit)
        return entry


@dataclass(frozen=True)
class PersonTag:
    """One podcast:person: node value and its optional attributes."""

    name: str
    role: str | None = None
    href: str | None = None
    img: str | None = None


class _PersonsMixin:
    """podcast:person support shared by channel and item."""

    def __init__(self) -> None:
        super().__init__()
        self._kis_persons: list[PersonTag] = []

    def person(
        self, name: str, role: str | None = None, href: str | None = None, img: str | None = None
    ) -> list[PersonTag]:
        """Add a podcast:person; the spec forbids a blank name."""
        if not name.strip():
            raise ValueError("podcast:person needs a name")
        self._kis_persons.append(PersonTag(name.strip(), role, href, img))
        return list(self._kis_persons)

    def _write_persons(self, parent: etree._Element) -> None:
        """Append every podcast:person in the order added."""
        for p in self._kis_persons:
            _pc20(parent, "person", p.name, role=p.role, href=p.href, img=p.img)


class PodcastIndexExtension(_PersonsMixin, BaseExtension):
    """Channel tags of the Podcasting 2.0 namespace: guid, locked, funding, person."""

    def __init__(self) -> None:
        super().__init__()
        self._guid: str | None = None
        self._locked: tuple[bool, str | None] | None = None
        self._funding: list[tuple[str, str]] = []

    def extend_ns(self) -> dict[str, str]:
        """Declare the namespace under the prefix the spec suggests."""
        return {"podcast": PODCAST_NS}

    def guid(self, value: str) -> None:
        """Set podcast:guid (see feed.podcast_guid)."""
        self._guid = value

    def locked(self, value: bool, owner: str | None = None) -> None:
        """Set podcast:locked yes/no with the owner e-mail used to verify moves."""
        self._locked = (_check_explicit(value), owner)

    def funding(self, url: str, text: str) -> None:
        """Add a podcast:funding link with its call to action."""
        self._funding.append((url, text))

    def extend_rss(self, rss_feed: etree._Element) -> etree._Element:
        """Append the Podcasting 2.0 channel tags."""
        channel = rss_feed[0]
        if self._guid:
            _pc20(channel, "guid", self._guid)
        if self._locked is not None:
            value, owner = self._locked
            _pc20(channel, "locked", "yes" if value else "no", owner=owner)
        for url, text in self._funding:
            _pc20(channel, "funding", text, url=url)
        self._write_persons(channel)
        return rss_feed


class PodcastIndexEntryExtension(_PersonsMixin, BaseEntryExtension):
    """Item tags of the Podcasting 2.0 namespace: transcript, chapters, person, season, episode."""

    def __init__(self) -> None:
        super().__init__()
        self._transcripts: list[dict[str, str | None]] = []
        self._chapters: tuple[str, str] | None = None
        self._season: int | None = None
        self._episode: int | None = None

    def transcript(
        self, url: str, mime_type: str, language: str | None = None, rel: str | None = None
    ) -> None:
        """Add a podcast:transcript; rel="captions" marks a timed file."""
        self._transcripts.append({"url": url, "type": mime_type, "language": language, "rel": rel})

    def chapters(self, url: str, mime_type: str) -> None:
        """Set podcast:chapters."""
        self._chapters = (url, mime_type)

    def season(self, number: int) -> None:
        """Set podcast:season."""
        self._season = number

    def episode(self, number: int) -> None:
        """Set podcast:episode."""
        self._episode = number

    def extend_rss(self, entry: etree._Element) -> etree._Element:
        """Append the Podcasting 2.0 item tags."""
        for attrs in self._transcripts:
            _pc20(entry, "transcript", **attrs)
        if self._chapters is not None:
            _pc20(entry, "chapters", url=self._chapters[0], type=self._chapters[1])
        self._write_persons(entry)
        if self._season is not None:
            _pc20(entry, "season", str(self._season))
        if self._episode is not None:
            _pc20(entry, "episode", str(self._episode))
        return entry


class PodloveChaptersExtension(BaseExtension):
    """Declares the psc namespace on the channel (feedgen only asks feed-level extensions)."""

    def extend_ns(self) -> dict[str, str]:
        """The psc prefix."""
        return {"psc": PSC_NS}


class PodloveChaptersEntryExtension(BaseEntryExtension):
    """An item's chapters as psc:chapters (Podlove Simple Chapters 1.2)."""

    def __init__(self) -> None:
        super().__init__()
        self._chapters: tuple[tuple[int, str], ...] = ()

    def chapters(self, chapters: tuple[tuple[int, str], ...]) -> None:
        """Set the chapters as (start in milliseconds, title) pairs."""
        self._chapters = tuple(sorted(chapters))

    def extend_rss(self, entry: etree._Element) -> etree._Element:
        """Append psc:chapters when there are chapters."""
        if self._chapters:
            container = etree.SubElement(entry, f"{{{PSC_NS}}}chapters", version="1.2")
            for start_ms, title in self._chapters:
                etree.SubElement(
                    container, f"{{{PSC_NS}}}chapter", start=_npt(start_ms), title=title
                )
        return entry


def _npt(milliseconds: int) -> str:
    """Normal Play Time as Podlove wants it: HH:MM:SS.mmm."""
    seconds, ms = divmod(milliseconds, 1000)
    minutes, secs = divmod(seconds, 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}:{secs:02d}.{ms:03d}"


def register_extensions(fg: FeedGenerator) -> None:
    """Register the iTunes and Podcasting 2.0 extensions on a fresh FeedGenerator."""
    # Registered under ITUNES_EXT instead of fg.load_extension("podcast"), which would load
    # the stock classes; both cannot be loaded under the same name.
    fg.register_extension(ITUNES_EXT, ItunesExtension, ItunesEntryExtension)
    fg.register_extension(PODCASTINDEX_EXT, PodcastIndexExtension, PodcastIndexEntryExtension)
    fg.register_extension(PODLOVE_EXT, PodloveChaptersExtension, PodloveChaptersEntryExtension)

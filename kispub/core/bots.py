"""User-Agents that are not readers or listeners: crawlers, checkers and pre-fetchers.

Shared by every channel that counts (podcast downloads, dossier views and downloads), so
that a bot left out of one count is left out of all.
"""

from __future__ import annotations

import re

# A small hand-picked list in the spirit of the IAB/ABC spiders & bots list and the OPAWG
# user-agents-v2 "bots" file (github.com/opawg/user-agents-v2): search engines, feed and
# enclosure checkers of podcast directories, server-side importers and transcribers, and
# generic HTTP libraries. Extend it when the logs show a new one.
BOT_PATTERNS: tuple[str, ...] = (
    # Generic words and tools.
    r"(?<!cu)bot(?:[/ ;)+_-]|$)",  # "SomethingBot/1.0"; not the CUBOT phone brand
    r"crawler",
    r"spider",
    r"^curl|libcurl|PycURL",
    r"^Wget",
    r"python-requests|python-urllib|aiohttp|httpx",
    r"^Go-http-client",
    r"^Java/",
    r"libwww-perl",
    r"HeadlessChrome",
    r"Feed ?Parser|Feed ?Fetcher",
    r"^Mozilla(/5\.0)?$",
    # Search engines and link previews.
    r"Googlebot|Google-Podcast|Mediapartners-Google|AdsBot-Google",
    r"bingbot|BingPreview|adidxbot",
    r"Applebot|DuckDuckBot|YandexBot|Baiduspider|PetalBot|Bytespider",
    r"facebookexternalhit|Facebot|meta-externalagent",
    r"Twitterbot|LinkedInBot|Slackbot|Discordbot|WhatsApp|TelegramBot",
    r"GPTBot|ClaudeBot|CCBot|AhrefsBot|SemrushBot|MJ12bot|DotBot",
    # Podcast directories' enclosure checks and server-side pre-fetchers.
    r"iTMS|itunesstored",
    r"^Overcast/1\.0 Podcast Sync",
    r"Podcast Sync",
    r"PodcastIndex|Podcastindex\.org",
    r"PodbeanFeedReader|Podbean Importer|Buzzsprout Importer|Pinecast/Importer",
    r"ListenNotes|PodchaserParser|Podscribe|PodscanBot|podnews",
    r"Spotify/1\.0 \(Podcast Ingestion\)|^Spotify-Podcast-Ingest",
    r"AmazonNewsContentService|Amazon Music Podcast",
    r"PandoraRSSCrawler|Deezer Podcasters|iHeartRadio.*Ingest",
    r"op3-fetcher|Trackable/|CastFeedValidator|PodUptime",
    r"Podcast Transcriber|PodcastTranscriber|Overcast%20Transcriber",
)

_BOTS = re.compile("|".join(f"(?:{p})" for p in BOT_PATTERNS), re.IGNORECASE)


def is_bot(user_agent: str | None) -> bool:
    """Whether a request with this User-Agent is not a person (no User-Agent: not one)."""
    agent = (user_agent or "").replace("\n", " ").strip()
    return not agent or _BOTS.search(agent) is not None

"""The podcast's block on the home page: the newest episode."""

from __future__ import annotations

import re

from flask import url_for
from flask_babel import gettext as _

from kispub.core.highlights import Highlight, HighlightBlock
from kispub.core.markdown import markdown_to_text
from kispub.podcast import queries

SUMMARY_CHARS = 220


def latest_episode_block() -> HighlightBlock | None:
    """The newest visible episode, with the start of its show notes; two queries."""
    episodes = queries.latest_episodes(limit=1)
    if not episodes:
        return None
    episode = episodes[0]
    card = Highlight(
        title=episode.title,
        url=url_for("podcast.episode", series=episode.series.slug, episode=episode.slug),
        kind_label=_("Podcast"),
        moment=episode.publish_at,
        summary=_opening(markdown_to_text(episode.show_notes)),
        meta=_("Aflevering %(number)s", number=episode.number) if episode.number else "",
    )
    return HighlightBlock(
        key="podcast",
        heading=_("Nieuwste podcastaflevering"),
        items=(card,),
        more_url=url_for("podcast.index"),
        more_label=_("Alle afleveringen"),
    )


def _opening(text: str) -> str:
    """The whole sentences that fit in SUMMARY_CHARS; else the words that do, and "…"."""
    if len(text) <= SUMMARY_CHARS:
        return text
    sentences = re.split(r"(?<=[.?!])\s+", text)
    shown = ""
    for sentence in sentences:
        if len(shown) + len(sentence) + 1 > SUMMARY_CHARS:
            break
        shown = f"{shown} {sentence}".strip()
    return shown or text[:SUMMARY_CHARS].rsplit(" ", 1)[0] + "…"

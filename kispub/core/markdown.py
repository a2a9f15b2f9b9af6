"""Markdown to safe HTML: markdown-it renders, nh3 keeps only harmless tags."""

from __future__ import annotations

import html
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

from kispub.core.text import clean_text

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "li", "ol",
    "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # "js-default" is CommonMark with raw HTML off; nh3 still cleans what remains.
    return MarkdownIt("js-default", {"linkify": False, "typographer": False}).enable("table")


def render_markdown(text: str) -> Markup:
    """Render Markdown written by editors or members to sanitised HTML."""
    return Markup(_rendered(text or ""))  # noqa: S704 - sanitised


# Pages show the same texts over and over (a dossier's introduction on every request); the
# rendering depends on the text alone, so recent results are kept, keyed by the text itself.
@lru_cache(maxsize=512)
def _rendered(text: str) -> str:
    return sanitise_html(_parser().render(text))


def sanitise_html(html: str) -> str:
    """Keep only harmless tags and attributes; links get rel="noopener noreferrer nofollow"."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def markdown_to_text(text: str) -> str:
    """Plain text of a Markdown document (for summaries, feeds, calendars and meta tags).

    Plain means *not escaped*: "A & B" stays "A & B". Every writer escapes once for its own
    format (Jinja autoescaping, lxml in the feeds, icalendar, ``tojson``); text that came
    back escaped here was escaped twice there, and podcast apps showed "&amp;".
    """
    return _plain(text or "")


@lru_cache(maxsize=512)
def _plain(text: str) -> str:
    # nh3 drops the tags but returns HTML (entities escaped); unescape once to get the text.
    # What the unescaping brings back (&#1; in the source) goes through the stored-text rule.
    return clean_text(html.unescape(nh3.clean(_rendered(text), tags=set()))).strip()

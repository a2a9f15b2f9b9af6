"""A post's Markdown to stored HTML: sanitised, with @handle mentions linked to profiles.

Mentions are resolved on the server when a post is written (and again when it is edited):
only approved members' handles become links, matched whatever the letter case; an unknown
handle stays plain text. Mentions in code, in links and in e-mail addresses are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser

from flask import current_app
from sqlalchemy import func, select

from kispub.accounts.models import User
from kispub.community.directory import listed
from kispub.community.models import Member
from kispub.core.markdown import render_markdown, sanitise_html
from kispub.extensions import db

# "@" not glued to a word (so not an e-mail address), then a handle as members.HANDLE has it.
MENTION = re.compile(r"(?<![\w@./-])@([a-z0-9](?:[a-z0-9-]{0,28}[a-z0-9])?)(?![\w-])", re.I)
# Text inside these elements is never turned into a link.
LITERAL = {"a", "code", "pre"}


@dataclass(frozen=True)
class Rendered:
    """A post's HTML and the members it mentions."""

    html: str
    mentioned: frozenset[int]  # user ids


def render_post(body: str) -> Rendered:
    """Render a post's Markdown and link the mentions of approved members."""
    html = str(render_markdown(body))
    members = _members(m.lower() for m in MENTION.findall(_outside_literals(html)))
    linker = _MentionLinker({handle: _profile_path(handle) for handle in members})
    linker.feed(html)
    linker.close()
    # Sanitised again: the linked HTML was rebuilt, so it passes the same rules as any other.
    clean = sanitise_html("".join(linker.out))
    return Rendered(clean, frozenset(members[h] for h in linker.linked))


def _members(handles: Iterable[str]) -> dict[str, int]:
    """The approved members among these (lowercase) handles: handle -> user id."""
    wanted = set(handles)
    if not wanted:
        return {}
    statement = (
        select(func.lower(Member.handle), Member.user_id)
        .join(User, User.id == Member.user_id)
        .where(func.lower(Member.handle).in_(wanted), listed())
    )
    return dict(db.session.execute(statement).all())


def _profile_path(handle: str) -> str:
    # Built without a request (the content loader runs from the command line); the path is
    # stored in the post, so it is root-relative rather than tied to one host name.
    return current_app.url_map.bind("localhost").build("community.profile", {"handle": handle})


def _outside_literals(html: str) -> str:
    """The text of the HTML outside links and code (where a mention may be linked)."""
    collector = _MentionLinker({})
    collector.feed(html)
    collector.close()
    return "\n".join(collector.text)


class _MentionLinker(HTMLParser):
    """Rebuilds sanitised HTML, linking known mentions in text outside links and code."""

    def __init__(self, paths: dict[str, str]) -> None:
        super().__init__(convert_charrefs=True)
        self.paths = paths
        self.out: list[str] = []
        self.text: list[str] = []
        self.linked: set[str] = set()
        self.literal_depth = 0
        # Per open link: its address, and whether it has shown any text yet.
        self.links: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")
        if tag in LITERAL:
            self.literal_depth += 1
        if tag == "a":
            self.links.append((dict(attrs).get("href") or "", False))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.links:
            href, has_text = self.links.pop()
            if not has_text:
                # An image link whose image the sanitiser removed: show where it leads, so
                # the link keeps a name (an empty link is invisible to screen readers).
                self.out.append(escape(href, quote=False))
        self.out.append(f"</{tag}>")
        if tag in LITERAL and self.literal_depth:
            self.literal_depth -= 1

    def handle_data(self, data: str) -> None:
        if self.links and data.strip():
            self.links[-1] = (self.links[-1][0], True)
        if self.literal_depth:
            self.out.append(escape(data, quote=False))
            return
        self.text.append(data)
        self.out.append(self._linked_text(data))

    def _linked_text(self, text: str) -> str:
        """Escaped text with the known mentions in it linked."""
        pieces, last = [], 0
        for match in MENTION.finditer(text):
            path = self.paths.get(match[1].lower())
            if path is None:
                continue
            self.linked.add(match[1].lower())
            pieces.append(escape(text[last : match.start()], quote=False))
            pieces.append(f'<a href="{escape(path)}">@{escape(match[1])}</a>')
            last = match.end()
        pieces.append(escape(text[last:], quote=False))
        return "".join(pieces)

"""Small text helpers every feature shares, and the one rule for text the site stores.

Whatever the site stores ends up in XML (the podcast feed), iCalendar, e-mail headers and
``Content-Disposition``. XML 1.0 cannot carry C0 control characters other than tab, newline
and carriage return, lone surrogates, U+FFFE or U+FFFF; headers and iCalendar property
values cannot carry a line break. So all text that comes in — forms, content files, audio
tags, transcripts, the CLI — goes through ``clean_text`` (multi-line text) or ``clean_line``
(a title, a name, a slug), and the feed and calendar writers apply the same rule once more
to what was stored before the rule existed.

The rule repairs rather than refuses: these characters are invisible, arrive by pasting
(Word writes a manual line break as U+000B) or from a file's tags, and a visitor could not
see, let alone fix, what a message about them would point at. Removing them loses nothing
a reader could see; a line break in a one-line field becomes a space.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

# What XML 1.0 (section 2.2, "Char") cannot carry, plus DEL, which e-mail headers refuse and
# no one types on purpose. Tab, LF and CR are handled separately (they mean something).
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# Everything ``str.splitlines`` breaks a line on: a mail header folder or an iCalendar writer
# may treat any of them as a line end, so a one-line value must not keep one.
_LINE_BREAKS = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_SPACES = re.compile(r"[\t ]*(?:\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\t])[\t ]*")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def clean_text(text: str) -> str:
    """Multi-line text made safe to store: line breaks become LF, unsafe characters go.

    Tab and LF stay (show notes, descriptions, speakers one per line); CRLF, CR and the
    other line separators become LF, so a text edited on Windows compares equal.
    """
    return _UNSAFE.sub("", _LINE_BREAKS.sub("\n", text))


def clean_line(text: str) -> str:
    """One-line text made safe to store: a line break or tab becomes a space, unsafe
    characters go, and surrounding spaces are trimmed (a title ends where its text ends)."""
    return _UNSAFE.sub("", _SPACES.sub(" ", text)).strip()


def scrub(value: T, rule: Callable[[str], str] = clean_text) -> T:
    """``value`` with ``rule`` (``clean_text`` unless told) applied to every string in it:
    in a (frozen) dataclass, a tuple, a list or a dict, however nested.

    For writers of XML and iCalendar, against text stored before the rule existed: cheap
    (one regular expression per string) and it cannot fail, so old rows cannot take a feed
    down.
    """
    cleaned: Any
    if isinstance(value, str):
        cleaned = rule(value)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        cleaned = dataclasses.replace(
            value, **{f.name: scrub(getattr(value, f.name), rule) for f in fields if f.init}
        )
    elif isinstance(value, tuple | list):
        cleaned = type(value)(scrub(item, rule) for item in value)
    elif isinstance(value, dict):
        cleaned = {key: scrub(item, rule) for key, item in value.items()}
    else:
        cleaned = value
    return cleaned


def is_slug(text: str) -> bool:
    """Whether ``text`` as a whole is a slug (``fullmatch``: "abc\\n" is not one)."""
    return SLUG.fullmatch(text) is not None


def slugify(text: str) -> str:
    """A URL-safe lowercase ASCII slug: "Jeugd & opvoeding" → "jeugd-opvoeding"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")

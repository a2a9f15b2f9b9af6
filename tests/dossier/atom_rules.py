"""The Atom rules (RFC 4287's MUSTs) that the W3C Feed Validator reports as errors, checked
with lxml; and, where a checkout of the validator is at hand, the validator itself.

The validator is not on PyPI or in Debian, so the project cannot install it; tests run it
when ``KISPUB_FEED_VALIDATOR`` names the ``src`` folder of a checkout of w3c/feedvalidator
(and ``KISPUB_FEED_VALIDATOR_PYTHON`` an interpreter with its html5lib and rdflib), and the
rules below run everywhere.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from lxml import etree

ATOM = "http://www.w3.org/2005/Atom"
A = f"{{{ATOM}}}"
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
IRI = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:\S+")
FEED_CHILDREN = {
    "author", "category", "contributor", "generator", "icon", "id", "link", "logo", "rights",
    "subtitle", "title", "updated", "entry",
}  # fmt: skip
ENTRY_CHILDREN = {
    "author", "category", "content", "contributor", "id", "link", "published", "rights",
    "source", "summary", "title", "updated",
}  # fmt: skip
ONCE = {"id", "title", "updated"}
AT_MOST_ONCE = {
    "generator",
    "icon",
    "logo",
    "rights",
    "subtitle",
    "published",
    "summary",
    "content",
}
RUNNER = Path(__file__).with_name("w3c_feed_validator.py")


def atom_errors(document: bytes, self_url: str) -> list[str]:
    """What breaks RFC 4287 in the document (empty: nothing)."""
    root = etree.fromstring(document)
    errors: list[str] = []
    if root.tag != f"{A}feed":
        return [f"root is {root.tag}, not atom:feed"]
    errors += _element_errors(root, FEED_CHILDREN, "feed")
    links = {link.get("rel", "alternate"): link.get("href") for link in root.findall(f"{A}link")}
    if links.get("self") != self_url:
        errors.append(f"self link {links.get('self')!r} is not where the feed is: {self_url!r}")
    entries = root.findall(f"{A}entry")
    if root.find(f"{A}author") is None and any(e.find(f"{A}author") is None for e in entries):
        errors.append("no atom:author on the feed or on every entry")
    ids = [e.findtext(f"{A}id") for e in entries]
    if len(ids) != len(set(ids)):
        errors.append("entry ids are not unique")
    for number, entry in enumerate(entries, 1):
        errors += _element_errors(entry, ENTRY_CHILDREN, f"entry {number}")
        alternates = [
            link
            for link in entry.findall(f"{A}link")
            if link.get("rel", "alternate") == "alternate"
        ]
        if entry.find(f"{A}content") is None and not alternates:
            errors.append(f"entry {number}: no content and no alternate link")
    return errors


def _element_errors(element: etree._Element, allowed: set[str], where: str) -> list[str]:
    errors: list[str] = []
    names = [child.tag.removeprefix(A) for child in element if child.tag.startswith(A)]
    errors += [f"{where}: unknown atom:{name}" for name in set(names) - allowed]
    errors += [f"{where}: atom:{n} not exactly once" for n in ONCE if names.count(n) != 1]
    errors += [f"{where}: atom:{n} more than once" for n in AT_MOST_ONCE if names.count(n) > 1]
    if not IRI.fullmatch(element.findtext(f"{A}id") or ""):
        errors.append(f"{where}: atom:id is not an absolute IRI")
    for date in ("updated", "published"):
        value = element.findtext(f"{A}{date}")
        if value is not None and not RFC3339.fullmatch(value):
            errors.append(f"{where}: atom:{date} {value!r} is not an RFC 3339 date-time")
    for text in ("title", "subtitle", "summary", "rights"):
        node = element.find(f"{A}{text}")
        if node is not None and node.get("type", "text") not in {"text", "html", "xhtml"}:
            errors.append(f"{where}: atom:{text} has type {node.get('type')!r}")
    for link in element.findall(f"{A}link"):
        if not IRI.fullmatch(link.get("href") or ""):
            errors.append(f"{where}: a link without an absolute href")
    for category in element.findall(f"{A}category"):
        if not category.get("term"):
            errors.append(f"{where}: a category without term")
    alternates = [
        (link.get("type"), link.get("hreflang"))
        for link in element.findall(f"{A}link")
        if link.get("rel", "alternate") == "alternate"
    ]
    if len(alternates) != len(set(alternates)):
        errors.append(f"{where}: two alternate links of one type and language")
    return errors


def w3c_validator_events(document: bytes, self_url: str, tmp: Path) -> list[dict[str, str]] | None:
    """The W3C Feed Validator's errors and warnings, or None where no checkout is at hand."""
    source = os.environ.get("KISPUB_FEED_VALIDATOR")
    if not source:
        return None
    python = os.environ.get("KISPUB_FEED_VALIDATOR_PYTHON", sys.executable)
    feed = tmp / "feed.atom"
    feed.write_bytes(document)
    done = subprocess.run(
        [python, str(RUNNER), source, str(feed), self_url],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    events: list[dict[str, str]] = json.loads(done.stdout)
    return events

"""Absolute URLs built from KISPUB_BASE_URL, and the one check for redirect targets."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app, has_request_context, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect


def absolute_url(endpoint: str, **values: Any) -> str:
    """The public URL of an endpoint, independent of the host the request came in on."""
    if has_request_context():
        return base_url() + url_for(endpoint, _external=False, **values)
    # Outside a request (CLI commands, work done for another request's thread) there is no
    # request to build from; the path does not depend on one.
    return base_url() + current_app.url_map.bind("localhost").build(endpoint, values)


def base_url() -> str:
    """The configured public base URL without a trailing slash."""
    return str(current_app.config["BASE_URL"]).rstrip("/")


def site_domain() -> str:
    """The host name of the public site, for stable identifiers such as iCal UIDs."""
    return urlsplit(base_url()).hostname or "localhost"


def safe_redirect_target(target: str | None, fallback: str) -> str:
    """``target`` if it is a path of this app, else ``fallback``: no open redirects.

    Every ``next=`` in the app goes through here. Browsers and Werkzeug drop TAB, CR and LF
    from a URL before using it (``/<TAB>/evil.example`` becomes ``//evil.example``), read a
    backslash as ``/`` and treat fullwidth or other non-ASCII look-alikes in their own ways, so the
    checks are on the raw text: printable ASCII only, one leading slash, no backslash, no
    scheme or host; then the decoded path must be a route of the app.
    """
    if not target or not _printable_ascii(target):
        return fallback
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    path = _routed_path(parts.path)
    if path is None:
        return fallback
    return path + (f"?{parts.query}" if parts.query else "")


def _printable_ascii(text: str) -> bool:
    return all(0x21 <= ord(char) <= 0x7E for char in text)


def _routed_path(path: str) -> str | None:
    """The (still encoded) path if a GET route answers it, or where Werkzeug would send it."""
    decoded = unquote(path)
    # %2F%2F, %09 and the like decoded: no route has them, and some clients decode them.
    if decoded.startswith("//") or any(ord(char) < 0x20 or ord(char) == 0x7F for char in decoded):
        return None
    adapter = current_app.url_map.bind("localhost")
    try:
        adapter.match(decoded, method="GET")
    except RequestRedirect as redirect:  # "/podcast" answers with "/podcast/"
        return urlsplit(redirect.new_url).path
    except HTTPException:
        return None
    return path

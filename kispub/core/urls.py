"""Absolute URLs built from KISPUB_BASE_URL, for feeds, calendars and e-mail."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for


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

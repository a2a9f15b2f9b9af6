"""Rendered parts of public pages, kept in this process for a short time.

A dossier of 500 items takes some 40 ms of queries and templating to list, and every
anonymous reader gets the same list. The caller's key carries a version read from the
database on each request (the dossier's last change, how many items are public by now), so
an edit or a scheduled item shows at once in every worker; the time limit
(``FRAGMENT_CACHE_SECONDS``) bounds what the version does not carry, such as a day's counts.
The cache lives in the app (``app.extensions``): each app, and each test, has its own.

cachetools' TTLCache holds the entries: a well-kept library for a size- and time-bounded
mapping, where a hand-written dict would need its own expiry and eviction. It is not
thread-safe, hence the lock; two threads that miss at once both build, and both store the
same thing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from cachetools import TTLCache
from flask import Flask, current_app, session
from flask_login import current_user

from kispub.core import clock

MAX_ENTRIES = 512
_KEY = "kispub_fragments"
T = TypeVar("T")


class _Fragments:
    def __init__(self, seconds: float) -> None:
        # Timed by the app's clock, so that a test can move past the time limit.
        self.entries: TTLCache[Hashable, Any] = TTLCache(
            MAX_ENTRIES, seconds, timer=lambda: clock.now().timestamp()
        )
        self.lock = threading.Lock()


def init_app(app: Flask) -> None:
    """Give the app its fragment cache."""
    app.extensions[_KEY] = _Fragments(float(app.config["FRAGMENT_CACHE_SECONDS"]))


def cached_fragment(key: Hashable, build: Callable[[], T]) -> T:
    """The fragment stored under ``key``, or ``build()``'s, stored for next time (a whole
    page's response too: kispub/core/pagecache.py)."""
    fragments: _Fragments = current_app.extensions[_KEY]
    with fragments.lock:
        found = fragments.entries.get(key)
    if found is not None:
        return found
    built = build()
    with fragments.lock:
        fragments.entries[key] = built
    return built


def sees_shared_page() -> bool:
    """Whether this request gets the page every anonymous visitor gets: nobody logged in and
    no flashed message waiting (the only personal parts of a public page), so the whole
    rendered page may come from the cache."""
    return not current_user.is_authenticated and "_flashes" not in session

"""Removing media nobody references any more, and staged files a killed process left.

Stored files are shared by content, so deleting a row never deletes its files: another row
may use the same content, and a file stored a moment ago may belong to a transaction that
has not committed yet. Instead a periodic job removes files that no registered channel
references (``register_media_references`` in core/storage.py) and that have not been stored
for ``MEDIA_GC_GRACE_HOURS``; storing the same content again refreshes the file's mtime.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import Flask, current_app

from kispub import jobs
from kispub.core import clock
from kispub.core.storage import FileSystemStorage, get_storage, referenced_keys

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Register the two periodic jobs: garbage every hour, stale staged files every 10 min."""
    jobs.register_periodic(app, "media-gc", jobs.crontab(minute="50"), collect_media_garbage)
    jobs.register_periodic(app, "media-staging-cleanup", jobs.crontab(minute="*/10"), clean_staging)


def collect_media_garbage() -> list[str]:
    """Remove unreferenced files older than the grace period; the keys removed."""
    storage = get_storage()
    with storage.exclusive(wait=False) as held:
        if not held:  # a backup is copying the media: the next run collects
            log.info("media-gc skipped: the media folder is locked (a backup is running)")
            return []
        return _collect(storage)


def _collect(storage: FileSystemStorage) -> list[str]:
    grace = timedelta(hours=float(current_app.config["MEDIA_GC_GRACE_HOURS"]))
    cutoff = clock.now() - grace
    # Old files first, references second: a file stored after this listing is not a
    # candidate, and a row committed before the reference query protects its file.
    candidates = [key for key in storage.stored_keys() if _older(storage, key, cutoff)]
    referenced = referenced_keys()
    removed = []
    for key in candidates:
        # Stored again meanwhile (same content uploaded anew): its row may be on its way.
        if key not in referenced and _older(storage, key, cutoff):
            storage.delete(key)
            removed.append(key)
    if removed:
        log.info("media-gc removed %d unreferenced file(s)", len(removed))
    return removed


def clean_staging() -> int:
    """Remove staged files older than ``MEDIA_STAGING_MAX_AGE_MINUTES``; how many."""
    age = timedelta(minutes=float(current_app.config["MEDIA_STAGING_MAX_AGE_MINUTES"]))
    removed = get_storage().remove_stale_staging(age)
    if removed:
        log.info("media-staging-cleanup removed %d file(s) left by a killed process", removed)
    return removed


def _older(storage: FileSystemStorage, key: str, cutoff: datetime) -> bool:
    try:
        return storage.modified_at(key) < cutoff
    except FileNotFoundError:  # removed meanwhile (by another collector)
        return False

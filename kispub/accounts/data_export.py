"""A copy of a person's data (AVG): requested on the account page, built by the worker.

``request_data_export`` stores a pending ``DataExport`` (one at a time, and at most one per
``DATA_EXPORT_INTERVAL_HOURS``) and queues ``build_data_export``. The job asks every
registered section (``privacy.export_sections``) for its data, writes a ZIP — one indented
UTF-8 JSON file per section, the files sections add, and a README.txt in Dutch — into the
private ``DATA_EXPORT_DIR`` (a temporary file, then a rename: a download never sees half a
file), marks the export ready and mails a signed link. The link works for
``DATA_EXPORT_DAYS``, and only for the same person, logged in (``export_for_download``).
``purge_data_exports`` (hourly) deletes expired exports, their files, and what a stopped
job left.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import tempfile
import time
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import Flask, current_app, render_template
from flask_babel import gettext as _
from flask_babel.speaklater import LazyString
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import and_, delete, or_, select

from kispub import jobs
from kispub.accounts.models import DataExport, User
from kispub.accounts.privacy import Exported, ExportFile, export_sections
from kispub.core import clock
from kispub.core.database import after_commit, write_transaction
from kispub.core.dates import long_datetime
from kispub.core.mail import build_message
from kispub.core.outbox import queue_mail
from kispub.core.tokens import timed_serializer
from kispub.core.urls import absolute_url
from kispub.extensions import db

log = logging.getLogger(__name__)

EXPORT_SALT = "kispub-data-export"
# A build that has not finished after this long was lost (a killed worker): it is removed,
# so that the person can ask again.
PENDING_MAX_AGE = timedelta(hours=6)
# Files in the folder that no export row names (a crash between rename and commit), and
# temporary files, are removed once they are this old.
ORPHAN_MAX_AGE = timedelta(hours=1)


class ExportError(ValueError):
    """A request that cannot be honoured now; the message is for the person."""


class ExportUnavailable(LookupError):
    """A download link that does not (or no longer) give a file; ``expired`` says which."""

    def __init__(self, *, expired: bool = False) -> None:
        super().__init__("expired" if expired else "unknown")
        self.expired = expired


@dataclass(frozen=True)
class DataSection:
    """The account page's "Uw gegevens": the latest export and whether to ask for another."""

    pending: bool
    ready_at: datetime | None
    expires_at: datetime | None
    size: int | None
    download_url: str | None
    next_request_at: datetime | None  # None: a request is possible now


def init_app(app: Flask) -> None:
    """Register the build job and the hourly purge."""
    jobs.register_task(app, build_data_export)
    jobs.register_periodic(app, "data-export-purge", jobs.crontab(minute="20"), purge_data_exports)


def export_folder() -> Path:
    """The private folder export files are written to (never served as media)."""
    folder = Path(current_app.config["DATA_EXPORT_DIR"])
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


# --- requesting -----------------------------------------------------------------------------


def _interval() -> timedelta:
    return timedelta(hours=float(current_app.config["DATA_EXPORT_INTERVAL_HOURS"]))


def _latest(user_id: int) -> DataExport | None:
    statement = (
        select(DataExport)
        .where(DataExport.user_id == user_id)
        .order_by(DataExport.requested_at.desc(), DataExport.id.desc())
    )
    return db.session.scalars(statement).first()


def request_data_export(user_id: int) -> DataExport:
    """Store a pending export for the user and queue its build; ExportError when too soon."""
    with write_transaction() as session:
        # The account row is locked: two requests at once (PostgreSQL) make one export.
        user = session.get(User, user_id, with_for_update=True)
        if user is None or not user.active:
            raise ExportError(_("Dit account bestaat niet (meer)."))
        latest = _latest(user_id)
        now = clock.now()
        if latest is not None and latest.ready_at is None:
            raise ExportError(_("Uw gegevens worden al klaargezet. U krijgt een e-mail."))
        if latest is not None and latest.requested_at + _interval() > now:
            moment = long_datetime(latest.requested_at + _interval())
            raise ExportError(
                _("U vroeg onlangs al een kopie aan. Een nieuwe kan na %(moment)s.", moment=moment)
            )
        export = DataExport(user_id=user_id, token=secrets.token_hex(16), requested_at=now)
        session.add(export)
        session.flush()
        export_id = export.id
        after_commit(lambda: jobs.enqueue(build_data_export, export_id))
    return export


def data_section(user_id: int) -> DataSection:
    """What the account page shows about the user's exports."""
    latest = _latest(user_id)
    now = clock.now()
    if latest is None:
        return DataSection(False, None, None, None, None, None)
    ready = latest.ready_at is not None and latest.expires_at is not None
    live = ready and latest.expires_at is not None and latest.expires_at > now
    next_at = latest.requested_at + _interval()
    return DataSection(
        pending=not ready,
        ready_at=latest.ready_at if live else None,
        expires_at=latest.expires_at if live else None,
        size=latest.size if live else None,
        download_url=download_url(latest) if live else None,
        next_request_at=next_at if next_at > now else None,
    )


# --- the link -------------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return timed_serializer(EXPORT_SALT)


def _lifetime() -> timedelta:
    return timedelta(days=float(current_app.config["DATA_EXPORT_DAYS"]))


def download_url(export: DataExport) -> str:
    """The signed link to one export; it names the export, its owner and its file."""
    token = _serializer().dumps({"e": export.id, "u": export.user_id, "t": export.token})
    return absolute_url("privacy.download_export", token=token)


def export_for_download(token: str, user_id: int) -> tuple[Path, DataExport]:
    """The file of a ready, unexpired export of ``user_id`` named by a valid signed link.

    ExportUnavailable otherwise: ``expired=True`` for a link that was genuine but is too old
    (or whose export was purged), False for anything else (forged, someone else's).
    """
    try:
        data = _serializer().loads(token, max_age=int(_lifetime().total_seconds()) + 3600)
    except SignatureExpired as error:  # genuine, but older than any export lives
        raise ExportUnavailable(expired=True) from error
    except BadSignature as error:
        raise ExportUnavailable() from error
    if not isinstance(data, dict) or data.get("u") != user_id:
        raise ExportUnavailable()
    export_id = data.get("e")
    export = db.session.get(DataExport, export_id) if isinstance(export_id, int) else None
    if export is None or export.user_id != user_id or export.token != data.get("t"):
        raise ExportUnavailable(expired=True)  # purged: it expired
    if export.ready_at is None or export.expires_at is None:
        raise ExportUnavailable()
    if export.expires_at <= clock.now():
        raise ExportUnavailable(expired=True)
    path = export_folder() / export.file_name
    if not path.is_file():
        raise ExportUnavailable(expired=True)
    return path, export


# --- building -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Part:
    """One section as it goes into the ZIP."""

    name: str
    description: str
    json: bytes
    files: tuple[ExportFile, ...]


def build_data_export(export_id: int) -> None:
    """Build the ZIP of a pending export and mail its link (the job; runs once per export)."""
    export = db.session.get(DataExport, export_id)
    if export is None or export.ready_at is not None:
        return  # erased meanwhile, or built by an earlier run
    user = db.session.get(User, export.user_id)
    if user is None or not user.active:
        return
    parts = _collect(user)
    path = export_folder() / export.file_name
    _write_zip(path, parts, user)
    stored = False
    try:
        stored = _mark_ready(export_id, path.stat().st_size)
    finally:
        if not stored:
            path.unlink(missing_ok=True)  # no row names it (any more): it must not stay


def _collect(user: User) -> list[_Part]:
    """Every registered section's data, as JSON, in registration order."""
    parts = []
    for section in export_sections():
        result = section.provider(user)
        if result is None:
            continue
        data, files = (result.data, result.files) if isinstance(result, Exported) else (result, ())
        parts.append(_Part(section.name, section.description, to_json(data), files))
    return parts


def to_json(data: object) -> bytes:
    """Indented UTF-8 JSON with ISO 8601 dates."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=_json_default).encode() + b"\n"


def _json_default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if isinstance(value, LazyString):  # a label marked for translation
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON-able")


def _write_zip(path: Path, parts: list[_Part], user: User) -> None:
    """Write the ZIP next to its final place, flush it to disk, then rename it into place."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".build-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                archive.writestr("README.txt", _readme(parts, user))
                for part in parts:
                    archive.writestr(f"{part.name}.json", part.json)
                    for item in part.files:
                        if item.path.is_file():
                            archive.write(item.path, item.name)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _readme(parts: list[_Part], user: User) -> str:
    files = [(f"{part.name}.json", part.description) for part in parts]
    extra = [item.name for part in parts for item in part.files if item.path.is_file()]
    return render_template(
        "accounts/export_readme.txt", user=user, files=files, extra=extra, made_at=clock.now()
    )


def _mark_ready(export_id: int, size: int) -> bool:
    """Ready from now for DATA_EXPORT_DAYS, with the link mailed in the same transaction.

    False when the export is gone meanwhile (the account was erased while it was built).
    """
    with write_transaction() as session:
        export = session.get(DataExport, export_id, with_for_update=True, populate_existing=True)
        if export is None:
            return False
        if export.ready_at is not None:
            return True  # another run finished first (same file) and mailed the link
        user = session.get(User, export.user_id)
        assert user is not None
        now = clock.now()
        export.ready_at, export.expires_at, export.size = now, now + _lifetime(), size
        session.flush()
        _queue_ready_mail(user, export)
    return True


def _queue_ready_mail(user: User, export: DataExport) -> None:
    body = render_template(
        "accounts/mail/export_ready.txt",
        user=user,
        link=download_url(export),
        expires_at=export.expires_at,
        account_url=absolute_url("accounts.account"),
    )
    key = f"data-export:{user.id}:{export.token}"
    subject = _("Uw gegevens bij KIS staan klaar")
    queue_mail(build_message(user.email, subject, body, key=key), key)


# --- removing -------------------------------------------------------------------------------


def purge_data_exports() -> int:
    """Delete expired exports and builds that never finished, with their files; how many."""
    now = clock.now()
    with write_transaction() as session:
        gone = list(
            session.scalars(
                select(DataExport).where(
                    or_(
                        DataExport.expires_at <= now,
                        and_(
                            DataExport.ready_at.is_(None),
                            DataExport.requested_at < now - PENDING_MAX_AGE,
                        ),
                    )
                )
            )
        )
        names = [export.file_name for export in gone]
        session.execute(delete(DataExport).where(DataExport.id.in_([e.id for e in gone])))
        after_commit(lambda: remove_export_files(names))
    _remove_orphans()
    return len(gone)


def remove_export_files(names: list[str]) -> None:
    """Delete export files by name (after the rows that named them are gone)."""
    folder = export_folder()
    for name in names:
        (folder / name).unlink(missing_ok=True)


def _remove_orphans() -> None:
    """Files no row names (a crash after the rename) and temporary files, once old enough.

    Their age is the file system's (real time), whatever the app's clock says.
    """
    folder = export_folder()
    known = set(db.session.scalars(select(DataExport.token)))
    cutoff = time.time() - ORPHAN_MAX_AGE.total_seconds()
    for path in folder.iterdir():
        if path.stem in known or not path.is_file():
            continue
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            log.info("data-export-purge removed %s, which no export names", path.name)

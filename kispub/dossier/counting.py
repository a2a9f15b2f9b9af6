"""Private counting of dossier views and downloads: daily totals, and nothing about anyone.

A view (of the dossier page or an item's page) or a download counts once per visitor,
target and day (Amsterdam's day). A visitor is an HMAC of the address prefix and the
User-Agent under that day's random key (``DossierCountKey``); no cookie is set and no
address is stored. Who already counted today is kept as such a hash (``DossierSeen``).
When the first visitor of a new day arrives the earlier keys are deleted, and the hourly
job deletes the earlier days' hashes: from then on nothing links a count to anyone, and
only the daily totals (``DossierCountDay``) remain.

Not counted: HEAD requests, bots (``kispub.core.bots``, and requests without a
User-Agent), browsers' prefetches and prerenders, answers that are errors, and editors'
previews (their pages do not call this module). Counting never breaks a page: it runs
after the page was rendered, and a database error is logged, not raised.
"""

from __future__ import annotations

import logging
import secrets
import threading
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from cachetools import LRUCache
from flask import after_this_request, current_app, request
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from kispub.core import clock
from kispub.core.bots import is_bot
from kispub.core.database import write_transaction
from kispub.core.visitors import is_prefetch, visitor_hash
from kispub.dossier.models import (
    CountKind,
    Dossier,
    DossierCountDay,
    DossierCountKey,
    DossierItem,
    DossierSeen,
)
from kispub.extensions import db

log = logging.getLogger(__name__)


class CountError(ValueError):
    """Figures that cannot be a day's total (a negative count, an item of another dossier)."""


# --- the public entry points ----------------------------------------------------------


def count_view(dossier_id: int, item_id: int | None) -> None:
    """Count this request as a view of the dossier page (``item_id`` None) or an item page.

    Call it once the page was found; the count is stored when the answer is ready.
    """
    _count_after_response(dossier_id, item_id, CountKind.VIEW)


def count_download(dossier_id: int, item_id: int) -> None:
    """Count this request as a download of the item's file (call it before serving it)."""
    _count_after_response(dossier_id, item_id, CountKind.DOWNLOAD)


def is_counted_request() -> bool:
    """Whether the current request is a person looking: a GET, not a bot, not a prefetch."""
    return (
        request.method == "GET"
        and not is_bot(request.headers.get("User-Agent"))
        and not is_prefetch(request.headers)
    )


def _count_after_response(dossier_id: int, item_id: int | None, kind: CountKind) -> None:
    # Stored once the answer is ready: committing earlier would expire every object the
    # template is about to show (one query each), and a failure then cannot touch the page.
    if not is_counted_request():
        return
    address = request.remote_addr or ""
    agent = request.headers.get("User-Agent", "")

    @after_this_request
    def count(response: Response) -> Response:
        if response.status_code < 400:
            try:
                record(dossier_id, item_id, kind, address, agent)
            except SQLAlchemyError:
                db.session.rollback()
                log.exception(
                    "counting a %s of dossier %s item %s failed", kind, dossier_id, item_id
                )
        return response


# --- storing a count ---------------------------------------------------------------------


def today() -> date:
    """Amsterdam's date: the day a count belongs to."""
    return clock.now().astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def target_of(dossier_id: int, item_id: int | None, kind: CountKind) -> str:
    """What a visitor saw: "page:1" (a dossier page), "view:12" or "download:12" (an item)."""
    return f"page:{dossier_id}" if item_id is None else f"{kind.value}:{item_id}"


# Visitors this process already counted today, remembered so that a repeat costs no query.
SEEN_IN_MEMORY = 20_000


@dataclass
class _Memory:
    """What this process knows of today (kept per application: each has its own database).

    The day's key never changes once made, and a visitor counted stays counted all day, so
    neither can be stale; the database remains the judge of anything not remembered here.
    Both are dropped when the day changes, like the rows they mirror.
    """

    day: date | None = None
    key: str | None = None
    seen: LRUCache[tuple[str, str], bool] = field(default_factory=lambda: LRUCache(SEEN_IN_MEMORY))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, day: date) -> None:
        with self.lock:
            if self.day != day:
                self.day, self.key = day, None
                self.seen.clear()

    def saw(self, visitor: str, target: str) -> bool:
        with self.lock:
            return (visitor, target) in self.seen

    def remember(self, visitor: str, target: str) -> None:
        with self.lock:
            self.seen[visitor, target] = True


def _memory() -> _Memory:
    memory: _Memory = current_app.extensions.setdefault("kispub.dossier.counting", _Memory())
    return memory


def record(
    dossier_id: int, item_id: int | None, kind: CountKind, address: str, user_agent: str
) -> bool:
    """Count one view or download by this visitor; False when they already counted today."""
    day, memory = today(), _memory()
    memory.start(day)
    target = target_of(dossier_id, item_id, kind)
    key = memory.key = memory.key or _stored_key(day)
    if key is not None:
        visitor = visitor_hash(key, address, user_agent)
        if memory.saw(visitor, target) or _seen(day, visitor, target):
            memory.remember(visitor, target)
            return False  # the common repeat: no write, and no query when remembered
    with write_transaction() as session:
        key = key or _new_key(session, day)
        visitor = visitor_hash(key, address, user_agent)
        seen = _insert(session, DossierSeen).values(day=day, visitor=visitor, target=target)
        # On a conflict the row is someone's (or our own) earlier count: nothing to add.
        first = session.execute(
            seen.on_conflict_do_nothing(
                index_elements=[DossierSeen.day, DossierSeen.visitor, DossierSeen.target]
            ).returning(DossierSeen.id)
        ).first()
        if first is not None:
            _add_to_total(session, dossier_id, item_id, kind, day, 1)
    memory.key = key
    memory.remember(visitor, target)  # committed: counted, by us or just before us
    return first is not None


def _stored_key(day: date) -> str | None:
    return db.session.scalar(select(DossierCountKey.key).where(DossierCountKey.day == day))


def _seen(day: date, visitor: str, target: str) -> bool:
    statement = select(DossierSeen.id).where(
        DossierSeen.day == day, DossierSeen.visitor == visitor, DossierSeen.target == target
    )
    return db.session.scalar(statement) is not None


def _new_key(session: Session, day: date) -> str:
    """The day's key, made by whoever comes first; earlier days' keys are deleted with it."""
    statement = _insert(session, DossierCountKey).values(day=day, key=secrets.token_hex(32))
    session.execute(statement.on_conflict_do_nothing(index_elements=[DossierCountKey.day]))
    session.execute(delete(DossierCountKey).where(DossierCountKey.day < day))
    # A fresh statement: on PostgreSQL it sees the key a concurrent first visitor committed.
    key = session.scalar(select(DossierCountKey.key).where(DossierCountKey.day == day))
    assert key is not None
    return key


def _add_to_total(
    session: Session,
    dossier_id: int,
    item_id: int | None,
    kind: CountKind,
    day: date,
    count: int,
    *,
    replace: bool = False,
) -> None:
    """Add ``count`` to the day's total (or set it, with ``replace``), making the row if needed.

    The unique constraint cannot guard the dossier page's row (its item_id is NULL, and NULLs
    are distinct), so the row is made under the dossier row's lock: a second first visitor
    waits and then finds the row (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises).
    """
    where = _total_row(dossier_id, item_id, kind, day)
    value = count if replace else DossierCountDay.count + count
    if _update(session, where, value):
        return
    session.execute(
        select(Dossier.id).where(Dossier.id == dossier_id).with_for_update(key_share=True)
    )
    if _update(session, where, value):
        return
    session.add(
        DossierCountDay(dossier_id=dossier_id, item_id=item_id, kind=kind, day=day, count=count)
    )
    session.flush()


def _total_row(
    dossier_id: int, item_id: int | None, kind: CountKind, day: date
) -> list[ColumnElement[bool]]:
    item = (
        DossierCountDay.item_id.is_(None) if item_id is None else DossierCountDay.item_id == item_id
    )
    return [
        DossierCountDay.dossier_id == dossier_id,
        item,
        DossierCountDay.kind == kind,
        DossierCountDay.day == day,
    ]


def _update(session: Session, where: list[ColumnElement[bool]], value: Any) -> bool:
    result = session.execute(
        update(DossierCountDay)
        .where(*where)
        .values(count=value)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _insert(session: Session, model: type[Any]) -> Any:
    """An INSERT that knows ON CONFLICT on either database."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


# --- forgetting, and the demo's figures ---------------------------------------------------


def forget_old_visitors() -> int:
    """Delete the hashes and keys of days before today; returns how many hashes went.

    Runs hourly in the worker, so an hour after Amsterdam's midnight nothing of yesterday
    links a count to anyone.
    """
    day = today()
    with write_transaction() as session:
        gone = session.execute(delete(DossierSeen).where(DossierSeen.day < day))
        session.execute(delete(DossierCountKey).where(DossierCountKey.day < day))
    return int(gone.rowcount)  # type: ignore[attr-defined]


def seed_counts(
    dossier_id: int, item_id: int | None, kind: CountKind, day: date, count: int
) -> None:
    """Set a day's total (the content loader's starting figures); running it again sets the
    same total, it does not add."""
    if count < 0:
        raise CountError(_("Een aantal kan niet negatief zijn."))
    with write_transaction() as session:
        if item_id is not None:
            owner = session.scalar(select(DossierItem.dossier_id).where(DossierItem.id == item_id))
            if owner != dossier_id:
                raise CountError(_("Dit item hoort niet bij dit dossier."))
        elif session.get(Dossier, dossier_id) is None:
            raise CountError(_("Dit dossier bestaat niet."))
        _add_to_total(session, dossier_id, item_id, kind, day, count, replace=True)

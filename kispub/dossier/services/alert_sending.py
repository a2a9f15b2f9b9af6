"""Sending the alerts: new items at once (*Direct*), and the daily and weekly summaries.

The periodic jobs (registered in ``kispub.dossier.init_app``) call these; see
``kispub.dossier.alerts`` for who hears what. Each mail is queued in the transaction that
records it (an item's ``announced_at``, a subscriber's ``sent_until``) under a key that is
the same however often a job runs: a job run twice, or by two workers, mails once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from flask import current_app, has_request_context
from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from kispub.core import clock
from kispub.core.database import write_transaction
from kispub.core.urls import base_url
from kispub.dossier import notifications
from kispub.dossier.alerts import LATE_AFTER, Period, latest_period, stored_filters
from kispub.dossier.links import item_url
from kispub.dossier.models import AlertFrequency, Dossier, DossierItem, DossierSubscription
from kispub.dossier.notifications import MailItem, mail_item
from kispub.dossier.pages import linked_urls
from kispub.dossier.queries import matches
from kispub.extensions import db

SUBSCRIPTIONS_PER_TRANSACTION = 50


@contextmanager
def site_request() -> Iterator[None]:
    """Build URLs as a request to the public site would: the jobs run outside one, and
    other channels' resolvers (an episode's page, for an item standing for it) use url_for."""
    if has_request_context():
        yield
        return
    with current_app.test_request_context("/", base_url=base_url()):
        yield


def announce_new_items() -> int:
    """Mark the items that became public since the last run as announced and mail the
    *Direct* subscribers they are new to; returns how many mails were queued.

    An item standing for an episode or atelier waits until that is public too.
    """
    now = clock.now()
    queued = 0
    with site_request(), write_transaction() as session:
        due = session.scalars(
            select(DossierItem)
            .join(Dossier)
            .where(DossierItem.announced_at.is_(None), DossierItem.published_at <= now)
            .where(Dossier.published_at <= now)
            .options(selectinload(DossierItem.themes), selectinload(DossierItem.dossier))
            .order_by(DossierItem.published_at, DossierItem.id)
        ).all()
        targets = linked_urls(due)
        ready = [i for i in due if i.kind.link_kind is None or i.id in targets]
        claimed = [item for item in ready if _claim(session, item.id, now)]
        by_dossier: dict[int, list[DossierItem]] = defaultdict(list)
        for item in claimed:
            by_dossier[item.dossier_id].append(item)
        for items in by_dossier.values():
            queued += _mail_direct(session, items, targets)
    return queued


def _claim(session: Session, item_id: int, now: datetime) -> bool:
    """Announced exactly once: of two workers at the same item, one changes the row."""
    result = session.execute(
        update(DossierItem)
        .where(DossierItem.id == item_id, DossierItem.announced_at.is_(None))
        .values(announced_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0)) == 1


def _mail_direct(session: Session, items: list[DossierItem], targets: dict[int, str]) -> int:
    dossier = items[0].dossier
    queued = 0
    for subscription in _subscribers(session, dossier.id, AlertFrequency.IMMEDIATELY):
        assert subscription.confirmed_at is not None
        confirmed_at = subscription.confirmed_at
        new = [
            item
            for item in items
            if item.published_at is not None
            and item.published_at > confirmed_at
            and _wanted(subscription, item)
        ]
        if new:
            lines = _lines(new, targets)
            ids = [item.id for item in new]
            queued += notifications.queue_alert(subscription, dossier, lines, ids)
    return queued


def send_due_summaries() -> int:
    """The hourly job: the latest daily and weekly periods, if they ended not long ago;
    returns how many mails were queued."""
    now = clock.now()
    queued = 0
    for frequency in (AlertFrequency.DAILY, AlertFrequency.WEEKLY):
        period = latest_period(frequency, now)
        if now - period.end < LATE_AFTER:
            queued += send_summaries(period)
    return queued


def send_summaries(period: Period) -> int:
    """Mail each subscriber of the period's frequency what became public since their
    ``sent_until`` up to the period's end (nothing new: no mail); then move it on."""
    statement = select(DossierSubscription.id).where(
        DossierSubscription.frequency == period.frequency,
        DossierSubscription.confirmed_at.is_not(None),
        DossierSubscription.sent_until < period.end,
    )
    ids = list(db.session.scalars(statement.order_by(DossierSubscription.id)))
    queued = 0
    for start in range(0, len(ids), SUBSCRIPTIONS_PER_TRANSACTION):
        chunk = ids[start : start + SUBSCRIPTIONS_PER_TRANSACTION]
        with site_request(), write_transaction() as session:
            queued += _summarise(session, chunk, period)
    return queued


def _summarise(session: Session, ids: Sequence[int], period: Period) -> int:
    subscriptions = session.scalars(
        select(DossierSubscription)
        .where(DossierSubscription.id.in_(ids), DossierSubscription.sent_until < period.end)
        .order_by(DossierSubscription.id)
    ).all()
    queued = 0
    published: dict[int, tuple[list[DossierItem], dict[int, str]]] = {}
    for subscription in subscriptions:
        assert subscription.sent_until is not None
        if subscription.dossier_id not in published:
            published[subscription.dossier_id] = _published(
                session, subscription.dossier_id, period
            )
        items, targets = published[subscription.dossier_id]
        since = subscription.sent_until
        new = [
            item
            for item in items
            if item.published_at is not None
            and item.published_at > since
            and _wanted(subscription, item)
        ]
        if new:
            dossier = new[0].dossier
            lines = _lines(new, targets)
            queued += notifications.queue_summary(subscription, dossier, lines, period)
        subscription.sent_until = period.end
    return queued


def _published(
    session: Session, dossier_id: int, period: Period
) -> tuple[list[DossierItem], dict[int, str]]:
    """The dossier's items public at the period's end, newest first, if the dossier is; and
    the pages of the episodes and ateliers among them that are public."""
    statement = (
        select(DossierItem)
        .join(Dossier)
        .where(DossierItem.dossier_id == dossier_id, DossierItem.published_at <= period.end)
        .where(Dossier.published_at <= period.end)
        .options(selectinload(DossierItem.themes), selectinload(DossierItem.dossier))
        .order_by(DossierItem.published_at.desc(), DossierItem.id.desc())
    )
    items = list(session.scalars(statement))
    targets = linked_urls(items)
    return [i for i in items if i.kind.link_kind is None or i.id in targets], targets


def _subscribers(
    session: Session, dossier_id: int, frequency: AlertFrequency
) -> Sequence[DossierSubscription]:
    return session.scalars(
        select(DossierSubscription)
        .where(
            DossierSubscription.dossier_id == dossier_id,
            DossierSubscription.frequency == frequency,
            DossierSubscription.confirmed_at.is_not(None),
        )
        .order_by(DossierSubscription.id)
    ).all()


def _wanted(subscription: DossierSubscription, item: DossierItem) -> bool:
    filters = stored_filters(subscription.filters)
    return filters is not None and matches(item, filters)


def _lines(items: Sequence[DossierItem], targets: dict[int, str]) -> list[MailItem]:
    return [mail_item(item, targets.get(item.id) or item_url(item)) for item in items]

"""E-mail alerts for a dossier's new items: the rules the services and mail share.

A subscription (``DossierSubscription``) is for one dossier, optionally with the page's
filters, kept as its query string ("thema=participatie&type=artikel"). Who hears what:

- *Direct*: every few minutes ``announce_new_items`` finds the items that became public
  (published now, or a scheduled time passed) and were never announced, marks them announced
  and mails each confirmed subscriber whose filters they match, if the item became public
  after the subscriber confirmed (they saw what was there already).
- *Dagelijks* and *Wekelijks*: at ``DOSSIER_ALERT_HOUR`` (site time zone) every day, and on
  ``DOSSIER_ALERT_WEEKDAY`` for the weekly one, a summary of what became public since the
  subscriber's ``sent_until``, up to the end of the period; then ``sent_until`` moves on.

Every mail is queued in the outbox in the transaction that records it (an item's
``announced_at``, a subscriber's ``sent_until``), under a key that is the same however often
a job runs, so a job run twice, or by two workers at once, mails once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlencode

from flask import current_app

from kispub.core.periods import latest_summary_period
from kispub.dossier.models import AlertFrequency, ItemKind
from kispub.dossier.pages import filter_label
from kispub.dossier.queries import Filters
from kispub.themes.services import theme_by_slug

# A summary is sent up to this long after its period ended (a worker that was down catches
# up the same day); later it waits for the next period, which then covers both.
LATE_AFTER = timedelta(hours=12)


def filters_query(filters: Filters) -> str:
    """The filters as the page's query string ("" for none), as a subscription keeps them."""
    chosen = {"thema": filters.theme, "type": filters.kind.value if filters.kind else None}
    return urlencode({name: value for name, value in chosen.items() if value})


def stored_filters(query: str) -> Filters | None:
    """A subscription's filters; None when they name a type that no longer exists (such a
    subscription matches nothing rather than everything)."""
    values = parse_qs(query)
    theme = values.get("thema", [None])[0]
    kind = values.get("type", [None])[0]
    try:
        return Filters(theme=theme or None, kind=ItemKind(kind) if kind else None)
    except ValueError:
        return None


def describe_filters(query: str) -> str:
    """A subscription's choice as the page names it: "Artikelen over Participatie", "Alle items"."""
    chosen = stored_filters(query)
    if chosen is None or chosen.theme is None:
        return filter_label(chosen) if chosen is not None else "Alle items"
    theme = theme_by_slug(chosen.theme)
    return filter_label(Filters(chosen.theme, chosen.kind, theme.name if theme else None))


@dataclass(frozen=True)
class Period:
    """One summary period: what it covers (UTC, start excluded, end included) and its key."""

    frequency: AlertFrequency
    start: datetime
    end: datetime
    key: str  # "daily:2026-12-14", "weekly:2026-W51": part of every mail's outbox key


def latest_period(frequency: AlertFrequency, now: datetime) -> Period:
    """The latest daily or weekly period that ended at or before ``now``."""
    config = current_app.config
    weekly = frequency is AlertFrequency.WEEKLY
    period = latest_summary_period(
        now,
        zone=config["BABEL_DEFAULT_TIMEZONE"],
        hour=int(config["DOSSIER_ALERT_HOUR"]),
        weekday=int(config["DOSSIER_ALERT_WEEKDAY"]) if weekly else None,
    )
    return Period(frequency, period.start, period.end, period.key)

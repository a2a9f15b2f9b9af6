"""E-mail alerts: asking for one, confirming it (double opt-in), stopping it, and clean-up.

Nothing is mailed about items before the owner of the address confirms: asking stores an
unconfirmed subscription (or leaves a confirmed one as it is) and mails a confirmation link
that carries the choice. The answer to asking is the same whatever the address's state, so
the form never shows who subscribed. Unconfirmed subscriptions are deleted once their link
has expired (``purge_unconfirmed``, nightly); stopping deletes the subscription and any mail
still waiting for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import to_user_timezone
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kispub.accounts.privacy import Erasure
from kispub.accounts.services import normalise_email
from kispub.core import clock
from kispub.core.database import write_transaction
from kispub.core.outbox import forget_messages
from kispub.dossier import notifications, queries
from kispub.dossier.alert_tokens import (
    LinkRefused,
    fingerprint_matches,
    read_confirmation_token,
    read_stop_token,
)
from kispub.dossier.alerts import filters_query, stored_filters
from kispub.dossier.models import AlertFrequency, Dossier, DossierSubscription
from kispub.dossier.pages import filter_label
from kispub.dossier.queries import Filters
from kispub.extensions import db

__all__ = [
    "AlertError",
    "AlertRequest",
    "LinkRefused",
    "PendingAlert",
    "check_stop_link",
    "confirm_alert",
    "erase_subscriber",
    "pending_alert",
    "purge_unconfirmed",
    "request_alert",
    "stop_alert",
]


class AlertError(ValueError):
    """An alert that cannot be asked for; the message is for the person asking."""


@dataclass(frozen=True)
class AlertRequest:
    """What the form asks: an address, how often, and the page's filters."""

    email: str
    frequency: AlertFrequency
    filters: Filters


@dataclass(frozen=True)
class PendingAlert:
    """What a confirmation link will turn on, for the page with the button."""

    dossier: Dossier
    email: str
    frequency: AlertFrequency
    what: str  # "Alle items", "Artikelen over Participatie"
    confirmed: bool  # already on: confirming changes it to this choice


def request_alert(slug: str, request: AlertRequest) -> None:
    """Ask for an alert: mail a confirmation link to the address, whatever its state."""
    email = normalise_email(request.email)
    if "@" not in email or len(email) > 254:
        raise AlertError(_("Vul een geldig e-mailadres in."))
    now = clock.now()
    with write_transaction() as session:
        dossier = queries.dossier_by_slug(slug, now)
        if dossier is None:
            raise AlertError(_("Dit dossier bestaat niet (meer)."))
        if dossier.is_archived(to_user_timezone(now).date()):
            raise AlertError(_("Dit dossier is een archief: er komen geen nieuwe items bij."))
        query = filters_query(request.filters)
        subscription = _subscription(session, dossier.id, email, request.frequency, query)
        notifications.queue_confirmation(subscription, dossier, request.frequency, query)


def _subscription(
    session: Session, dossier_id: int, email: str, frequency: AlertFrequency, query: str
) -> DossierSubscription:
    """The address's subscription to the dossier: a new unconfirmed one, an unconfirmed one
    renewed (its link starts over), or a confirmed one as it is (the link carries the change)."""
    now = clock.now()
    found = _find(session, dossier_id, email)
    if found is None:
        new = DossierSubscription(
            dossier_id=dossier_id, email=email, frequency=frequency, filters=query, created_at=now
        )
        try:
            with session.begin_nested():
                session.add(new)
            return new
        except IntegrityError:  # the same address asked twice at the same moment
            found = _find(session, dossier_id, email)
            assert found is not None
    if found.confirmed_at is None:
        found.frequency, found.filters, found.created_at = frequency, query, now
    return found


def _find(session: Session, dossier_id: int, email: str) -> DossierSubscription | None:
    statement = select(DossierSubscription).where(
        DossierSubscription.dossier_id == dossier_id, DossierSubscription.email == email
    )
    return session.scalars(statement).first()


def pending_alert(token: str) -> PendingAlert:
    """What a confirmation link asks for; LinkRefused for a bad, expired or spent link."""
    link = read_confirmation_token(token)
    subscription = _linked(db.session(), link.subscription_id, link.fingerprint)
    dossier = db.session.get(Dossier, subscription.dossier_id)
    assert dossier is not None  # the subscription goes with its dossier
    filters = stored_filters(link.filters)
    return PendingAlert(
        dossier=dossier,
        email=subscription.email,
        frequency=link.frequency,
        what=filter_label(filters) if filters else "Alle items",
        confirmed=subscription.confirmed_at is not None,
    )


def confirm_alert(token: str) -> Dossier:
    """Turn the alert on as the link asks (or change it to that); returns its dossier.

    From now on new items are mailed: ``sent_until`` starts now for a new subscriber, and
    for one who changes how often (so a switch never repeats or skips what was sent).
    """
    link = read_confirmation_token(token)
    now = clock.now()
    with write_transaction() as session:
        subscription = _linked(session, link.subscription_id, link.fingerprint)
        if subscription.confirmed_at is None:
            subscription.confirmed_at = now
            subscription.sent_until = now
        elif subscription.frequency is not link.frequency:
            subscription.sent_until = now
        subscription.frequency, subscription.filters = link.frequency, link.filters
        dossier = session.get(Dossier, subscription.dossier_id)
        assert dossier is not None
    return dossier


def _linked(session: Session, subscription_id: int, fingerprint: str) -> DossierSubscription:
    subscription = session.get(DossierSubscription, subscription_id)
    if subscription is None or not fingerprint_matches(
        fingerprint, subscription.id, subscription.email
    ):
        raise LinkRefused(
            _("Deze aanvraag bestaat niet meer: de link is verlopen of u hebt zich afgemeld.")
        )
    return subscription


def check_stop_link(token: str) -> None:
    """Raise LinkRefused unless this is an unsubscribe link we signed (for the GET page)."""
    read_stop_token(token)


def stop_alert(token: str) -> None:
    """The one-click unsubscribe: delete the subscription and the mail still waiting for it.

    Idempotent: a second click, or a link whose subscription is gone, changes nothing.
    """
    link = read_stop_token(token)
    with write_transaction() as session:
        subscription = session.get(DossierSubscription, link.subscription_id)
        if subscription is not None and fingerprint_matches(
            link.fingerprint, subscription.id, subscription.email
        ):
            _delete(session, subscription)


def _delete(session: Session, subscription: DossierSubscription) -> None:
    forget_messages(notifications.subscription_key_prefix(subscription.id))
    session.execute(delete(DossierSubscription).where(DossierSubscription.id == subscription.id))


def purge_unconfirmed() -> int:
    """Delete subscriptions whose confirmation link expired unused (nightly); how many."""
    hours = int(current_app.config["DOSSIER_ALERT_CONFIRM_HOURS"])
    cutoff = clock.now() - timedelta(hours=hours)
    with write_transaction() as session:
        stale = session.scalars(
            select(DossierSubscription).where(
                DossierSubscription.confirmed_at.is_(None),
                DossierSubscription.created_at < cutoff,
            )
        ).all()
        for subscription in stale:
            _delete(session, subscription)
    return len(stale)


def erase_subscriber(erasure: Erasure) -> None:
    """The accounts erasure hook: the erased person's alerts (under their address) go."""
    session = db.session()
    mine = select(DossierSubscription).where(func.lower(DossierSubscription.email) == erasure.email)
    for subscription in session.scalars(mine).all():
        _delete(session, subscription)

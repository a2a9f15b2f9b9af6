"""The signed links in dossier alert mail: confirm a subscription, and unsubscribe.

Both name the subscription by its id and a keyed fingerprint of (id, address): a link keeps
working for its own subscription only, also after SQLite hands a deleted row's id out again,
and reveals nothing about the address. The confirmation link carries the chosen frequency
and filters (nothing is changed before its owner confirms) and expires after
``DOSSIER_ALERT_CONFIRM_HOURS``; the unsubscribe link never expires (last year's mail still
stops mail, which is all it can do).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadData, SignatureExpired

from kispub.core.mail import read_unsubscribe_token, unsubscribe_link
from kispub.core.tokens import fingerprint, timed_serializer
from kispub.dossier.models import AlertFrequency

CONFIRM_SALT = "kispub-dossier-alert-confirm"
FINGERPRINT_SALT = "kispub-dossier-alert"
ALERT_LIST = "dossier-alert"  # the unsubscribe token's "list"


class LinkRefused(ValueError):
    """A link we did not sign, one for something else, an expired one, or one whose
    subscription is gone; the message is for the person who clicked."""

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


@dataclass(frozen=True)
class ConfirmLink:
    """What a valid confirmation link asks for."""

    subscription_id: int
    fingerprint: str
    frequency: AlertFrequency
    filters: str  # the page's query string, "" for the whole dossier


@dataclass(frozen=True)
class StopLink:
    """The subscription a valid unsubscribe link stops."""

    subscription_id: int
    fingerprint: str


def subscriber_fingerprint(subscription_id: int, email: str) -> str:
    """Ties a link to one subscription and its address, without revealing the address."""
    return fingerprint(FINGERPRINT_SALT, f"{subscription_id}:{email.lower()}", 24)


def fingerprint_matches(found: str, subscription_id: int, email: str) -> bool:
    """Compare in constant time."""
    return hmac.compare_digest(found, subscriber_fingerprint(subscription_id, email))


def confirmation_token(
    subscription_id: int, email: str, frequency: AlertFrequency, filters: str
) -> str:
    """The token of the link that turns the alert on (or changes it) as asked."""
    data = {
        "s": subscription_id,
        "e": subscriber_fingerprint(subscription_id, email),
        "f": frequency.value,
        "q": filters,
    }
    return timed_serializer(CONFIRM_SALT).dumps(data)


def read_confirmation_token(token: str) -> ConfirmLink:
    """What a confirmation link asks for; LinkRefused when expired, altered or not ours."""
    max_age = int(current_app.config["DOSSIER_ALERT_CONFIRM_HOURS"]) * 3600
    try:
        data = timed_serializer(CONFIRM_SALT).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise LinkRefused(_("Deze link is verlopen."), expired=True) from error
    except BadData as error:
        raise LinkRefused(_("Deze link is onvolledig of klopt niet.")) from error
    if not isinstance(data, dict):
        raise LinkRefused(_("Deze link is onvolledig of klopt niet."))
    try:
        frequency = AlertFrequency(str(data.get("f")))
    except ValueError as error:
        raise LinkRefused(_("Deze link is onvolledig of klopt niet.")) from error
    filters = data.get("q")
    return ConfirmLink(
        _int(data, "s"), str(data.get("e")), frequency, filters if isinstance(filters, str) else ""
    )


def unsubscribe_url(subscription_id: int, email: str) -> str:
    """The one-click link that ends a subscription (List-Unsubscribe and the mail's footer)."""
    data = {
        "list": ALERT_LIST,
        "s": subscription_id,
        "e": subscriber_fingerprint(subscription_id, email),
    }
    return unsubscribe_link("dossier_alerts.unsubscribe", data)


def read_stop_token(token: str) -> StopLink:
    """The subscription an unsubscribe link names; LinkRefused unless we signed it for that."""
    try:
        data = read_unsubscribe_token(token)
    except (BadData, ValueError) as error:
        raise LinkRefused(_("Deze link is onvolledig of klopt niet.")) from error
    if data.get("list") != ALERT_LIST:
        raise LinkRefused(_("Deze link is onvolledig of klopt niet."))
    return StopLink(_int(data, "s"), str(data.get("e")))


def _int(data: dict[str, Any], name: str) -> int:
    value = data.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise LinkRefused(_("Deze link is onvolledig of klopt niet."))
    return value

"""The dossier's e-mail: the confirmation of an alert, and the alerts themselves.

Every function here composes a message and queues it in the outbox (``queue_mail``) inside
the caller's write transaction: the worker delivers it after the commit. The outbox key names
the message and gives its Message-ID; the same key is never queued twice, so a job that runs
again mails nothing again. Alerts carry ``List-Unsubscribe`` with one-click
``List-Unsubscribe-Post`` (RFC 8058) and the same link visibly at the bottom.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app, render_template
from flask_babel import gettext as _
from flask_babel import ngettext

from kispub.core.dates import day_date
from kispub.core.mail import build_message
from kispub.core.outbox import queue_mail
from kispub.core.urls import absolute_url
from kispub.dossier.alert_tokens import confirmation_token, unsubscribe_url
from kispub.dossier.alerts import Period, describe_filters
from kispub.dossier.links import absolute, dossier_path
from kispub.dossier.models import AlertFrequency, Dossier, DossierItem, DossierSubscription

KEY_PREFIX = "dossier:alert"  # every alert mail's outbox key starts with it and the id


@dataclass(frozen=True)
class MailItem:
    """An item as a mail lists it."""

    title: str
    kind: str
    dated: str
    summary: str
    url: str


def mail_item(item: DossierItem, url: str) -> MailItem:
    """``url``: where the dossier page sends a reader (absolute or a path of this site)."""
    return MailItem(
        item.title, item.kind.label, day_date(item.dated_on), item.summary, absolute(url)
    )


def subscription_key_prefix(subscription_id: int) -> str:
    """The start of the outbox key of every mail to this subscription (to forget them)."""
    return f"{KEY_PREFIX}:{subscription_id}:"


def queue_confirmation(
    subscription: DossierSubscription,
    dossier: Dossier,
    frequency: AlertFrequency,
    filters: str,
) -> None:
    """Mail the link that turns the alert on (or changes it): nothing is sent before it."""
    token = confirmation_token(subscription.id, subscription.email, frequency, filters)
    body = render_template(
        "dossier/mail/confirm.txt",
        dossier=dossier,
        what=_what(filters),
        frequency=frequency.label.lower(),
        confirm_url=absolute_url("dossier_alerts.confirm", token=token),
        already=subscription.confirmed_at is not None,
        hours=current_app.config["DOSSIER_ALERT_CONFIRM_HOURS"],
    )
    # A fresh key per request: each asks for (and gets) its own link.
    key = f"{subscription_key_prefix(subscription.id)}confirm:{secrets.token_hex(8)}"
    subject = _("Bevestig uw e-mail over %(title)s", title=dossier.title)
    queue_mail(build_message(subscription.email, subject, body, key=key), key)


def queue_alert(
    subscription: DossierSubscription,
    dossier: Dossier,
    items: Sequence[MailItem],
    ids: Sequence[int],
) -> bool:
    """Mail new items at once (*Direct*); the key is the subscription and the item ids."""
    digest = hashlib.sha256(",".join(map(str, sorted(ids))).encode()).hexdigest()[:24]
    key = f"{subscription_key_prefix(subscription.id)}items:{digest}"
    subject = (
        f"{dossier.title}: {items[0].title}"
        if len(items) == 1
        else ngettext(
            "%(title)s: %(num)d nieuw item",
            "%(title)s: %(num)d nieuwe items",
            len(items),
            title=dossier.title,
        )
    )
    return _queue_items(subscription, dossier, items, key, subject, heading=_("Nieuw in"))


def queue_summary(
    subscription: DossierSubscription, dossier: Dossier, items: Sequence[MailItem], period: Period
) -> bool:
    """Mail the daily or weekly summary; the key is the subscription and the period."""
    key = f"{subscription_key_prefix(subscription.id)}summary:{period.key}"
    weekly = period.frequency is AlertFrequency.WEEKLY
    name = _("weekoverzicht") if weekly else _("dagoverzicht")
    subject = ngettext(
        "%(title)s: %(num)d nieuw item (%(name)s)",
        "%(title)s: %(num)d nieuwe items (%(name)s)",
        len(items),
        title=dossier.title,
        name=name,
    )
    heading = _("Weekoverzicht:") if weekly else _("Dagoverzicht:")
    return _queue_items(subscription, dossier, items, key, subject, heading=heading)


def _queue_items(
    subscription: DossierSubscription,
    dossier: Dossier,
    items: Sequence[MailItem],
    key: str,
    subject: str,
    heading: str,
) -> bool:
    stop_url = unsubscribe_url(subscription.id, subscription.email)
    body = render_template(
        "dossier/mail/items.txt",
        dossier=dossier,
        heading=heading,
        items=items,
        what=_what(subscription.filters),
        frequency=subscription.frequency.label.lower(),
        dossier_url=absolute(dossier_path(dossier.slug)),
        unsubscribe_url=stop_url,
    )
    message = build_message(subscription.email, subject, body, key=key, unsubscribe_url=stop_url)
    return queue_mail(message, key)


def _what(filters: str) -> str:
    """ "alle items", or "artikelen over Participatie"."""
    label = describe_filters(filters)
    return label[0].lower() + label[1:]

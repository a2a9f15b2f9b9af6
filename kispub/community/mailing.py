"""The community's notification e-mail: immediate mails after a delay, digests, unsubscribing.

Placeholder: the e-mail work fills this in. ``notification_created`` is the one call the
notifications work makes (inside the transaction that stores the notification).
"""

from __future__ import annotations

from kispub.community.models import Notification


def notification_created(notification: Notification) -> None:
    """Plan the e-mail about a new notification, if the member wants one for it."""

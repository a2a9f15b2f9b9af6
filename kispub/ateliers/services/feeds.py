"""A member's personal calendar feed: a new secret address, or none."""

from __future__ import annotations

import secrets

from sqlalchemy import delete

from kispub.accounts.models import User
from kispub.ateliers.models import AtelierFeed
from kispub.core.database import write_transaction


def renew_feed(user: User) -> None:
    """Give the member a new secret address; any earlier one stops working."""
    with write_transaction() as session:
        session.execute(delete(AtelierFeed).where(AtelierFeed.user_id == user.id))
        session.add(AtelierFeed(user_id=user.id, secret=secrets.token_urlsafe(32)))


def revoke_feed(user: User) -> None:
    """Switch the member's feed off."""
    with write_transaction() as session:
        session.execute(delete(AtelierFeed).where(AtelierFeed.user_id == user.id))

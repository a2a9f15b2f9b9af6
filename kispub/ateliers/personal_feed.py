"""A member's personal calendar feed behind a secret address they can revoke."""

from __future__ import annotations

import secrets

from sqlalchemy import delete, select

from kispub.accounts.models import User
from kispub.ateliers.calendar import personal_feed
from kispub.ateliers.models import AtelierFeed
from kispub.ateliers.tokens import feed_token, feed_token_matches
from kispub.core.database import write_transaction
from kispub.core.http import Document
from kispub.core.urls import absolute_url
from kispub.extensions import db

MAX_ID = 2**31 - 1


def _feed(user_id: int) -> AtelierFeed | None:
    return db.session.scalars(select(AtelierFeed).where(AtelierFeed.user_id == user_id)).first()


def feed_url(user: User) -> str | None:
    """The member's secret feed address, or None when they have none."""
    feed = _feed(user.id)
    if feed is None:
        return None
    token = feed_token(user.id, feed.secret)
    return absolute_url("ateliers.personal_feed", user_id=user.id, token=token)


def renew_feed(user: User) -> None:
    """Give the member a new secret address; any earlier one stops working."""
    with write_transaction() as session:
        session.execute(delete(AtelierFeed).where(AtelierFeed.user_id == user.id))
        session.add(AtelierFeed(user_id=user.id, secret=secrets.token_urlsafe(32)))


def revoke_feed(user: User) -> None:
    """Switch the member's feed off."""
    with write_transaction() as session:
        session.execute(delete(AtelierFeed).where(AtelierFeed.user_id == user.id))


def personal_feed_document(user_id: int, token: str) -> Document | None:
    """The feed for a valid, unrevoked address of an active member, else None."""
    if user_id > MAX_ID:  # would overflow the database's integer
        return None
    feed = _feed(user_id)
    if feed is None or not feed_token_matches(token, user_id, feed.secret):
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        return None
    return personal_feed(user, token)

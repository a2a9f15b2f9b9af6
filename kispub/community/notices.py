"""What members see of their notifications: the count in the header and the notifications page.

Both read only the notification rows: each row's snapshot (actor name, thread title, post
number) is what it says, so nothing else is joined and the page costs the same statements
whatever it holds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, g, has_request_context
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from kispub.community.models import Member, MemberStatus, Notification, NotificationKind
from kispub.community.pages import FORMER_MEMBER, NotFound, Pagination
from kispub.community.services.notifying import HEADER_COUNT
from kispub.extensions import db

Kind = NotificationKind


@dataclass(frozen=True)
class NotificationView:
    """One notification as the page lists it."""

    id: int
    kind: NotificationKind
    text: str
    message: str  # a moderator's words, for a moderation decision
    created_at: datetime
    unread: bool


@dataclass(frozen=True)
class NotificationsPage:
    """One page of a member's notifications, newest first."""

    notifications: tuple[NotificationView, ...]
    pagination: Pagination
    unread: int


def notifications_page(user_id: int, page: int) -> NotificationsPage:
    """Page ``page`` of the member's notifications; NotFound past the last page."""
    per_page = int(current_app.config["COMMUNITY_NOTIFICATIONS_PER_PAGE"])
    total, unread = db.session.execute(
        select(func.count(), func.count().filter(Notification.read_at.is_(None))).where(
            Notification.user_id == user_id
        )
    ).one()
    pages = max(1, math.ceil(total / per_page))
    if not 1 <= page <= pages:
        raise NotFound(page)
    rows = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    views = tuple(_view(n) for n in rows)
    return NotificationsPage(views, Pagination(page, pages), int(unread))


def _view(notification: Notification) -> NotificationView:
    return NotificationView(
        id=notification.id,
        kind=notification.kind,
        text=describe(notification),
        message=notification.message,
        created_at=notification.created_at,
        unread=notification.read_at is None,
    )


def describe(notification: Notification) -> str:
    """The notification in one sentence, from its snapshot alone."""
    values = {
        "actor": notification.actor_name or FORMER_MEMBER,
        "title": notification.thread_title,
        "n": notification.post_number or 0,
    }
    kind = notification.kind
    if kind is Kind.MENTION:
        return _("%(actor)s noemde u in bericht %(n)d van “%(title)s”", **values)
    if kind is Kind.REPLY:
        return _("%(actor)s reageerde op uw bericht in “%(title)s” (bericht %(n)d)", **values)
    if kind is Kind.WATCHED_POST:
        return _("%(actor)s plaatste bericht %(n)d in “%(title)s”", **values)
    if kind is Kind.WATCHED_THREAD:
        return _("%(actor)s begon een nieuw onderwerp: “%(title)s”", **values)
    if kind is Kind.ANSWER_ACCEPTED:
        return _("%(actor)s koos uw bericht %(n)d als antwoord op “%(title)s”", **values)
    if notification.post_number is not None:
        return _("Een moderator besliste over uw bericht %(n)d in “%(title)s”", **values)
    if notification.thread_title:
        return _("Een moderator besliste over het onderwerp “%(title)s”", **values)
    return _("Een moderator besliste over uw lidmaatschap")


def member_and_unread(user_id: int) -> tuple[Member | None, int]:
    """A user's membership row and their unread notifications, in one statement: the
    community's door asks for the first, and the header then needs no query of its own."""
    unread = (
        select(func.count(Notification.id))
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )
    row = db.session.execute(select(Member, unread).where(Member.user_id == user_id)).first()
    return (None, 0) if row is None else (row[0], int(row[1]))


def remember_unread(count: int) -> None:
    """Keep an approved member's unread count for this request's header."""
    g.setdefault(HEADER_COUNT, count)


def unread_for_header(user_id: int) -> int | None:
    """The member's unread notifications; None when the user is not an approved member.

    One statement: the membership row by its key, and the count over the (user, read)
    index.
    """
    statement = (
        select(func.count(Notification.id))
        .select_from(Member)
        .outerjoin(
            Notification,
            (Notification.user_id == Member.user_id) & Notification.read_at.is_(None),
        )
        .where(Member.user_id == user_id, Member.status == MemberStatus.APPROVED)
        .group_by(Member.user_id)
    )
    count = db.session.scalar(statement)
    return None if count is None else int(count)


def header_context() -> dict[str, int | None]:
    """The context processor for base.html: ``community_notifications`` is the logged-in
    member's unread count (None for everyone else). Community pages have it from the door
    (``member_and_unread``); elsewhere it costs one statement, once per request."""
    if not has_request_context() or not current_user.is_authenticated:
        return {"community_notifications": None}
    if HEADER_COUNT not in g:
        setattr(g, HEADER_COUNT, unread_for_header(current_user.id))
    return {"community_notifications": g.get(HEADER_COUNT)}

"""The community's digests: a daily and a weekly summary at a fixed time, each sent once.

The job ``community-digest`` runs every hour (at minute 1). For each of the two kinds it
works out the latest period that ended (daily: ``COMMUNITY_DIGEST_HOUR`` every day; weekly:
that hour on ``COMMUNITY_DIGEST_WEEKDAY``, 0 = Monday; in the site's time zone) and, if it
ended less than ``LATE_AFTER`` ago and nobody claimed it, claims it and sends it.

Exactly once, also across restarts and several workers: the claim is an INSERT of a
``DigestRun`` row whose ``period`` ("weekly:2026-W50", "daily:2026-12-14") is unique, so a
second worker's insert fails; and every mail has an outbox key per (period, member). A run
whose worker died (``finished_at`` still empty after ``STALE_AFTER``) is taken over and
finishes the members not mailed yet — the outbox key keeps those mailed from a second copy.

What a member gets (members whose mode is DAILY or WEEKLY, approved, active account): new
threads and the most active threads of the period in the themes they follow (a theme watch
of Volgen or Meelezen; a member who follows none gets all themes but the ones they mute),
leaving out hidden threads, deleted and hidden posts, threads they mute or stopped mail
about, and threads they started themselves; plus their unread mentions, replies and accepted
answers of the period. Nothing in it: no mail.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from kispub.accounts.models import User
from kispub.community.mailing import IMMEDIATE_KINDS, footer_links
from kispub.community.models import (
    DigestRun,
    EmailMode,
    Member,
    MemberStatus,
    Notification,
    NotificationKind,
    Post,
    ThemeWatch,
    Thread,
    ThreadWatch,
    WatchLevel,
)
from kispub.community.services.email_settings import unsubscribe_url
from kispub.core import clock
from kispub.core.database import write_transaction
from kispub.core.mail import build_message
from kispub.core.outbox import queue_mail
from kispub.core.periods import latest_summary_period
from kispub.core.urls import absolute_url
from kispub.extensions import db
from kispub.themes.models import Theme

DIGEST_MODES = (EmailMode.DAILY, EmailMode.WEEKLY)
# A period is sent up to this long after it ended (a worker that was down catches up the
# same morning); later, it is skipped rather than arriving in the evening.
LATE_AFTER = timedelta(hours=12)
# A claimed run unfinished this long lost its worker: another run takes it over.
STALE_AFTER = timedelta(minutes=30)
MEMBERS_PER_TRANSACTION = 50
NEW_THREADS = 10
ACTIVE_THREADS = 5
FOR_YOU = 10
FOLLOWING = (WatchLevel.WATCHING, WatchLevel.TRACKING)


@dataclass(frozen=True)
class Period:
    """One digest period: what it covers (UTC, end excluded) and its unique key."""

    mode: EmailMode
    start: datetime
    end: datetime
    key: str


def latest_period(mode: EmailMode, now: datetime) -> Period:
    """The latest period of ``mode`` that ended at or before ``now``."""
    config = current_app.config
    weekly = mode is EmailMode.WEEKLY
    period = latest_summary_period(
        now,
        zone=config["BABEL_DEFAULT_TIMEZONE"],
        hour=int(config["COMMUNITY_DIGEST_HOUR"]),
        weekday=int(config["COMMUNITY_DIGEST_WEEKDAY"]) if weekly else None,
    )
    return Period(mode, period.start, period.end, period.key)


def send_due_digests() -> int:
    """The hourly job: send each kind's latest period if it is due and not sent; mails queued."""
    now = clock.now()
    sent = 0
    for mode in DIGEST_MODES:
        period = latest_period(mode, now)
        if now - period.end < LATE_AFTER and claim(period, now):
            sent += send_digest(period)
    return sent


def claim(period: Period, now: datetime) -> bool:
    """Take the period for this worker: True for exactly one of any number of callers.

    A new period is claimed by inserting its row (unique key: a second insert fails); a
    period whose worker died is taken over by one conditional UPDATE.
    """
    try:
        with write_transaction() as session:
            if session.scalar(select(DigestRun.id).where(DigestRun.period == period.key)) is None:
                session.add(DigestRun(period=period.key, started_at=now))
                return True
            result = session.execute(
                update(DigestRun)
                .where(
                    DigestRun.period == period.key,
                    DigestRun.finished_at.is_(None),
                    DigestRun.started_at < now - STALE_AFTER,
                )
                .values(started_at=now)
            )
            return int(getattr(result, "rowcount", 0)) == 1
    except IntegrityError:  # another worker inserted the same period first
        return False


def send_digest(period: Period) -> int:
    """Queue the period's digest for every member who takes it; returns how many were queued."""
    threads = threads_of_period(period)
    recipients = list(_recipients(period.mode))
    sent = 0
    for first in range(0, len(recipients), MEMBERS_PER_TRANSACTION):
        batch = recipients[first : first + MEMBERS_PER_TRANSACTION]
        with write_transaction():
            sent += _send_batch(period, threads, batch)
    with write_transaction():
        db.session.execute(
            update(DigestRun)
            .where(DigestRun.period == period.key)
            .values(finished_at=clock.now(), sent=DigestRun.sent + sent)
        )
    return sent


# --- what a digest holds ------------------------------------------------------------------


@dataclass(frozen=True)
class DigestThread:
    """A thread with activity in the period."""

    thread_id: int
    theme_id: int
    theme_name: str
    title: str
    author_id: int | None
    created_at: datetime
    new_posts: int
    url: str


@dataclass(frozen=True)
class ForYou:
    """An unread notification of the period: someone answered, mentioned or chose the member."""

    kind: NotificationKind
    actor_name: str
    thread_id: int
    thread_title: str
    url: str


@dataclass(frozen=True)
class Digest:
    """One member's digest of one period."""

    new_threads: list[DigestThread]
    active_threads: list[DigestThread]
    for_you: list[ForYou]

    @property
    def is_empty(self) -> bool:
        return not (self.new_threads or self.active_threads or self.for_you)


@dataclass
class Reader:
    """What decides one member's digest: their themes and the threads they left."""

    user_id: int
    following: set[int] = field(default_factory=set)
    muted_themes: set[int] = field(default_factory=set)
    left_threads: set[int] = field(default_factory=set)

    def reads(self, thread: DigestThread) -> bool:
        if thread.thread_id in self.left_threads:
            return False
        if self.following:
            return thread.theme_id in self.following
        return thread.theme_id not in self.muted_themes


def threads_of_period(period: Period) -> list[DigestThread]:
    """Visible threads with visible posts written in the period, busiest first."""
    new_posts = func.count(Post.id)
    statement = (
        select(Thread, Theme.name, new_posts)
        .join(Theme, Theme.id == Thread.theme_id)
        .join(Post, Post.thread_id == Thread.id)
        .where(
            Thread.hidden_at.is_(None),
            Thread.last_post_at >= period.start,  # the index on (theme, last post) narrows
            Post.created_at >= period.start,
            Post.created_at < period.end,
            Post.deleted_at.is_(None),
            Post.hidden_at.is_(None),
        )
        .group_by(Thread.id, Theme.name)
        .order_by(new_posts.desc(), Thread.id)
    )
    return [
        DigestThread(
            thread.id,
            thread.theme_id,
            theme_name,
            thread.title,
            thread.author_id,
            thread.created_at,
            count,
            absolute_url("community.thread", thread_id=thread.id),
        )
        for thread, theme_name, count in db.session.execute(statement)
    ]


def digest_for(reader: Reader, threads: Sequence[DigestThread], period: Period) -> Digest:
    """A member's selection from the period's threads (``for_you`` is added by the caller)."""
    readable = [t for t in threads if reader.reads(t)]
    new = sorted(
        (
            t
            for t in readable
            if period.start <= t.created_at < period.end and t.author_id != reader.user_id
        ),
        key=lambda t: t.created_at,
    )[:NEW_THREADS]
    shown = {t.thread_id for t in new}
    active = [t for t in readable if t.thread_id not in shown and t.created_at < period.start][
        :ACTIVE_THREADS
    ]
    return Digest(new, active, [])


def _recipients(mode: EmailMode) -> Iterable[tuple[int, str]]:
    statement = (
        select(Member.user_id, User.email)
        .join(User, User.id == Member.user_id)
        .where(
            Member.status == MemberStatus.APPROVED,
            Member.email_mode == mode,
            User.active.is_(True),
        )
        .order_by(Member.user_id)
    )
    return db.session.execute(statement)


def _send_batch(
    period: Period, threads: Sequence[DigestThread], batch: Sequence[tuple[int, str]]
) -> int:
    readers = _readers([user_id for user_id, _email in batch], [t.thread_id for t in threads])
    for_you = _for_you(readers, period)
    sent = 0
    for user_id, email in batch:
        digest = digest_for(readers[user_id], threads, period)
        digest = Digest(digest.new_threads, digest.active_threads, for_you.get(user_id, []))
        if not digest.is_empty:
            sent += _queue_digest(period, user_id, email, digest)
    return sent


def _readers(user_ids: Sequence[int], thread_ids: Sequence[int]) -> dict[int, Reader]:
    """Each member's followed and muted themes, and the period's threads they left."""
    readers = {user_id: Reader(user_id) for user_id in user_ids}
    themes = select(ThemeWatch.user_id, ThemeWatch.theme_id, ThemeWatch.level).where(
        ThemeWatch.user_id.in_(user_ids)
    )
    for user_id, theme_id, level in db.session.execute(themes):
        if level in FOLLOWING:
            readers[user_id].following.add(theme_id)
        elif level is WatchLevel.MUTED:
            readers[user_id].muted_themes.add(theme_id)
    if thread_ids:
        left = select(ThreadWatch.user_id, ThreadWatch.thread_id).where(
            ThreadWatch.user_id.in_(user_ids),
            ThreadWatch.thread_id.in_(thread_ids),
            or_(ThreadWatch.mail_stopped.is_(True), ThreadWatch.level == WatchLevel.MUTED),
        )
        for user_id, thread_id in db.session.execute(left):
            readers[user_id].left_threads.add(thread_id)
    return readers


def _for_you(readers: dict[int, Reader], period: Period) -> dict[int, list[ForYou]]:
    """Unread mentions, replies and accepted answers of the period, on posts still visible,
    in threads the member did not leave."""
    statement = (
        select(Notification, Thread.id, Thread.title)
        .join(Post, Post.id == Notification.post_id)
        .join(Thread, Thread.id == Post.thread_id)
        .where(
            Notification.user_id.in_(list(readers)),
            Notification.kind.in_(IMMEDIATE_KINDS),
            Notification.read_at.is_(None),
            Notification.created_at >= period.start,
            Notification.created_at < period.end,
            Post.deleted_at.is_(None),
            Post.hidden_at.is_(None),
            Thread.hidden_at.is_(None),
        )
        .order_by(Notification.created_at, Notification.id)
    )
    found: dict[int, list[ForYou]] = defaultdict(list)
    for notification, thread_id, title in db.session.execute(statement):
        items = found[notification.user_id]
        if len(items) < FOR_YOU and thread_id not in readers[notification.user_id].left_threads:
            url = absolute_url("community.post", post_id=notification.post_id)
            items.append(ForYou(notification.kind, notification.actor_name, thread_id, title, url))
    return found


def _queue_digest(period: Period, user_id: int, email: str, digest: Digest) -> bool:
    key = f"community:digest:{period.key}:{user_id}"
    weekly = period.mode is EmailMode.WEEKLY
    subject = (
        _("Uw weekoverzicht van de KIS-community")
        if weekly
        else _("Uw dagelijkse overzicht van de KIS-community")
    )
    body = render_template(
        "community/mail/digest.txt",
        digest=digest,
        period=period,
        weekly=weekly,
        community_url=absolute_url("community.index"),
        **footer_links(user_id),
    )
    message = build_message(email, subject, body, key=key, unsubscribe_url=unsubscribe_url(user_id))
    return queue_mail(message, key)

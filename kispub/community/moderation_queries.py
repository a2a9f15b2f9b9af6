"""Reads for the moderators' queues and the moderation log, into frozen page objects.

Each list is a fixed number of queries whatever its length (a page of reports costs two:
the reports with their posts, and their reasons counted per round). Nothing here is shown
to members; the back office (``admin_moderation``) is its only reader.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import aliased

from kispub.accounts.models import User
from kispub.community.models import (
    Flag,
    FlagReason,
    FlagReview,
    ModerationAction,
    ModerationLogEntry,
    Post,
    ReviewStatus,
    TargetKind,
    Thread,
)
from kispub.community.pages import NotFound, Pagination
from kispub.core.markdown import markdown_to_text
from kispub.extensions import db
from kispub.themes.models import Theme

EXCERPT = 240  # characters of a post shown in a queue
QUEUE_PAGE_SIZE = 30
FORMER_MEMBER = "een oud-lid"


def excerpt(body: str) -> str:
    """A post's opening as plain text, for lists."""
    text = " ".join(markdown_to_text(body).split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"


def paginate(page: int, items: int, per_page: int) -> Pagination:
    """Page ``page`` of a list; NotFound past the last page."""
    pages = max(1, math.ceil(items / per_page))
    if not 1 <= page <= pages:
        raise NotFound(page)
    return Pagination(page, pages)


# --- the moderation log ------------------------------------------------------------------


@dataclass(frozen=True)
class LogEntry:
    """One entry of the moderation log as the pages and the CSV file show it."""

    id: int
    at: datetime
    actor_id: int | None
    actor_name: str
    action: ModerationAction
    target_kind: TargetKind
    target_id: int
    target_label: str
    subject_id: int | None
    reason: str


@dataclass(frozen=True)
class LogPage:
    """One page of the log, newest first, perhaps of one action only."""

    entries: tuple[LogEntry, ...]
    pagination: Pagination
    action: ModerationAction | None
    total: int


def _entry(row: ModerationLogEntry) -> LogEntry:
    return LogEntry(
        row.id,
        row.created_at,
        row.actor_id,
        row.actor_name,
        row.action,
        row.target_kind,
        row.target_id,
        row.target_label,
        row.subject_id,
        row.reason,
    )


def _log_statement(action: ModerationAction | None) -> Select[ModerationLogEntry]:
    statement = select(ModerationLogEntry)
    if action is not None:
        statement = statement.where(ModerationLogEntry.action == action)
    return statement


def log_page(action: ModerationAction | None, page: int, per_page: int) -> LogPage:
    """A page of the log; NotFound past the last page."""
    count = select(func.count()).select_from(_log_statement(action).subquery())
    total = db.session.scalar(count) or 0
    pagination = paginate(page, total, per_page)
    statement = (
        _log_statement(action)
        .order_by(ModerationLogEntry.created_at.desc(), ModerationLogEntry.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    entries = tuple(_entry(row) for row in db.session.scalars(statement))
    return LogPage(entries, pagination, action, total)


def all_log_entries(action: ModerationAction | None) -> Iterator[LogEntry]:
    """The whole log (or one action's entries), oldest first, read in batches."""
    statement = _log_statement(action).order_by(ModerationLogEntry.id)
    for row in db.session.scalars(statement.execution_options(yield_per=500)):
        yield _entry(row)


def history(*targets: tuple[TargetKind, int], subject_id: int | None = None) -> list[LogEntry]:
    """The entries about any of ``targets`` (and about member ``subject_id``), oldest first."""
    conditions: list[ColumnElement[bool]] = [
        and_(ModerationLogEntry.target_kind == kind, ModerationLogEntry.target_id == target_id)
        for kind, target_id in targets
    ]
    if subject_id is not None:
        conditions.append(ModerationLogEntry.subject_id == subject_id)
    statement = (
        select(ModerationLogEntry)
        .where(or_(*conditions))
        .order_by(ModerationLogEntry.created_at, ModerationLogEntry.id)
    )
    return [_entry(row) for row in db.session.scalars(statement)]


# --- reports (the review queue) ----------------------------------------------------------


@dataclass(frozen=True)
class ReviewRow:
    """A round of reports in the queue."""

    id: int
    status: ReviewStatus
    opened_at: datetime
    decided_at: datetime | None
    flag_count: int
    reasons: tuple[tuple[FlagReason, int], ...]  # how often each reason was given
    post_id: int
    post_number: int
    post_hidden: bool
    excerpt: str
    thread_id: int
    thread_title: str
    author_id: int | None
    author_name: str


@dataclass(frozen=True)
class ReviewQueue:
    """One page of rounds in one status (None: every status)."""

    rows: tuple[ReviewRow, ...]
    status: ReviewStatus | None
    pagination: Pagination
    open_count: int


def review_queue(status: ReviewStatus | None, page: int) -> ReviewQueue:
    """Open rounds oldest first (they wait longest); decided ones newest first."""
    filtered = select(FlagReview.id)
    if status is not None:
        filtered = filtered.where(FlagReview.status == status)
    total = db.session.scalar(select(func.count()).select_from(filtered.subquery())) or 0
    pagination = paginate(page, total, QUEUE_PAGE_SIZE)
    order = (
        (FlagReview.opened_at, FlagReview.id)
        if status is ReviewStatus.OPEN
        else (FlagReview.opened_at.desc(), FlagReview.id.desc())
    )
    statement = (
        _review_columns()
        .where(FlagReview.id.in_(filtered))
        .order_by(*order)
        .offset((page - 1) * QUEUE_PAGE_SIZE)
        .limit(QUEUE_PAGE_SIZE)
    )
    found = db.session.execute(statement).all()
    reasons = _reasons([row[0].id for row in found])
    rows = tuple(_review_row(*row, reasons.get(row[0].id, Counter())) for row in found)
    open_count = db.session.scalar(
        select(func.count(FlagReview.id)).where(FlagReview.status == ReviewStatus.OPEN)
    )
    return ReviewQueue(rows, status, pagination, open_count or 0)


def _review_columns() -> Select[FlagReview, Post, Thread, str]:
    author = aliased(User)
    return (
        select(FlagReview, Post, Thread, author.name)
        .join(Post, Post.id == FlagReview.post_id)
        .join(Thread, Thread.id == Post.thread_id)
        .outerjoin(author, author.id == Post.author_id)
    )


def _reasons(review_ids: list[int]) -> dict[int, Counter[FlagReason]]:
    if not review_ids:
        return {}
    statement = (
        select(Flag.review_id, Flag.reason, func.count())
        .where(Flag.review_id.in_(review_ids))
        .group_by(Flag.review_id, Flag.reason)
    )
    counted: dict[int, Counter[FlagReason]] = {}
    for review_id, reason, number in db.session.execute(statement):
        counted.setdefault(review_id, Counter())[reason] = number
    return counted


def _review_row(
    review: FlagReview,
    post: Post,
    thread: Thread,
    author_name: str | None,
    reasons: Counter[FlagReason],
) -> ReviewRow:
    return ReviewRow(
        id=review.id,
        status=review.status,
        opened_at=review.opened_at,
        decided_at=review.decided_at,
        flag_count=review.flag_count,
        reasons=tuple(sorted(reasons.items(), key=lambda item: (-item[1], item[0].value))),
        post_id=post.id,
        post_number=post.number,
        post_hidden=post.hidden_at is not None,
        excerpt=excerpt(post.body),
        thread_id=thread.id,
        thread_title=thread.title,
        author_id=post.author_id,
        author_name=author_name or FORMER_MEMBER,
    )


@dataclass(frozen=True)
class FlagRow:
    """One member's report."""

    at: datetime
    member_name: str
    reason: FlagReason
    note: str


@dataclass(frozen=True)
class ReviewPage:
    """A round of reports: the post, every report, and the post's moderation history."""

    review: ReviewRow
    decided_by: str | None
    decision_reason: str
    hid_post: bool
    post_html: Markup
    post_deleted: bool
    flags: tuple[FlagRow, ...]
    history: tuple[LogEntry, ...]


def review_page(review_id: int) -> ReviewPage:
    """One round of reports; NotFound when there is none."""
    row = db.session.execute(_review_columns().where(FlagReview.id == review_id)).first()
    if row is None:
        raise NotFound(review_id)
    review, post, thread, author_name = row
    flags = db.session.execute(
        select(Flag, User.name)
        .join(User, User.id == Flag.user_id)
        .where(Flag.review_id == review.id)
        .order_by(Flag.created_at, Flag.id)
    ).all()
    reasons = Counter(flag.reason for flag, _name in flags)
    entries = history((TargetKind.REVIEW, review.id), (TargetKind.POST, post.id))
    return ReviewPage(
        review=_review_row(review, post, thread, author_name, reasons),
        decided_by=review.decided_by.name if review.decided_by else None,
        decision_reason=review.decision_reason,
        hid_post=review.hid_post,
        post_html=Markup(post.html),  # noqa: S704 - sanitised when written
        post_deleted=post.deleted_at is not None,
        flags=tuple(FlagRow(f.created_at, name, f.reason, f.note) for f, name in flags),
        history=tuple(entries),
    )


# --- held posts (pre-moderation) ---------------------------------------------------------


@dataclass(frozen=True)
class HeldPost:
    """A post waiting for a moderator, with its full text (moderators judge all of it)."""

    id: int
    number: int
    html: Markup
    created_at: datetime
    new_thread: bool
    thread_id: int
    thread_title: str
    theme_name: str
    author_id: int | None
    author_name: str


def held_posts(limit: int = 100) -> list[HeldPost]:
    """Posts waiting for a moderator, the longest-waiting first."""
    statement = _held_columns().order_by(Post.held_at, Post.id).limit(limit)
    return [_held(*row) for row in db.session.execute(statement)]


def held_post(post_id: int) -> HeldPost:
    """One post waiting for a moderator; NotFound when it waits no longer."""
    row = db.session.execute(_held_columns().where(Post.id == post_id)).first()
    if row is None:
        raise NotFound(post_id)
    return _held(*row)


def held_count() -> int:
    """How many posts wait for a moderator."""
    statement = select(func.count()).select_from(_held_columns().subquery())
    return db.session.scalar(statement) or 0


def _held_columns() -> Select[Post, Thread, str, str]:
    return (
        select(Post, Thread, Theme.name, User.name)
        .join(Thread, Thread.id == Post.thread_id)
        .join(Theme, Theme.id == Thread.theme_id)
        .outerjoin(User, User.id == Post.author_id)
        .where(Post.held_at.is_not(None), Post.hidden_at.is_(None), Post.deleted_at.is_(None))
    )


def _held(post: Post, thread: Thread, theme_name: str, author_name: str | None) -> HeldPost:
    return HeldPost(
        id=post.id,
        number=post.number,
        html=Markup(post.html),  # noqa: S704 - sanitised when written
        created_at=post.created_at,
        new_thread=post.number == 1,
        thread_id=thread.id,
        thread_title=thread.title,
        theme_name=theme_name,
        author_id=post.author_id,
        author_name=author_name or FORMER_MEMBER,
    )

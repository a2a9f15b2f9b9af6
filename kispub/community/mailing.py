"""The community's notification e-mail: one mail per notification, after a delay, that threads.

``notification_created`` is the one call the notifications work makes, inside the
transaction that stores a notification. If the member wants a mail about it, a job is
enqueued (after the commit) to run ``COMMUNITY_MAIL_DELAY_MINUTES`` later:
``send_notification_mail`` then checks again — the member may have read it, changed their
mode, stopped the thread's mail or left — and queues the mail in the outbox.

Who gets which mail (the README's "E-mail and digests"):

- REPLY, MENTION and ANSWER_ACCEPTED: members whose mode is IMMEDIATE;
- MODERATION (a decision about one's own post or account): every member but NEVER, since a
  digest does not carry it and a member should learn of it;
- WATCHED_POST and WATCHED_THREAD: never one by one; the digests summarise activity.

Threading: every post has one Message-ID, the same for every recipient (derived from the
post's id); a mail about a post carries it, ``In-Reply-To`` the post it answers (else the
thread's first post) and ``References`` the chain from the first post to that parent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from kispub import jobs
from kispub.community.models import (
    EmailMode,
    Member,
    MemberStatus,
    Notification,
    NotificationKind,
    Post,
    ReadState,
    Thread,
    ThreadWatch,
)
from kispub.community.services.email_settings import stop_thread_url, unsubscribe_url
from kispub.core import clock
from kispub.core.database import after_commit, write_transaction
from kispub.core.mail import build_message
from kispub.core.outbox import queue_mail
from kispub.core.urls import absolute_url
from kispub.extensions import db

# Kinds mailed one by one to members who chose IMMEDIATE.
IMMEDIATE_KINDS = frozenset(
    {NotificationKind.REPLY, NotificationKind.MENTION, NotificationKind.ANSWER_ACCEPTED}
)
# Kinds mailed to every member whose mode is not NEVER.
ALWAYS_KINDS = frozenset({NotificationKind.MODERATION})
MAILED_KINDS = IMMEDIATE_KINDS | ALWAYS_KINDS
# Kinds about someone else's post: reading it in the thread counts as reading the notification.
READ_IN_THREAD_KINDS = frozenset({NotificationKind.REPLY, NotificationKind.MENTION})
# RFC 5322 lets References be trimmed; mail clients need the root and the nearest parents.
MAX_REFERENCES = 20
EXCERPT_CHARACTERS = 3000


def wants_mail(mode: EmailMode, kind: NotificationKind) -> bool:
    """Whether a member with this e-mail mode gets a mail of its own about this kind."""
    if kind in ALWAYS_KINDS:
        return mode is not EmailMode.NEVER
    return kind in IMMEDIATE_KINDS and mode is EmailMode.IMMEDIATE


def notification_created(notification: Notification) -> None:
    """Plan the e-mail about a new notification, if the member wants one for it.

    Call inside the write transaction that stores the notification: the job is enqueued
    only once it commits, to run ``COMMUNITY_MAIL_DELAY_MINUTES`` from now.
    """
    if notification.kind not in MAILED_KINDS:
        return  # the fan-out of followed posts costs no query here
    member = db.session.get(Member, notification.user_id)
    if member is None or not wants_mail(member.email_mode, notification.kind):
        return
    if notification.id is None:
        db.session.flush()
    notification_id = notification.id
    eta = clock.now() + timedelta(minutes=current_app.config["COMMUNITY_MAIL_DELAY_MINUTES"])
    after_commit(lambda: jobs.enqueue(send_notification_mail, notification_id, eta=eta))


def send_notification_mail(notification_id: int) -> bool:
    """The delayed job: queue the mail about one notification unless it is no longer wanted.

    Skipped when the notification (or the post, in its thread) was read meanwhile or it was
    mailed already, the member is no longer
    approved or changed their mode, the thread's mail is stopped, or the post is gone or
    hidden. Run twice, it mails once (the outbox key, and ``emailed_at``).
    """
    with write_transaction() as session:
        notification = session.get(Notification, notification_id)
        if notification is None or not _still_wanted(session, notification):
            return False
        mail = _compose(session, notification)
        if mail is None:
            return False
        queue_mail(mail.message, mail.key)
        notification.emailed_at = clock.now()
    return True


def _still_wanted(session: Session, notification: Notification) -> bool:
    if notification.read_at is not None or notification.emailed_at is not None:
        return False
    member = session.get(Member, notification.user_id)
    if member is None or member.status is not MemberStatus.APPROVED or not member.user.active:
        return False
    if not wants_mail(member.email_mode, notification.kind):
        return False
    if notification.kind in ALWAYS_KINDS or notification.thread_id is None:
        return True  # a decision about one's own post reaches them whatever the thread
    key = (notification.user_id, notification.thread_id)
    watch = session.get(ThreadWatch, key)
    if watch is not None and watch.mail_stopped:
        return False
    return not _read_in_thread(session, notification)


def _read_in_thread(session: Session, notification: Notification) -> bool:
    """Whether the member read past the post in the thread itself (without opening the
    notification). Not for a chosen answer: that post is their own, read when written."""
    if notification.kind not in READ_IN_THREAD_KINDS or notification.post_number is None:
        return False
    state = session.get(ReadState, (notification.user_id, notification.thread_id))
    return state is not None and state.last_read_number >= notification.post_number


@dataclass(frozen=True)
class Mail:
    """A composed message and its outbox key."""

    message: EmailMessage
    key: str


def post_message_key(post_id: int) -> str:
    """The key of a post's Message-ID: one per post, the same for every recipient."""
    return f"community:post:{post_id}"


def _compose(session: Session, notification: Notification) -> Mail | None:
    if notification.kind is NotificationKind.MODERATION:
        return _moderation_mail(session, notification)
    post = session.get(Post, notification.post_id) if notification.post_id else None
    if post is None or not post.is_visible or post.thread.hidden_at is not None:
        return None
    return _post_mail(session, notification, post)


def _post_mail(session: Session, notification: Notification, post: Post) -> Mail:
    """A mail about a post: threaded under the post it answers, from the thread's first post."""
    thread = post.thread
    chain = [post_message_key(i) for i in reference_chain(session, post)]
    user_id = notification.user_id
    if notification.kind is NotificationKind.ANSWER_ACCEPTED:
        # The mail is about the member's own post: its own id, answering that post.
        message_key, outbox_key = f"community:accepted:{post.id}", f"accepted:{post.id}"
        chain.append(post_message_key(post.id))
    else:
        # A reply that also mentions the member is one mail (one Message-ID per post).
        message_key, outbox_key = post_message_key(post.id), f"post:{post.id}"
    body = render_template(
        "community/mail/notification.txt",
        notification=notification,
        kind=notification.kind.value,
        title=thread.title,
        text=_excerpt(post.body),
        post_url=absolute_url("community.post", post_id=post.id),
        stop_url=stop_thread_url(user_id, thread.id),
        **footer_links(user_id),
    )
    message = build_message(
        notification_address(session, user_id),
        thread_subject(thread, reply=bool(chain)),
        body,
        key=message_key,
        in_reply_to=chain[-1] if chain else None,
        references=chain,
        unsubscribe_url=unsubscribe_url(user_id),
    )
    return Mail(message, f"community:mail:{user_id}:{outbox_key}")


def _moderation_mail(session: Session, notification: Notification) -> Mail:
    """A moderation decision: not threaded (it is about the member, not the discussion)."""
    thread = session.get(Thread, notification.thread_id) if notification.thread_id else None
    visible = thread is not None and thread.hidden_at is None
    body = render_template(
        "community/mail/moderation.txt",
        notification=notification,
        thread_url=absolute_url("community.thread", thread_id=thread.id)
        if visible and thread
        else None,
        **footer_links(notification.user_id),
    )
    key = f"community:moderation:{notification.id}"
    message = build_message(
        notification_address(session, notification.user_id),
        _("Bericht van de moderatoren van de KIS-community"),
        body,
        key=key,
        unsubscribe_url=unsubscribe_url(notification.user_id),
    )
    return Mail(message, f"community:mail:{notification.user_id}:notification:{notification.id}")


def reference_chain(session: Session, post: Post) -> list[int]:
    """Ids of the posts ``post`` answers, from the thread's first post down to its parent.

    The parent is ``reply_to_number``, else the first post. A long chain keeps the first
    post and the nearest parents (mail clients group on the root).
    """
    if post.number <= 1:
        return []
    numbers: list[int] = []
    current = post.reply_to_number or 1
    while len(numbers) < MAX_REFERENCES:
        numbers.append(current)
        if current <= 1:
            break
        parent = _parent_number(session, post.thread_id, current)
        current = parent if parent is not None and 1 <= parent < current else 1
    if numbers[-1] != 1:
        numbers[-1] = 1  # trimmed: the root stays, the farthest parent gives way
    numbers.reverse()
    statement = select(Post.number, Post.id).where(
        Post.thread_id == post.thread_id, Post.number.in_(numbers)
    )
    ids: dict[int, int] = dict(session.execute(statement).all())
    return [ids[number] for number in numbers if number in ids]


def _parent_number(session: Session, thread_id: int, number: int) -> int | None:
    statement = select(Post.reply_to_number).where(
        Post.thread_id == thread_id, Post.number == number
    )
    return session.scalar(statement)


def thread_subject(thread: Thread, *, reply: bool) -> str:
    """The same subject for every mail of a thread (mail clients also group on it)."""
    subject = f"[KIS-community] {thread.title}"
    return f"Re: {subject}" if reply else subject


def notification_address(session: Session, user_id: int) -> str:
    member = session.get(Member, user_id)
    assert member is not None
    return member.user.email


def footer_links(user_id: int) -> dict[str, str]:
    """The links every community notification and digest ends with."""
    return {
        "settings_url": absolute_url("community.email_settings"),
        "unsubscribe_url": unsubscribe_url(user_id),
    }


def _excerpt(body: str) -> str:
    """The post as written: Markdown reads as plain text and keeps its links."""
    text = body.strip()
    if len(text) <= EXCERPT_CHARACTERS:
        return text
    return text[:EXCERPT_CHARACTERS].rsplit(" ", 1)[0] + " …"

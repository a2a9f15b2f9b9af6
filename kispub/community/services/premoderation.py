"""A moderator approves or rejects a held post (pre-moderation of new members' posts).

Which posts are held, and how a held post is numbered, is in ``restrictions``. Approving
publishes it as if it had just been written (``posting.publish_held_post``: counters,
search index) under the number and time it was written with; approving a thread's first
post publishes the thread. Rejecting hides it for good (its number stays unused by anyone
else); rejecting a thread's first post hides the thread. The author hears either way.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from kispub.accounts.models import User
from kispub.community.models import ModerationAction, Post, Thread
from kispub.community.services import notifying, posting
from kispub.community.services.modlog import (
    ModerationError,
    checked_reason,
    post_target,
    record,
    require_moderator,
)
from kispub.core import clock
from kispub.core.database import write_transaction


def approve_post(moderator: User, post_id: int, reason: str = "") -> Post:
    """Publish a held post (a reason is optional)."""
    require_moderator(moderator)
    reason = checked_reason(reason, required=False)
    with write_transaction() as session:
        post, thread = _held(session, post_id)
        posting.publish_held_post(session, thread, post)
        record(
            session,
            moderator,
            ModerationAction.POST_APPROVED,
            post_target(post, thread),
            reason,
            subject_id=post.author_id,
        )
        message = _(
            "Een moderator heeft uw bericht %(n)d in “%(title)s” goedgekeurd: iedereen kan het "
            "nu lezen.",
            n=post.number,
            title=thread.title,
        )
        _tell(post, thread, moderator, message)
    return post


def reject_post(moderator: User, post_id: int, reason: str) -> Post:
    """Refuse a held post for good, with a reason the author reads."""
    require_moderator(moderator)
    reason = checked_reason(reason)
    with write_transaction() as session:
        post, thread = _held(session, post_id)
        now = clock.now()
        post.hidden_at = now  # stays held too: nobody but its author ever sees it
        if post.number == 1:
            thread.hidden_at = now
        record(
            session,
            moderator,
            ModerationAction.POST_REJECTED,
            post_target(post, thread),
            reason,
            subject_id=post.author_id,
        )
        message = _(
            "Een moderator heeft uw bericht %(n)d in “%(title)s” niet goedgekeurd. "
            "Reden: %(reason)s",
            n=post.number,
            title=thread.title,
            reason=reason,
        )
        _tell(post, thread, moderator, message)
    return post


def _held(session: Session, post_id: int) -> tuple[Post, Thread]:
    """The held post waiting for a decision, its thread's row locked."""
    post = session.get(Post, post_id)
    if post is None:
        raise ModerationError(_("Dit bericht bestaat niet."))
    thread = session.get(
        Thread, post.thread_id, with_for_update={"key_share": True}, populate_existing=True
    )
    session.refresh(post)  # read again under the lock: another moderator may have decided
    if post.held_at is None or post.hidden_at is not None:
        raise ModerationError(_("Over dit bericht is al beslist."))
    if post.deleted_at is not None:
        raise ModerationError(_("De auteur heeft dit bericht intussen verwijderd."))
    assert thread is not None
    return post, thread


def _tell(post: Post, thread: Thread, moderator: User, message: str) -> None:
    if post.author_id is not None and post.author_id != moderator.id:
        notifying.notify_moderation(post.author_id, moderator, message, thread=thread, post=post)

"""What moderation changes about posting: the checks ``services/posting.py`` makes.

- a locked thread takes replies from moderators only, and the refusal says why;
- a silenced member reads but does not write (new threads, replies, edits) until the date;
- a new member's posts are held for a moderator until ``COMMUNITY_PREMODERATE_FIRST_POSTS``
  of them have been published (0: no pre-moderation). Staff-made accounts (CLI, the users
  page, content files) and staff are trusted from the start;
- a held post takes its number like any other (``next_number``); it is left out of the
  thread's and the theme's counters until a moderator approves it.

Kept apart from ``posting`` so that the posting module changes by a few lines only: each
check returns the refusal's words (or None) and posting raises its own ``PostingError``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kispub.accounts.models import Role, User
from kispub.community.models import JoinedVia, Member, ModerationAction, Post, Thread
from kispub.community.services import modlog, notifying
from kispub.core.dates import long_date


def last_day(until: datetime) -> datetime:
    """The last moment before ``until`` (a silence runs up to, not including, ``until``)."""
    return until - timedelta(microseconds=1)


def writing_refusal(member: Member, when: datetime) -> str | None:
    """Why the member cannot write now (a silence), or None."""
    if member.silenced_until is None or when >= member.silenced_until:
        return None
    return silenced_message(member.silenced_until)


def silenced_message(until: datetime) -> str:
    """What a silenced member reads where they would write."""
    return _(
        "Een moderator heeft u een schrijfverbod gegeven tot en met %(day)s: u kunt lezen, "
        "maar geen berichten plaatsen of bewerken.",
        day=long_date(last_day(until)),
    )


def reply_refusal(thread: Thread, author: User) -> str | None:
    """Why nobody (a held thread) or only moderators (a locked one) may reply, or None."""
    if thread.held_at is not None:
        return _("Dit onderwerp wacht nog op goedkeuring door een moderator.")
    if thread.locked_at is not None and not author.has_role(Role.MODERATOR):
        return locked_message(thread)
    return None


def locked_message(thread: Thread) -> str:
    """Why nobody can reply to a locked thread, in the moderator's words."""
    if thread.lock_reason:
        return _(
            "Dit onderwerp is gesloten door een moderator: %(reason)s", reason=thread.lock_reason
        )
    return _("Dit onderwerp is gesloten door een moderator.")


def must_hold(session: Session, member: Member) -> bool:
    """Whether the member's next post waits for a moderator (pre-moderation)."""
    first_posts = int(current_app.config["COMMUNITY_PREMODERATE_FIRST_POSTS"])
    if first_posts <= 0 or member.joined_via is JoinedVia.STAFF:
        return False
    if member.user.has_role(Role.MODERATOR):
        return False
    published = session.scalar(
        select(func.count(Post.id)).where(Post.author_id == member.user_id, Post.held_at.is_(None))
    )
    return (published or 0) < first_posts


def next_number(session: Session, thread: Thread) -> int:
    """The number the thread's next post takes: after its last post and any held one.

    ``post_count`` is the last number readers can see; held posts may have taken higher
    ones. One index lookup (the unique (thread, number) index), under the thread's lock.
    """
    highest = session.scalar(select(func.max(Post.number)).where(Post.thread_id == thread.id))
    return max(thread.post_count, highest or 0) + 1


def record_moderator_edit(
    session: Session, editor: User, post: Post, thread: Thread, reason: str
) -> None:
    """A moderator changed someone else's post: log it with the reason, tell the author."""
    modlog.record(
        session,
        editor,
        ModerationAction.POST_EDITED,
        modlog.post_target(post, thread),
        reason,
        subject_id=post.author_id,
    )
    if post.author_id is not None:
        message = _(
            "Een moderator heeft uw bericht %(n)d bewerkt. Reden: %(reason)s",
            n=post.number,
            reason=reason,
        )
        notifying.notify_moderation(post.author_id, editor, message, thread=thread, post=post)

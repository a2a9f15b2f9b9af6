"""Moderators' actions on threads and posts: pin, lock, move, hide and restore.

Each action checks first, then writes in one transaction: the change, its moderation log
entry (with the reason) and the notification to the author (unless the moderator is the
author). The thread's row is locked like a reply locks it, so an action and a reply never
interleave. Editing a post with a reason is ``posting.edit_post`` (it logs the same way).

The theme counters (``ThemeActivity``) count published threads and posts: hidden and
deleted ones stay counted, held ones are not counted until approved. Moving a thread takes
its counted posts from one theme to the other, and both themes' latest activity is worked
out again from their threads.
"""

from __future__ import annotations

import enum

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kispub.accounts.models import User
from kispub.community import search
from kispub.community.models import (
    ModerationAction,
    Post,
    SearchEntry,
    ThemeActivity,
    Thread,
)
from kispub.community.services import notifying
from kispub.community.services.modlog import (
    ModerationError,
    checked_reason,
    post_target,
    record,
    require_moderator,
    thread_target,
)
from kispub.core import clock
from kispub.core.database import write_transaction
from kispub.themes.models import Theme


class ThreadAction(enum.StrEnum):
    """What a moderator does to a thread (the values are the words in the URLs)."""

    PIN = "vastzetten"
    UNPIN = "losmaken"
    LOCK = "sluiten"
    UNLOCK = "heropenen"
    HIDE = "verbergen"
    RESTORE = "terugzetten"


class PostAction(enum.StrEnum):
    """What a moderator does to a post (the values are the words in the URLs)."""

    HIDE = "verbergen"
    RESTORE = "terugzetten"


_THREAD_LOG = {
    ThreadAction.PIN: ModerationAction.THREAD_PINNED,
    ThreadAction.UNPIN: ModerationAction.THREAD_UNPINNED,
    ThreadAction.LOCK: ModerationAction.THREAD_LOCKED,
    ThreadAction.UNLOCK: ModerationAction.THREAD_UNLOCKED,
    ThreadAction.HIDE: ModerationAction.THREAD_HIDDEN,
    ThreadAction.RESTORE: ModerationAction.THREAD_RESTORED,
}


def thread_action(moderator: User, thread_id: int, action: ThreadAction, reason: str) -> Thread:
    """Pin, unpin, lock, unlock, hide or restore a thread, with a reason."""
    require_moderator(moderator)
    reason = checked_reason(reason)
    with write_transaction() as session:
        thread = _locked_thread(session, thread_id)
        refusal = _thread_refusal(thread, action)
        if refusal:
            raise ModerationError(refusal)
        _apply(session, thread, action, reason)
        record(
            session,
            moderator,
            _THREAD_LOG[action],
            thread_target(thread),
            reason,
            subject_id=thread.author_id,
        )
        _tell(thread.author_id, moderator, _thread_message(thread, action, reason), thread)
    return thread


def _thread_refusal(thread: Thread, action: ThreadAction) -> str | None:
    """Why the action makes no sense in the thread's state (a double submit, say), or None."""
    if thread.held_at is not None:
        return _("Dit onderwerp wacht op goedkeuring; beoordeel het in de wachtrij.")
    already = {
        ThreadAction.PIN: thread.pinned_at is not None,
        ThreadAction.UNPIN: thread.pinned_at is None,
        ThreadAction.LOCK: thread.locked_at is not None,
        ThreadAction.UNLOCK: thread.locked_at is None,
        ThreadAction.HIDE: thread.hidden_at is not None,
        ThreadAction.RESTORE: thread.hidden_at is None,
    }
    return _("Dat is al zo; er is niets veranderd.") if already[action] else None


def _apply(session: Session, thread: Thread, action: ThreadAction, reason: str) -> None:
    now = clock.now()
    if action is ThreadAction.PIN:
        thread.pinned_at = now
    elif action is ThreadAction.UNPIN:
        thread.pinned_at = None
    elif action is ThreadAction.LOCK:
        thread.locked_at, thread.lock_reason = now, reason
    elif action is ThreadAction.UNLOCK:
        thread.locked_at, thread.lock_reason = None, ""
    elif action is ThreadAction.HIDE:
        thread.hidden_at = now
        session.execute(delete(SearchEntry).where(SearchEntry.thread_id == thread.id))
        refresh_latest(session, thread.theme_id)
    else:
        thread.hidden_at = None
        for post in session.scalars(select(Post).where(Post.thread_id == thread.id)):
            search.index_post(post, thread)  # the visible ones; others stay out
        refresh_latest(session, thread.theme_id)


def _thread_message(thread: Thread, action: ThreadAction, reason: str) -> str:
    what = {
        ThreadAction.PIN: _("Een moderator heeft uw onderwerp “%(title)s” vastgezet."),
        ThreadAction.UNPIN: _("Een moderator heeft uw onderwerp “%(title)s” losgemaakt."),
        ThreadAction.LOCK: _("Een moderator heeft uw onderwerp “%(title)s” gesloten."),
        ThreadAction.UNLOCK: _("Een moderator heeft uw onderwerp “%(title)s” heropend."),
        ThreadAction.HIDE: _("Een moderator heeft uw onderwerp “%(title)s” verborgen."),
        ThreadAction.RESTORE: _("Een moderator heeft uw onderwerp “%(title)s” teruggezet."),
    }[action]
    return f"{what % {'title': thread.title}} {_('Reden: %(reason)s', reason=reason)}"


def move_thread(moderator: User, thread_id: int, theme_id: int, reason: str) -> Thread:
    """Move a thread to another theme; both themes' counters stay exact."""
    require_moderator(moderator)
    reason = checked_reason(reason)
    with write_transaction() as session:
        thread = _locked_thread(session, thread_id)
        target = session.get(Theme, theme_id)
        if target is None:
            raise ModerationError(_("Kies een bestaand thema."), "theme")
        if target.id == thread.theme_id:
            raise ModerationError(_("Het onderwerp staat al in dit thema."), "theme")
        source_name, source_id = thread.theme.name, thread.theme_id
        if thread.held_at is None:  # a held thread is in no theme's counters yet
            counted = session.scalar(
                select(func.count(Post.id)).where(
                    Post.thread_id == thread.id, Post.held_at.is_(None)
                )
            )
            _add_counts(session, source_id, threads=-1, posts=-(counted or 0))
            _add_counts(session, target.id, threads=1, posts=counted or 0)
        thread.theme_id = target.id
        session.flush()
        refresh_latest(session, source_id)
        refresh_latest(session, target.id)
        why = _(
            "Van %(source)s naar %(target)s. %(reason)s",
            source=source_name,
            target=target.name,
            reason=reason,
        )
        record(
            session,
            moderator,
            ModerationAction.THREAD_MOVED,
            thread_target(thread),
            why,
            subject_id=thread.author_id,
        )
        message = _(
            "Een moderator heeft uw onderwerp “%(title)s” verplaatst naar %(theme)s. "
            "Reden: %(reason)s",
            title=thread.title,
            theme=target.name,
            reason=reason,
        )
        _tell(thread.author_id, moderator, message, thread)
    return thread


def post_action(moderator: User, post_id: int, action: PostAction, reason: str) -> Post:
    """Hide a post (its place and number stay, its text is not shown) or restore it."""
    require_moderator(moderator)
    reason = checked_reason(reason)
    with write_transaction() as session:
        post = session.get(Post, post_id)
        if post is None:
            raise ModerationError(_("Dit bericht bestaat niet."))
        thread = _locked_thread(session, post.thread_id)
        if post.held_at is not None:
            raise ModerationError(_("Dit bericht wacht op goedkeuring; beoordeel het daar."))
        if (post.hidden_at is not None) == (action is PostAction.HIDE):
            raise ModerationError(_("Dat is al zo; er is niets veranderd."))
        if action is PostAction.HIDE:
            set_post_hidden(post, thread, hidden=True)
            logged, said = ModerationAction.POST_HIDDEN, _("verborgen")
        else:
            set_post_hidden(post, thread, hidden=False)
            logged, said = ModerationAction.POST_RESTORED, _("teruggezet")
        record(
            session, moderator, logged, post_target(post, thread), reason, subject_id=post.author_id
        )
        message = _(
            "Een moderator heeft uw bericht %(n)d in “%(title)s” %(what)s. Reden: %(reason)s",
            n=post.number,
            title=thread.title,
            what=said,
            reason=reason,
        )
        _tell(post.author_id, moderator, message, thread, post)
    return post


def set_post_hidden(post: Post, thread: Thread, *, hidden: bool) -> None:
    """Hide a post or show it again, keeping the search index in step (inside a
    transaction; also used when reports hide a post and when a moderator decides on them)."""
    post.hidden_at = clock.now() if hidden else None
    search.index_post(post, thread)  # indexes a visible post, removes any other


def refresh_latest(session: Session, theme_id: int) -> None:
    """Work a theme's latest activity out again from its visible, published threads."""
    latest = session.execute(
        select(Thread.id, Thread.last_post_at)
        .where(Thread.theme_id == theme_id, Thread.hidden_at.is_(None), Thread.held_at.is_(None))
        .order_by(Thread.last_post_at.desc(), Thread.id.desc())
        .limit(1)
    ).first()
    session.execute(
        update(ThemeActivity)
        .where(ThemeActivity.theme_id == theme_id)
        .values(
            last_thread_id=latest[0] if latest else None,
            last_post_at=latest[1] if latest else None,
        )
    )


def _add_counts(session: Session, theme_id: int, *, threads: int, posts: int) -> None:
    """Add to a theme's counters in one upsert (the row is made if the theme had none)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(ThemeActivity).values(
        theme_id=theme_id, thread_count=max(threads, 0), post_count=max(posts, 0)
    )
    statement = statement.on_conflict_do_update(
        index_elements=[ThemeActivity.theme_id],
        set_={
            "thread_count": ThemeActivity.thread_count + threads,
            "post_count": ThemeActivity.post_count + posts,
        },
    )
    session.execute(statement)


def _locked_thread(session: Session, thread_id: int) -> Thread:
    """The thread (hidden or not), its row locked as a reply locks it."""
    thread = session.get(
        Thread, thread_id, with_for_update={"key_share": True}, populate_existing=True
    )
    if thread is None:
        raise ModerationError(_("Dit onderwerp bestaat niet."))
    return thread


def _tell(
    author_id: int | None,
    moderator: User,
    message: str,
    thread: Thread,
    post: Post | None = None,
) -> None:
    """Notify the author of a decision about their thread or post (not the moderator)."""
    if author_id is not None and author_id != moderator.id:
        notifying.notify_moderation(author_id, moderator, message, thread=thread, post=post)

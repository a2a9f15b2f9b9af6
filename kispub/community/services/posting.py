"""Threads and posts: starting, replying, editing, accepting an answer.

STAND-IN: a minimal version of the discussion work's module with exactly its interface, so
the content loader (``community/loader.py``) and its tests run before that module lands.
It writes rows and keeps the counters, nothing more (no rate limits, no mentions). The
discussion work's version replaces this file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kispub.accounts.models import Role, User
from kispub.community import search
from kispub.community.models import Post, PostRevision, ThemeActivity, Thread
from kispub.core import clock
from kispub.core.database import write_transaction
from kispub.core.markdown import render_markdown
from kispub.extensions import db
from kispub.themes.models import Theme


class PostingError(ValueError):
    """A post or thread that cannot be written; the message says why (in Dutch)."""


@dataclass(frozen=True)
class NewThread:
    """What a member fills in to start a thread."""

    theme_id: int
    title: str
    body: str
    is_question: bool = False


def start_thread(
    author: User, new: NewThread, *, at: datetime | None = None, limits: bool = True
) -> Thread:
    """Start a thread in a theme with its first post."""
    title, body = new.title.strip(), new.body.strip()
    if not title or not body:
        raise PostingError("Een onderwerp heeft een titel en een tekst.")
    with write_transaction() as session:
        if session.get(Theme, new.theme_id) is None:
            raise PostingError("Dit thema bestaat niet.")
        when = at or clock.now()
        thread = Thread(
            theme_id=new.theme_id,
            author_id=author.id,
            title=title,
            is_question=new.is_question,
            created_at=when,
            last_post_at=when,
        )
        session.add(thread)
        session.flush()
        activity = _activity(new.theme_id)
        activity.thread_count += 1
        _add_post(thread, author, body, when, None)
    return thread


def reply(
    author: User,
    thread_id: int,
    body: str,
    *,
    reply_to_number: int | None = None,
    at: datetime | None = None,
    limits: bool = True,
) -> Post:
    """Add a post at the end of a thread."""
    if not body.strip():
        raise PostingError("Een reactie heeft een tekst.")
    with write_transaction() as session:
        thread = session.get(Thread, thread_id, with_for_update=True)
        if thread is None:
            raise PostingError("Dit onderwerp bestaat niet.")
        return _add_post(thread, author, body.strip(), at or clock.now(), reply_to_number)


def edit_post(editor: User, post_id: int, body: str, *, title: str | None = None) -> Post:
    """Change a post's text (and, for the first post, the thread's title); keep the old text."""
    if not body.strip():
        raise PostingError("Een bericht heeft een tekst.")
    with write_transaction() as session:
        post = session.get(Post, post_id)
        if post is None:
            raise PostingError("Dit bericht bestaat niet.")
        if post.author_id != editor.id and not editor.has_role(Role.MODERATOR):
            raise PostingError("U kunt alleen uw eigen berichten bewerken.")
        session.add(
            PostRevision(
                post_id=post.id, body=post.body, created_at=post.edited_at or post.created_at
            )
        )
        post.body = body.strip()
        post.html = str(render_markdown(post.body))
        post.edited_at = clock.now()
        if title is not None and post.number == 1 and title.strip():
            post.thread.title = title.strip()
            search.reindex_thread_title(post.thread)
        search.index_post(post, post.thread)
    return post


def accept_answer(user: User, thread_id: int, number: int | None) -> Thread:
    """Mark reply ``number`` as the accepted answer of a question (None: no answer)."""
    with write_transaction() as session:
        thread = session.get(Thread, thread_id)
        if thread is None or not thread.is_question:
            raise PostingError("Alleen bij een vraag kan een antwoord worden gekozen.")
        if thread.author_id != user.id and not user.has_role(Role.MODERATOR):
            raise PostingError("Alleen wie de vraag stelde kan een antwoord kiezen.")
        if number is not None and not 1 < number <= thread.post_count:
            raise PostingError("Dit bericht bestaat niet in dit onderwerp.")
        thread.accepted_number = number
    return thread


def _add_post(
    thread: Thread, author: User, body: str, when: datetime, reply_to: int | None
) -> Post:
    """Append a post and move the thread's and the theme's counters (in the caller's unit)."""
    thread.post_count += 1
    post = Post(
        thread_id=thread.id,
        number=thread.post_count,
        author_id=author.id,
        reply_to_number=reply_to,
        body=body,
        html=str(render_markdown(body)),
        created_at=when,
    )
    db.session.add(post)
    thread.last_post_at = max(thread.last_post_at, when)
    thread.last_poster_id = author.id
    activity = _activity(thread.theme_id)
    activity.post_count += 1
    if activity.last_post_at is None or when >= activity.last_post_at:
        activity.last_post_at = when
        activity.last_thread_id = thread.id
    db.session.flush()
    search.index_post(post, thread)
    return post


def _activity(theme_id: int) -> ThemeActivity:
    activity = db.session.get(ThemeActivity, theme_id)
    if activity is None:
        activity = ThemeActivity(theme_id=theme_id, thread_count=0, post_count=0)
        db.session.add(activity)
    return activity

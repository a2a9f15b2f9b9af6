"""Threads and posts: start, reply, edit, delete, and the accepted answer of a question.

Posts are numbered 1, 2, ... per thread. A reply locks its thread's row before it takes the
next number (PostgreSQL: ``SELECT ... FOR NO KEY UPDATE``; SQLite: the write transaction
already holds the database's write lock), so concurrent replies never share a number or
lose a post. The thread's and the theme's counters change in the same transaction, which
is what keeps lists and unread counts cheap (see ``queries``). What moderation adds (locked
threads, silenced members, new members' posts held for a moderator) is in ``restrictions``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import case, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kispub.accounts.models import Role, User
from kispub.community import search
from kispub.community.mentions import render_post
from kispub.community.models import (
    Member,
    MemberStatus,
    Mention,
    Post,
    PostRevision,
    ThemeActivity,
    Thread,
    WatchReason,
)
from kispub.community.permissions import may_be_answer, may_choose_answer, may_edit
from kispub.community.services import notifying, reading, restrictions, watching
from kispub.core import clock
from kispub.core.database import write_transaction
from kispub.themes.models import Theme

TITLE_MIN_LENGTH = 3
TITLE_COLUMN_LENGTH = 200
# What counts as a link for the link limits: anything a reader could follow off the site.
LINK = re.compile(r"(?i)\b(?:https?://|ftp://|www\.|mailto:)")


class PostingError(ValueError):
    """A post that cannot be written; the message is for the user.

    ``field`` names the form field the message belongs to ("title" or "body"), if any.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class NewThread:
    """A new thread as its author writes it: the first post's text and the title."""

    theme_id: int
    title: str
    body: str
    is_question: bool = False


def start_thread(
    author: User, new: NewThread, *, at: datetime | None = None, limits: bool = True
) -> Thread:
    """Open a thread in a theme with its first post (``at``: the time to record)."""
    title = checked_title(new.title)
    body = checked_body(new.body)
    with write_transaction() as session:
        member = _posting_member(session, author.id)
        if session.get(Theme, new.theme_id) is None:
            raise PostingError(_("Dit thema bestaat niet (meer)."))
        when = at or clock.now()
        _refuse(restrictions.writing_refusal(member, when))
        if limits:
            _check_links(member, body, when)
        held = limits and restrictions.must_hold(session, member)  # pre-moderation
        thread = Thread(
            theme_id=new.theme_id,
            author_id=author.id,
            title=title,
            is_question=new.is_question,
            post_count=1,
            last_post_at=when,
            last_poster_id=author.id,
            created_at=when,
            held_at=when if held else None,
        )
        session.add(thread)
        session.flush()
        post = _add_post(session, thread, 1, author.id, body, when, None)
        if held:  # counted and announced once a moderator approves it
            post.held_at = when
        else:
            _count_in_theme(session, thread, when, new_thread=True)
        reading.read_own_post(author.id, thread.id, 1)
        search.index_post(post, thread)
        watching.watch_after_posting(session, author.id, thread, WatchReason.CREATED)
        notifying.queue_fan_out(post.id)
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
    """Add a post to a thread under the next number; ``reply_to_number``: the post answered."""
    body = checked_body(body)
    with write_transaction() as session:
        member = _posting_member(session, author.id)
        thread = _locked_thread(session, thread_id)
        _refuse(restrictions.reply_refusal(thread, author))
        if reply_to_number is not None and not 1 <= reply_to_number <= thread.post_count:
            raise PostingError(_("Het bericht waarop u reageert bestaat niet."))
        when = at or clock.now()  # read under the lock: numbers and times rise together
        _refuse(restrictions.writing_refusal(member, when))
        if limits:
            _check_links(member, body, when)
        held = limits and restrictions.must_hold(session, member)  # pre-moderation
        number = restrictions.next_number(session, thread)  # after any held post too
        if not held:  # a held post counts once a moderator approves it
            thread.post_count = number
            if thread.last_post_at is None or when >= thread.last_post_at:
                thread.last_post_at = when
                thread.last_poster_id = author.id
        post = _add_post(session, thread, number, author.id, body, when, reply_to_number)
        if held:
            post.held_at = when
        else:
            _count_in_theme(session, thread, when, new_thread=False)
        reading.read_own_post(author.id, thread.id, number)
        search.index_post(post, thread)
        watching.watch_after_posting(session, author.id, thread, WatchReason.POSTED)
        notifying.queue_fan_out(post.id)
    return post


def edit_post(
    editor: User, post_id: int, body: str, *, title: str | None = None, reason: str = ""
) -> Post:
    """Change a post (the author, or a moderator); the earlier text is kept as a revision.

    ``title`` renames the thread, for its first post only. A moderator changing someone
    else's post gives a ``reason``: kept with the revision and in the moderation log.
    """
    body = checked_body(body)
    new_title = checked_title(title) if title is not None else None
    with write_transaction() as session:
        member = _posting_member(session, editor.id)
        post, thread = _editable_post(session, post_id)
        if not may_edit(editor, post):
            raise PostingError(_("U kunt alleen uw eigen berichten bewerken."))
        now = clock.now()
        _refuse(restrictions.writing_refusal(member, now))
        moderated = post.author_id != editor.id
        reason = " ".join(reason.split())
        if moderated and not reason:
            raise PostingError(
                _("Geef de reden van deze bewerking (de auteur krijgt die te zien)."), "reason"
            )
        if not editor.has_role(Role.MODERATOR):
            _check_links(member, body, now)
        changed = body != post.body or (
            new_title is not None and post.number == 1 and new_title != thread.title
        )
        if new_title is not None and post.number == 1 and new_title != thread.title:
            thread.title = new_title
            search.reindex_thread_title(thread)
        if body != post.body:
            session.add(
                PostRevision(
                    post_id=post.id,
                    body=post.body,
                    created_at=post.edited_at or post.created_at,
                    replaced_at=now,
                    edited_by_id=editor.id,
                    edit_reason=reason,
                )
            )
            post.body = body
            post.edited_at = now
            _render(session, post, replace_mentions=True)
            notifying.queue_fan_out(post.id, mentions_only=True)  # whoever is newly mentioned
        search.index_post(post, thread)
        if moderated and changed:
            restrictions.record_moderator_edit(session, editor, post, thread, reason)
    return post


def delete_post(user: User, post_id: int) -> Post:
    """Delete one's own post softly: it keeps its place and number, without its text."""
    with write_transaction() as session:
        _posting_member(session, user.id)
        post, thread = _editable_post(session, post_id, allow_deleted=True)
        if post.author_id != user.id:
            raise PostingError(_("U kunt alleen uw eigen berichten verwijderen."))
        if post.deleted_at is not None:
            return post  # already gone (a second click): nothing to do
        post.deleted_at = clock.now()
        if thread.accepted_number == post.number:
            thread.accepted_number = None
        # Nobody is mentioned by a post that is gone (part 2's notifications read these).
        session.execute(delete(Mention).where(Mention.post_id == post.id))
        search.unindex_post(post.id)
    return post


def accept_answer(user: User, thread_id: int, number: int | None) -> Thread:
    """Mark post ``number`` as a question's accepted answer, or unmark it (None).

    Only the thread's author and moderators may; the opening post and deleted or hidden
    posts cannot be the answer.
    """
    with write_transaction() as session:
        _posting_member(session, user.id)
        thread = _locked_thread(session, thread_id)
        if not thread.is_question:
            raise PostingError(_("Dit onderwerp is geen vraag."))
        if not may_choose_answer(user, thread):
            raise PostingError(_("Alleen wie de vraag stelde of een moderator kiest het antwoord."))
        if number is not None:
            post = session.scalars(
                select(Post).where(Post.thread_id == thread.id, Post.number == number)
            ).first()
            if post is None or not may_be_answer(post):
                raise PostingError(_("Dit bericht kan niet het antwoord zijn."))
            notifying.notify_answer_accepted(session, thread, post, user)
        thread.accepted_number = number
    return thread


# --- checks ---------------------------------------------------------------------------------


def checked_title(title: str) -> str:
    """The title without surrounding space; PostingError when too short or too long."""
    title = " ".join((title or "").split())
    longest = min(int(current_app.config["COMMUNITY_TITLE_MAX_LENGTH"]), TITLE_COLUMN_LENGTH)
    if len(title) < TITLE_MIN_LENGTH:
        raise PostingError(
            ngettext(
                "Geef een titel van minstens %(num)d teken.",
                "Geef een titel van minstens %(num)d tekens.",
                TITLE_MIN_LENGTH,
            ),
            "title",
        )
    if len(title) > longest:
        raise PostingError(
            ngettext(
                "Een titel heeft hoogstens %(num)d teken.",
                "Een titel heeft hoogstens %(num)d tekens.",
                longest,
            ),
            "title",
        )
    return title


def checked_body(body: str) -> str:
    """The text of a post; PostingError when empty or too long."""
    body = (body or "").strip()
    longest = int(current_app.config["COMMUNITY_POST_MAX_LENGTH"])
    if not body:
        raise PostingError(_("Een bericht kan niet leeg zijn."), "body")
    if len(body) > longest:
        raise PostingError(
            ngettext(
                "Een bericht heeft hoogstens %(num)d teken; dit heeft er %(found)d.",
                "Een bericht heeft hoogstens %(num)d tekens; dit heeft er %(found)d.",
                longest,
                found=len(body),
            ),
            "body",
        )
    return body


def _check_links(member: Member, body: str, when: datetime) -> None:
    """Fewer links in a member's first days: spam accounts post links at once."""
    config = current_app.config
    approved_at = member.approved_at or member.created_at
    new_member = when < approved_at + timedelta(days=config["COMMUNITY_NEW_MEMBER_DAYS"])
    if new_member and not member.user.has_role(Role.MODERATOR):
        allowed = int(config["COMMUNITY_NEW_MEMBER_MAX_LINKS"])
        why = ngettext(
            "In uw eerste %(days)d dagen als lid kan een bericht hoogstens %(num)d link bevatten",
            "In uw eerste %(days)d dagen als lid kan een bericht hoogstens %(num)d links bevatten",
            allowed,
            days=int(config["COMMUNITY_NEW_MEMBER_DAYS"]),
        )
    else:
        allowed = int(config["COMMUNITY_MAX_LINKS"])
        why = ngettext(
            "Een bericht kan hoogstens %(num)d link bevatten",
            "Een bericht kan hoogstens %(num)d links bevatten",
            allowed,
        )
    found = len(LINK.findall(body))
    if found > allowed:
        raise PostingError(
            _("%(why)s; dit bericht heeft er %(found)d.", why=why, found=found), "body"
        )


def _refuse(refusal: str | None) -> None:
    """PostingError with a moderation rule's refusal (see ``restrictions``), if any."""
    if refusal is not None:
        raise PostingError(refusal)


def _posting_member(session: Session, user_id: int) -> Member:
    """The approved membership of whoever writes; PostingError for anyone else."""
    member = session.get(Member, user_id)
    if member is None or member.status is not MemberStatus.APPROVED:
        raise PostingError(_("Alleen leden van de community kunnen berichten plaatsen."))
    return member


def _locked_thread(session: Session, thread_id: int) -> Thread:
    """The thread, its row locked until commit (FOR NO KEY UPDATE: readers' rows may still
    reference it); PostingError when it does not exist or is hidden."""
    thread = session.get(
        Thread, thread_id, with_for_update={"key_share": True}, populate_existing=True
    )
    if thread is None or thread.hidden_at is not None:
        raise PostingError(_("Dit onderwerp bestaat niet (meer)."))
    return thread


def _editable_post(
    session: Session, post_id: int, *, allow_deleted: bool = False
) -> tuple[Post, Thread]:
    post = session.get(Post, post_id, populate_existing=True)
    if post is None or post.hidden_at is not None or post.thread.hidden_at is not None:
        raise PostingError(_("Dit bericht bestaat niet (meer)."))
    if post.deleted_at is not None and not allow_deleted:
        raise PostingError(_("Dit bericht is verwijderd."))
    return post, post.thread


# --- writes ---------------------------------------------------------------------------------


def _add_post(
    session: Session,
    thread: Thread,
    number: int,
    author_id: int,
    body: str,
    when: datetime,
    reply_to_number: int | None,
) -> Post:
    post = Post(
        thread=thread,
        number=number,
        author_id=author_id,
        reply_to_number=reply_to_number,
        body=body,
        html="",
        created_at=when,
    )
    session.add(post)
    _render(session, post, replace_mentions=False)
    return post


def _render(session: Session, post: Post, *, replace_mentions: bool) -> None:
    """Store the post's HTML and its mentions (replacing earlier ones on an edit)."""
    rendered = render_post(post.body)
    post.html = rendered.html
    session.flush()  # the post's id, for its mentions
    if replace_mentions:
        session.execute(delete(Mention).where(Mention.post_id == post.id))
    session.add_all(Mention(post_id=post.id, user_id=uid) for uid in sorted(rendered.mentioned))


def _count_in_theme(session: Session, thread: Thread, when: datetime, *, new_thread: bool) -> None:
    """Add one post (and perhaps one thread) to the theme's counters, in one statement.

    An upsert: the row is made on the theme's first post, and concurrent posts in the
    theme each add their one, whichever commits first. The latest activity never moves
    back in time (dated content may arrive out of order).
    """
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(ThemeActivity).values(
        theme_id=thread.theme_id,
        thread_count=1 if new_thread else 0,
        post_count=1,
        last_post_at=when,
        last_thread_id=thread.id,
    )
    newer = statement.excluded.last_post_at >= func.coalesce(
        ThemeActivity.last_post_at, statement.excluded.last_post_at
    )
    statement = statement.on_conflict_do_update(
        index_elements=[ThemeActivity.theme_id],
        set_={
            "thread_count": ThemeActivity.thread_count + statement.excluded.thread_count,
            "post_count": ThemeActivity.post_count + 1,
            "last_post_at": case(
                (newer, statement.excluded.last_post_at), else_=ThemeActivity.last_post_at
            ),
            "last_thread_id": case(
                (newer, statement.excluded.last_thread_id), else_=ThemeActivity.last_thread_id
            ),
        },
    )
    session.execute(statement)


def publish_held_post(session: Session, thread: Thread, post: Post) -> None:
    """A held post a moderator approved: counted and indexed as if written just now (inside
    the moderator's transaction, the thread's row locked). It keeps its number and time.

    Whatever a newly written post sets off (the notification fan-out) belongs here too.
    """
    new_thread = post.number == 1
    post.held_at = None
    if new_thread:
        thread.held_at = None
    if post.number > thread.post_count:
        thread.post_count = post.number
    if thread.last_post_at is None or post.created_at >= thread.last_post_at:
        thread.last_post_at = post.created_at
        thread.last_poster_id = post.author_id
    _count_in_theme(session, thread, post.created_at, new_thread=new_thread)
    search.index_post(post, thread)
    notifying.queue_fan_out(post.id)  # now that others may see it

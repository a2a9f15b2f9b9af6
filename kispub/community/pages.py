"""What the discussion pages show, gathered in a fixed number of queries into frozen objects.

Templates get one of these and show it; they do not query or decide. The objects hold plain
values (no database rows), so nothing a template touches can send a query of its own.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from datetime import datetime

from flask import current_app
from markupsafe import Markup

from kispub.accounts.models import Role, User
from kispub.community import queries, watches
from kispub.community.models import Member, Post, Thread
from kispub.community.permissions import may_be_answer, may_choose_answer, may_delete, may_edit
from kispub.community.queries import Person
from kispub.community.services import restrictions
from kispub.core import clock
from kispub.core.markdown import render_markdown
from kispub.themes.models import Theme
from kispub.themes.services import theme_by_slug

MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~-])")
FORMER_MEMBER = "een oud-lid"


class NotFound(LookupError):
    """The theme, thread, page or post does not exist (or is not visible): a 404."""


@dataclass(frozen=True)
class Pagination:
    """Page ``page`` of ``pages`` (at least 1)."""

    page: int
    pages: int

    @property
    def previous(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None

    def links(self) -> list[int | None]:
        """Page numbers to link: the first, the last, and two either side; None is a gap."""
        wanted = {1, self.pages, *range(self.page - 2, self.page + 3)}
        numbers = sorted(n for n in wanted if 1 <= n <= self.pages)
        shown: list[int | None] = []
        for number in numbers:
            if shown and number - (shown[-1] or 0) > 1:
                shown.append(None)
            shown.append(number)
        return shown


@dataclass(frozen=True)
class ThemeSummary:
    """A theme on the community's home page."""

    slug: str
    name: str
    description: str
    thread_count: int
    post_count: int
    last_post_at: datetime | None
    last_thread_id: int | None
    last_thread_title: str | None
    unread_threads: int


@dataclass(frozen=True)
class IndexPage:
    """The community's home: the themes and what is unread in each."""

    themes: tuple[ThemeSummary, ...]


@dataclass(frozen=True)
class ThreadSummary:
    """A thread in a theme's list."""

    id: int
    title: str
    is_question: bool
    answered: bool
    post_count: int
    author: Person | None
    created_at: datetime
    last_post_at: datetime
    last_poster: Person | None
    has_unread: bool
    is_new: bool  # never opened, and begun after the unread floor
    unread: int | None  # posts to read; None when unknown (an old thread never opened)
    muted: bool = False  # the member mutes it (or its theme): never unread
    pinned: bool = False  # moderation: shown first in its theme
    locked: bool = False  # moderation: no replies
    held: bool = False  # pre-moderation: only its author sees it, until a moderator decides

    @property
    def reply_count(self) -> int:
        return self.post_count - 1


@dataclass(frozen=True)
class ThemePage:
    """One page of a theme's threads."""

    slug: str
    name: str
    description: str
    threads: tuple[ThreadSummary, ...]
    pagination: Pagination
    watch: watches.WatchState | None = None  # the member's level for the theme


@dataclass(frozen=True)
class PostView:
    """One post as the thread page shows it, with what the reader may do to it."""

    id: int
    number: int
    author: Person | None
    html: Markup  # empty when deleted or hidden
    created_at: datetime
    edited_at: datetime | None
    deleted: bool
    hidden: bool
    unread: bool
    accepted: bool
    reply_to_number: int | None
    can_edit: bool
    can_delete: bool
    can_accept: bool  # mark as the answer, or take that back when it is
    held: bool = False  # the reader's own post, waiting for a moderator (or refused)
    can_flag: bool = False  # report it to the moderators
    can_moderate: bool = False  # the reader moderates: a link to the post's moderation page


@dataclass(frozen=True)
class ThreadPage:
    """One page of a thread's posts, and the reply form's starting point."""

    id: int
    title: str
    theme_slug: str
    theme_name: str
    is_question: bool
    accepted_number: int | None
    post_count: int
    posts: tuple[PostView, ...]
    pagination: Pagination
    per_page: int
    has_unread: bool
    first_unread_here: int | None  # the first unread post's number when it is on this page
    read_up_to: int | None  # record this as read (None: nothing new was shown)
    quote: str  # the reply form's starting text (a quotation, from ?citeer=)
    reply_to: int | None
    watch: watches.WatchState | None = None  # the member's level for the thread, and why
    pinned: bool = False
    locked: bool = False
    lock_reason: str = ""
    can_moderate: bool = False
    # Why the reader cannot reply here (a locked thread, a silence); None: the form shows.
    reply_refusal: str | None = None

    def page_of(self, number: int) -> int:
        return (number - 1) // self.per_page + 1


@dataclass(frozen=True)
class Reply:
    """How the reply form starts: answering post ``number``, quoting it or not."""

    number: int
    quote: bool


@dataclass(frozen=True)
class ThreadHeading:
    """What a form about a thread shows of it."""

    id: int
    title: str
    theme_slug: str
    theme_name: str


@dataclass(frozen=True)
class PostForm:
    """A post to edit or delete, with its thread."""

    id: int
    number: int
    body: str
    html: Markup
    deleted: bool
    thread: ThreadHeading
    moderated: bool = False  # a moderator edits someone else's post: a reason is asked


@dataclass(frozen=True)
class RevisionView:
    """An earlier text of a post."""

    html: Markup
    written_at: datetime
    replaced_at: datetime
    by_moderator: bool = False  # replaced by a moderator (not the author), with a reason
    reason: str = ""


@dataclass(frozen=True)
class RevisionsPage:
    """A post's current text and its earlier ones."""

    post_id: int
    number: int
    thread_id: int
    thread_title: str
    author: str
    current: Markup
    edited_at: datetime | None
    revisions: tuple[RevisionView, ...]


def index_page(member: Member) -> IndexPage:
    """Every theme with its counters and the member's unread threads in it."""
    unread = queries.unread_threads_per_theme(member.user_id, queries.unread_floor(member))
    themes = []
    for theme, activity, last_title in queries.themes_with_activity():
        themes.append(
            ThemeSummary(
                slug=theme.slug,
                name=theme.name,
                description=theme.description,
                thread_count=activity.thread_count if activity else 0,
                post_count=activity.post_count if activity else 0,
                last_post_at=activity.last_post_at if activity else None,
                last_thread_id=activity.last_thread_id if activity else None,
                last_thread_title=last_title,
                unread_threads=unread.get(theme.id, 0),
            )
        )
    return IndexPage(tuple(themes))


def theme_page(member: Member, slug: str, page: int) -> ThemePage:
    """One page of a theme's threads, latest activity first; NotFound past the last page."""
    theme = theme_by_slug(slug)
    if theme is None:
        raise NotFound(slug)
    per_page = int(current_app.config["COMMUNITY_THREADS_PER_PAGE"])
    activity = queries.theme_activity(theme.id)
    pagination = _pagination(page, activity.thread_count if activity else 0, per_page)
    floor = queries.unread_floor(member)
    watch = watches.theme_watch_state(member.user_id, theme.id, theme.name)
    rows = queries.threads_in_theme(theme.id, member.user_id, (page - 1) * per_page, per_page)
    threads = tuple(_thread_summary(row, floor) for row in rows)
    return ThemePage(theme.slug, theme.name, theme.description, threads, pagination, watch)


def thread_page(
    member: Member, user: User, thread_id: int, page: int, reply: Reply | None = None
) -> ThreadPage:
    """One page of a thread; ``reply`` starts the reply form as an answer to, or quotation
    of, a post."""
    found = queries.thread_for_reader(thread_id, member.user_id)
    if found is None:
        raise NotFound(thread_id)
    thread, theme, read_number, own_held = found
    per_page = int(current_app.config["COMMUNITY_POSTS_PER_PAGE"])
    # The author's held posts may lie past the last published one: their pages exist too.
    pagination = _pagination(page, max(thread.post_count, own_held or 0), per_page)
    first = (page - 1) * per_page + 1
    rows = queries.posts_numbered(thread.id, first, first + per_page - 1, user.id)
    floor = queries.unread_floor(member)
    posts = tuple(_post_view(row, thread, user, read_number or 0, floor) for row in rows)
    shown = max((p.number for p in posts), default=0)
    quote, reply_to = _reply_start(thread, reply, rows)
    return ThreadPage(
        id=thread.id,
        title=thread.title,
        theme_slug=theme.slug,
        theme_name=theme.name,
        is_question=thread.is_question,
        accepted_number=thread.accepted_number,
        post_count=thread.post_count,
        posts=posts,
        pagination=pagination,
        per_page=per_page,
        has_unread=_has_unread(thread, read_number, floor),
        first_unread_here=next((p.number for p in posts if p.unread), None),
        read_up_to=_read_up_to(thread.id, first, shown, read_number or 0, floor),
        quote=quote,
        reply_to=reply_to,
        watch=watches.thread_watch_state(member.user_id, thread.id, theme.name),
        pinned=thread.pinned_at is not None,
        locked=thread.locked_at is not None,
        lock_reason=thread.lock_reason,
        can_moderate=user.has_role(Role.MODERATOR),
        reply_refusal=restrictions.reply_refusal(thread, user)
        or restrictions.writing_refusal(member, clock.now()),
    )


def _read_up_to(thread_id: int, first: int, shown: int, read: int, floor: datetime) -> int | None:
    """How far the member has now read: up to the page's last post, unless unread posts on
    earlier pages were skipped (a permalink, a search hit), which must stay unread."""
    if shown <= read:
        return None
    if first > read + 1:
        skipped = queries.first_unread_number(thread_id, read, floor)
        if skipped is not None and skipped < first:
            return None
    return shown


def first_unread_location(member: Member, thread_id: int) -> tuple[int, int]:
    """The page and number of the first post the member has not read (else the last post)."""
    found = queries.thread_for_reader(thread_id, member.user_id)
    if found is None:
        raise NotFound(thread_id)
    thread, _theme, read_number, _own_held = found
    floor = queries.unread_floor(member)
    number = queries.first_unread_number(thread.id, read_number or 0, floor) or thread.post_count
    return page_of(number), number


def post_location(post_id: int) -> tuple[int, int, int]:
    """The thread, page and number of a post (its permalink's target)."""
    place = queries.post_place(post_id)
    if place is None:
        raise NotFound(post_id)
    thread_id, number = place
    return thread_id, page_of(number), number


def revisions_page(post_id: int) -> RevisionsPage:
    """A post's current and earlier texts; NotFound for deleted or hidden posts."""
    found = queries.post_in_visible_thread(post_id)
    if found is None or not found[0].is_visible:
        raise NotFound(post_id)
    post, thread = found
    revisions = tuple(
        RevisionView(
            render_markdown(r.body),
            r.created_at,
            r.replaced_at,
            by_moderator=r.edited_by_id is not None and r.edited_by_id != post.author_id,
            reason=r.edit_reason,
        )
        for r in queries.revisions_of(post.id)
    )
    return RevisionsPage(
        post_id=post.id,
        number=post.number,
        thread_id=thread.id,
        thread_title=thread.title,
        author=post.author.name if post.author else FORMER_MEMBER,
        current=Markup(post.html),  # noqa: S704 - sanitised when written
        edited_at=post.edited_at,
        revisions=revisions,
    )


def thread_heading(thread_id: int) -> ThreadHeading:
    """A visible thread's title and theme (for the reply form shown again with errors)."""
    found = queries.thread_with_theme(thread_id)
    if found is None:
        raise NotFound(thread_id)
    return _heading(*found)


def editable_post(user: User, post_id: int) -> PostForm:
    """A post the user may edit (their own, or any as a moderator), for the edit form."""
    found = queries.post_in_visible_thread(post_id)
    if found is None or not may_edit(user, found[0]):
        raise NotFound(post_id)
    form = _post_form(*found)
    return replace(form, moderated=found[0].author_id != user.id)


def own_post(user: User, post_id: int) -> PostForm:
    """The user's own post (to confirm deleting it; it may be deleted already)."""
    found = queries.post_in_visible_thread(post_id)
    if found is None or found[0].hidden_at is not None or found[0].author_id != user.id:
        raise NotFound(post_id)
    return _post_form(*found)


def _heading(thread: Thread, theme: Theme) -> ThreadHeading:
    return ThreadHeading(thread.id, thread.title, theme.slug, theme.name)


def _post_form(post: Post, thread: Thread) -> PostForm:
    deleted = post.deleted_at is not None
    html = Markup("") if deleted else Markup(post.html)  # noqa: S704 - sanitised when written
    heading = _heading(thread, thread.theme)
    return PostForm(post.id, post.number, "" if deleted else post.body, html, deleted, heading)


def _pagination(page: int, items: int, per_page: int) -> Pagination:
    pages = max(1, math.ceil(items / per_page))
    if not 1 <= page <= pages:
        raise NotFound(page)
    return Pagination(page, pages)


def page_of(number: int) -> int:
    """The page of a thread that holds post ``number``."""
    return (number - 1) // int(current_app.config["COMMUNITY_POSTS_PER_PAGE"]) + 1


def _has_unread(thread: Thread, read_number: int | None, floor: datetime) -> bool:
    # The last post is newer than the floor and past what was read: it is unread at least.
    return thread.last_post_at > floor and (read_number or 0) < thread.post_count


def _thread_summary(row: queries.ThreadRow, floor: datetime) -> ThreadSummary:
    thread, read = row.thread, row.last_read_number
    has_unread = _has_unread(thread, read, floor) and not row.muted
    is_new = has_unread and read is None and thread.created_at > floor
    if not has_unread:
        unread = None
    elif read is not None:
        unread = thread.post_count - read
    else:
        unread = thread.post_count if is_new else None
    return ThreadSummary(
        id=thread.id,
        title=thread.title,
        is_question=thread.is_question,
        answered=thread.accepted_number is not None,
        post_count=thread.post_count,
        author=row.author,
        created_at=thread.created_at,
        last_post_at=thread.last_post_at,
        last_poster=row.last_poster,
        has_unread=has_unread,
        is_new=is_new,
        unread=unread,
        muted=row.muted,
        pinned=thread.pinned_at is not None,
        locked=thread.locked_at is not None,
        held=thread.held_at is not None,
    )


def _post_view(
    row: queries.PostRow, thread: Thread, user: User, read_number: int, floor: datetime
) -> PostView:
    post = row.post
    visible = post.is_visible
    # Only its author gets a held post (see queries.posts_numbered), with its text until
    # a moderator refuses it.
    held = post.held_at is not None
    shown = visible or (held and post.hidden_at is None and post.deleted_at is None)
    return PostView(
        id=post.id,
        number=post.number,
        author=row.author,
        html=Markup(post.html) if shown else Markup(""),  # noqa: S704 - sanitised when written
        created_at=post.created_at,
        edited_at=post.edited_at,
        deleted=post.deleted_at is not None,
        hidden=post.hidden_at is not None,
        unread=post.number > read_number and post.created_at > floor,
        accepted=thread.accepted_number == post.number,
        reply_to_number=post.reply_to_number,
        can_edit=may_edit(user, post),
        can_delete=may_delete(user, post),
        can_accept=may_be_answer(post) and may_choose_answer(user, thread),
        held=held,
        can_flag=visible and post.author_id != user.id,
        can_moderate=user.has_role(Role.MODERATOR) and not held,
    )


def _reply_start(
    thread: Thread, reply: Reply | None, rows: list[queries.PostRow]
) -> tuple[str, int | None]:
    """The reply form's text and the post it answers: empty, or a quotation of the post."""
    if reply is None or not 1 <= reply.number <= thread.post_count:
        return "", None
    if not reply.quote:
        return "", reply.number
    row = next((r for r in rows if r.post.number == reply.number), None)
    if row is None:
        row = queries.post_with_author(thread.id, reply.number)
    if row is None or not row.post.is_visible:
        return "", reply.number
    return quotation(row), reply.number


def quotation(row: queries.PostRow) -> str:
    """A post's text as a Markdown quotation, headed by its author and number."""
    name = row.author.name if row.author else FORMER_MEMBER
    escaped = MARKDOWN_SPECIAL.sub(r"\\\1", name)
    lines = [f"**{escaped}** schreef in bericht {row.post.number}:", ""]
    lines += row.post.body.splitlines()
    return "\n".join(f"> {line}".rstrip() for line in lines) + "\n\n"

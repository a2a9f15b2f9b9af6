"""Who may do what to a post, in one place: the pages show the actions these allow, and the
posting services refuse what they do not."""

from __future__ import annotations

from kispub.accounts.models import Role, User
from kispub.community.models import Post, Thread


def may_edit(user: User, post: Post) -> bool:
    """Its author, or a moderator; a deleted or hidden post is not edited."""
    return post.is_visible and (post.author_id == user.id or user.has_role(Role.MODERATOR))


def may_delete(user: User, post: Post) -> bool:
    """Only its author (moderators hide posts instead, part 2)."""
    return post.is_visible and post.author_id == user.id


def may_choose_answer(user: User, thread: Thread) -> bool:
    """Whoever asked the question, or a moderator."""
    return thread.is_question and (thread.author_id == user.id or user.has_role(Role.MODERATOR))


def may_be_answer(post: Post) -> bool:
    """A visible reply; never the question itself."""
    return post.number > 1 and post.is_visible

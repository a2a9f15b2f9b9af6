"""Search over posts: keeping the index in step with posts, and querying it.

Placeholder: the search work fills these in. ``services/posting.py`` calls the three
index functions inside its write transactions.
"""

from __future__ import annotations

from kispub.community.models import Post, Thread


def index_post(post: Post, thread: Thread) -> None:
    """Add or refresh a visible post's entry (the title goes with post 1)."""


def unindex_post(post_id: int) -> None:
    """Remove a post that was deleted or hidden."""


def reindex_thread_title(thread: Thread) -> None:
    """Refresh the title on the thread's first post after the title changed."""

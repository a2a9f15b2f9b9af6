"""Notifications: who hears about what (watch levels), made in the worker (fan-out).

Placeholder: the notifications work fills this in. ``notify_moderation`` is the one call the
moderation work makes; its signature stays.
"""

from __future__ import annotations

from kispub.accounts.models import User
from kispub.community.models import Post, Thread


def notify_moderation(
    user_id: int,
    actor: User,
    message: str,
    *,
    thread: Thread | None = None,
    post: Post | None = None,
) -> None:
    """Tell a member about a moderation decision on their post or account (inside the
    caller's write transaction)."""

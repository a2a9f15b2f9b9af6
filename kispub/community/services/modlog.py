"""The moderation log, and what every moderation service shares (the error, the checks).

Every moderation service calls :func:`record` inside its ``write_transaction()``, so an
action and its entry are stored together or not at all. Nothing here (or anywhere) updates
or deletes an entry, and the database refuses it (``community/appendonly.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from kispub.accounts.models import Role, User
from kispub.community.models import (
    Member,
    ModerationAction,
    ModerationLogEntry,
    Post,
    TargetKind,
    Thread,
)
from kispub.core import clock

SYSTEM_NAME = "Meldingen van leden"  # the actor when the flag threshold hides a post
LABEL_MAX = 300
NAME_MAX = 120
REASON_MAX = 1000


class ModerationError(ValueError):
    """A moderation step that cannot be taken; the message is for whoever tried.

    ``field`` names the form field the message belongs to, when there is one.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def require_moderator(user: User) -> None:
    """Only active moderators, editors and admins moderate."""
    if not (user.active and user.has_role(Role.MODERATOR)):
        raise ModerationError(_("Alleen moderatoren, redacteuren en beheerders kunnen dit doen."))


def checked_reason(reason: str | None, *, required: bool = True) -> str:
    """The reason on one line, at most REASON_MAX characters; required unless said not."""
    text = " ".join((reason or "").split())
    if required and not text:
        raise ModerationError(_("Geef een reden: die komt in het moderatielog."), "reason")
    if len(text) > REASON_MAX:
        raise ModerationError(_("Een reden heeft hoogstens %(n)d tekens.", n=REASON_MAX), "reason")
    return text


@dataclass(frozen=True)
class Target:
    """What an entry is about, with the words it is known by now (a snapshot)."""

    kind: TargetKind
    id: int
    label: str


def post_target(post: Post, thread: Thread) -> Target:
    """A post, labelled by its number and its thread's title."""
    return Target(TargetKind.POST, post.id, f"Bericht {post.number} in “{thread.title}”")


def thread_target(thread: Thread) -> Target:
    """A thread, labelled by its title."""
    return Target(TargetKind.THREAD, thread.id, f"“{thread.title}”")


def member_target(member: Member) -> Target:
    """A member, labelled by name and handle."""
    return Target(TargetKind.MEMBER, member.user_id, f"{member.user.name} (@{member.handle})")


def review_target(review_id: int, post: Post, thread: Thread) -> Target:
    """A round of reports about a post."""
    label = f"Meldingen over bericht {post.number} in “{thread.title}”"
    return Target(TargetKind.REVIEW, review_id, label)


def record(
    session: Session,
    actor: User | None,
    action: ModerationAction,
    target: Target,
    reason: str = "",
    *,
    subject_id: int | None = None,
) -> ModerationLogEntry:
    """Add one entry to the log (``actor`` None: the system, i.e. the flag threshold)."""
    entry = ModerationLogEntry(
        created_at=clock.now(),
        actor_id=actor.id if actor else None,
        actor_name=(actor.name if actor else SYSTEM_NAME)[:NAME_MAX],
        action=action,
        target_kind=target.kind,
        target_id=target.id,
        target_label=target.label[:LABEL_MAX],
        subject_id=subject_id,
        reason=reason,
    )
    session.add(entry)
    return entry

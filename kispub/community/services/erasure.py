"""What the community removes when an account is erased (the accounts erasure hook).

Threads stay whole: no post is deleted or renumbered and no counter changes. The account
itself becomes "Voormalig lid" (accounts does that); here:

- posts: kept as written (the default) or, if the person chose so, their text replaced by
  "verwijderd", with earlier versions and search entries removed and the mentions they
  made dropped. Posts the person had already deleted lose their text either way;
- the profile is wiped (introduction, motivation, role in the field, themes, photo: the
  media collector removes the file once nothing references it), the handle becomes a
  neutral ``voormalig-lid-<id>``, e-mail is off, and the membership's status is ERASED;
- notifications to the person, their read positions, watch levels and the mentions of
  them go (others' posts that named them keep their text, rendered again without the link
  to the profile); notifications about what they did keep their place, with "Voormalig
  lid" as the actor's name;
- notes in their membership history (a motivation, a decision's message) are emptied and
  an "erased" step is added; a personal invitation to their address forgets the address.
"""

from __future__ import annotations

import secrets

from sqlalchemy import delete, func, select, update

from kispub.accounts.privacy import Erasure
from kispub.community.mentions import render_post
from kispub.community.models import (
    EmailMode,
    Invitation,
    Member,
    MembershipEvent,
    MemberStatus,
    Mention,
    Notification,
    Post,
    PostRevision,
    ReadState,
    SearchEntry,
    ThemeWatch,
    ThreadWatch,
)
from kispub.community.services.members import record_event
from kispub.core.markdown import render_markdown
from kispub.extensions import db

FORMER_MEMBER = "Voormalig lid"
REPLACED_TEXT = "verwijderd"
ERASED_ACTION = "erased"


def erase_member(erasure: Erasure) -> None:
    """The hook: remove the person's community data (inside the erasure's transaction)."""
    user_id = erasure.user_id
    _erase_posts(user_id, replace=erasure.replace_posts)
    mentioning = list(
        db.session.scalars(
            select(Post).join(Mention, Mention.post_id == Post.id).where(Mention.user_id == user_id)
        )
    )
    member = db.session.get(Member, user_id)
    if member is not None:
        _wipe_profile(member)
        record_event(user_id, ERASED_ACTION, erasure.actor_id)
        db.session.flush()
    # Others' posts that named them keep their text; the @name is no longer a link to a
    # profile that is gone (rendering again links only listed members).
    for post in mentioning:
        post.html = render_post(post.body).html
    for model in (Notification, ReadState, ThemeWatch, ThreadWatch, Mention):
        db.session.execute(delete(model).where(model.user_id == user_id))
    db.session.execute(
        update(Notification)
        .where(Notification.actor_id == user_id)
        .values(actor_id=None, actor_name=FORMER_MEMBER)
    )
    db.session.execute(
        update(Invitation)
        .where(func.lower(Invitation.email) == erasure.email)
        .values(email=None, name=None, organisation=None)
    )
    db.session.execute(
        update(MembershipEvent)
        .where(MembershipEvent.user_id == user_id, MembershipEvent.action != ERASED_ACTION)
        .values(note="")
    )


def _erase_posts(user_id: int, *, replace: bool) -> None:
    """Replace the text of the person's posts (all, or only those they deleted)."""
    chosen = select(Post.id).where(Post.author_id == user_id)
    if not replace:
        chosen = chosen.where(Post.deleted_at.is_not(None))
    post_ids = list(db.session.scalars(chosen))
    if not post_ids:
        return
    html = str(render_markdown(REPLACED_TEXT))
    db.session.execute(
        update(Post).where(Post.id.in_(post_ids)).values(body=REPLACED_TEXT, html=html),
        execution_options={"synchronize_session": False},
    )
    for model in (PostRevision, SearchEntry, Mention):
        db.session.execute(delete(model).where(model.post_id.in_(post_ids)))


def _wipe_profile(member: Member) -> None:
    member.handle = _neutral_handle(member.user_id)
    member.status = MemberStatus.ERASED
    member.bio = ""
    member.motivation = ""
    member.decision_message = ""
    member.field_role = None
    member.avatar_key = None
    member.themes = []
    member.email_mode = EmailMode.NEVER
    member.last_reminded_at = None


def _neutral_handle(user_id: int) -> str:
    """``voormalig-lid-<id>``; with a random tail in the unlikely case someone has it."""
    handle = f"voormalig-lid-{user_id}"
    taken = db.session.scalar(
        select(Member.user_id).where(func.lower(Member.handle) == handle, Member.user_id != user_id)
    )
    return handle if taken is None else f"{handle}-{secrets.token_hex(3)}"

"""Members report posts; moderators decide on the reports in a queue.

A member reports a visible post of someone else once, ever, with a reason (spam, ongepast,
off-topic, or anders with a text). Reports gather in a ``FlagReview`` per post: one open at
a time, and reports after a decision open a new one. When ``COMMUNITY_FLAG_HIDE_THRESHOLD``
different members have reported a post in one round, it is hidden until a moderator decides
(logged as done by "Meldingen van leden"; the author hears of the decision, not of the
reports). A moderator then marks the round:

- approved: the reports were right; the post is (or stays) hidden;
- rejected: the post is fine; if the reports hid it, it is shown again;
- ignored: closed without a verdict; the post stays as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kispub.accounts.models import User
from kispub.community.models import (
    Flag,
    FlagReason,
    FlagReview,
    Member,
    MemberStatus,
    ModerationAction,
    Post,
    ReviewStatus,
    Thread,
)
from kispub.community.services import notifying
from kispub.community.services.moderating import set_post_hidden
from kispub.community.services.modlog import (
    ModerationError,
    checked_reason,
    post_target,
    record,
    require_moderator,
    review_target,
)
from kispub.core import clock
from kispub.core.database import write_transaction

NOTE_MAX = 1000
_DECIDED = {
    ReviewStatus.APPROVED: ModerationAction.FLAG_APPROVED,
    ReviewStatus.REJECTED: ModerationAction.FLAG_REJECTED,
    ReviewStatus.IGNORED: ModerationAction.FLAG_IGNORED,
}


@dataclass(frozen=True)
class Flagged:
    """What a report did: the round it joined, and whether it hid the post."""

    review_id: int
    hid_post: bool


def flag_post(user: User, post_id: int, reason: FlagReason, note: str = "") -> Flagged:
    """Report a post; the threshold's report hides it until a moderator decides."""
    note = " ".join((note or "").split())
    if reason is FlagReason.OTHER and not note:
        raise ModerationError(_("Schrijf erbij wat er mis is met dit bericht."), "note")
    if len(note) > NOTE_MAX:
        raise ModerationError(
            _("Een toelichting heeft hoogstens %(n)d tekens.", n=NOTE_MAX), "note"
        )
    with write_transaction() as session:
        member = session.get(Member, user.id)
        if member is None or member.status is not MemberStatus.APPROVED:
            raise ModerationError(_("Alleen leden van de community kunnen berichten melden."))
        # Locked like a reply locks its thread: reports of one post are counted one by one.
        post = session.get(
            Post, post_id, with_for_update={"key_share": True}, populate_existing=True
        )
        if post is None or not flaggable(post, user):
            raise ModerationError(_("Dit bericht kunt u niet melden."))
        review = _open_review(session, post.id)
        try:
            with session.begin_nested():
                session.add(
                    Flag(
                        review_id=review.id,
                        post_id=post.id,
                        user_id=user.id,
                        reason=reason,
                        note=note,
                        created_at=clock.now(),
                    )
                )
        except IntegrityError as error:
            raise ModerationError(_("U hebt dit bericht al gemeld.")) from error
        review.flag_count += 1
        hid = _hide_at_threshold(session, review, post)
        return Flagged(review.id, hid)


def flaggable(post: Post, user: User) -> bool:
    """A visible post of someone else in a visible, published thread."""
    thread = post.thread
    return (
        post.is_visible
        and post.author_id != user.id
        and thread.hidden_at is None
        and thread.held_at is None
    )


def _open_review(session: Session, post_id: int) -> FlagReview:
    """The post's open round, locked (a decision taken meanwhile closes it: PostgreSQL reads
    the decided row again and leaves it out, so the report opens a new round)."""
    review = session.scalars(
        select(FlagReview)
        .where(FlagReview.post_id == post_id, FlagReview.status == ReviewStatus.OPEN)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if review is None:
        review = FlagReview(post_id=post_id, opened_at=clock.now(), flag_count=0)
        session.add(review)
        session.flush()
    return review


def _hide_at_threshold(session: Session, review: FlagReview, post: Post) -> bool:
    threshold = int(current_app.config["COMMUNITY_FLAG_HIDE_THRESHOLD"])
    if threshold <= 0 or review.flag_count < threshold or post.hidden_at is not None:
        return False
    set_post_hidden(post, post.thread, hidden=True)
    review.hid_post = True
    record(
        session,
        None,
        ModerationAction.FLAGS_HID_POST,
        post_target(post, post.thread),
        _("%(n)d leden meldden dit bericht.", n=review.flag_count),
        subject_id=post.author_id,
    )
    return True


def decide_review(moderator: User, review_id: int, status: ReviewStatus, reason: str) -> FlagReview:
    """Close a round of reports as approved, rejected or ignored, with a reason."""
    require_moderator(moderator)
    if status is ReviewStatus.OPEN:
        raise ModerationError(_("Kies een beslissing."), "decision")
    reason = checked_reason(reason)
    with write_transaction() as session:
        review = session.get(FlagReview, review_id, with_for_update=True, populate_existing=True)
        if review is None:
            raise ModerationError(_("Deze meldingen bestaan niet."))
        if review.status is not ReviewStatus.OPEN:
            raise ModerationError(
                _("Hierover is al beslist: %(status)s.", status=review.status.label)
            )
        post = review.post
        thread = post.thread
        message = _consequence(review, post, thread, status, reason)
        review.status, review.decided_at = status, clock.now()
        review.decided_by_id, review.decision_reason = moderator.id, reason
        target = review_target(review.id, post, thread)
        record(session, moderator, _DECIDED[status], target, reason, subject_id=post.author_id)
        if message and post.author_id is not None and post.author_id != moderator.id:
            notifying.notify_moderation(
                post.author_id, moderator, message, thread=thread, post=post
            )
    return review


def _consequence(
    review: FlagReview, post: Post, thread: Thread, status: ReviewStatus, reason: str
) -> str | None:
    """Do to the post what the decision means; the author's message, if they hear of it."""
    place = {"n": post.number, "title": thread.title, "reason": reason}
    if status is ReviewStatus.APPROVED:
        if post.hidden_at is None:
            set_post_hidden(post, thread, hidden=True)
        return _(
            "Een moderator heeft uw bericht %(n)d in “%(title)s” verborgen na meldingen van "
            "leden. Reden: %(reason)s",
            **place,
        )
    if status is ReviewStatus.REJECTED and review.hid_post and post.hidden_at is not None:
        set_post_hidden(post, thread, hidden=False)
        return _(
            "Uw bericht %(n)d in “%(title)s” was verborgen na meldingen van leden; een "
            "moderator heeft het teruggezet. Reden: %(reason)s",
            **place,
        )
    return None  # rejected without consequence, or ignored: nothing changed for the author

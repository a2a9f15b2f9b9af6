"""A member's e-mail choices: how often (``Member.email_mode``), the threads whose mail they
stopped, and the signed links in every community mail that stop mail without logging in.

The links carry an itsdangerous token signed with SECRET_KEY (``kispub.core.mail``): it names
the member and what to stop, so nothing else is needed to act on it — no session, no CSRF
token (see ``views/mail``). A token never expires: a link in last year's mail still stops
mail, and stopping mail is all it can do. A forged or altered token is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from itsdangerous import BadData
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kispub.community.models import EmailMode, Member, Thread, ThreadWatch
from kispub.core import clock
from kispub.core.database import write_transaction
from kispub.core.mail import read_unsubscribe_token, unsubscribe_link

ALL_MAIL = "community"  # the token's "list": every community mail (email_mode NEVER)
THREAD_MAIL = "community-thread"  # mail about one thread (ThreadWatch.mail_stopped)


class LinkRefused(ValueError):
    """A stop link whose token is not one we signed, or not for this kind of stop."""


@dataclass(frozen=True)
class StopLink:
    """What a valid stop link names: a member, and a thread or (None) all community mail."""

    user_id: int
    thread_id: int | None = None


def unsubscribe_url(user_id: int) -> str:
    """The one-click link that stops all community mail to a member (List-Unsubscribe)."""
    return unsubscribe_link("community_mail.unsubscribe", {"uid": user_id, "list": ALL_MAIL})


def stop_thread_url(user_id: int, thread_id: int) -> str:
    """The link that stops a member's mail about one thread."""
    data = {"uid": user_id, "list": THREAD_MAIL, "thread": thread_id}
    return unsubscribe_link("community_mail.stop_thread", data)


def read_stop_link(token: str, *, thread: bool) -> StopLink:
    """What a token stops; raises ``LinkRefused`` unless we signed it for this kind of link."""
    try:
        data = read_unsubscribe_token(token)
    except (BadData, ValueError) as error:
        raise LinkRefused("not a valid link") from error
    user_id = _int(data, "uid")
    if thread:
        if data.get("list") != THREAD_MAIL:
            raise LinkRefused("not a thread link")
        return StopLink(user_id, _int(data, "thread"))
    if data.get("list") != ALL_MAIL:
        raise LinkRefused("not a community link")
    return StopLink(user_id)


def _int(data: dict[str, Any], name: str) -> int:
    value = data.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise LinkRefused(f"no {name} in the link")
    return value


def unsubscribe(token: str) -> StopLink:
    """The one-click unsubscribe: the member's e-mail mode becomes NEVER.

    Idempotent; a valid link for an account that no longer exists changes nothing.
    """
    link = read_stop_link(token, thread=False)
    with write_transaction() as session:
        member = session.get(Member, link.user_id)
        if member is not None:
            member.email_mode = EmailMode.NEVER
    return link


def stop_thread_by_link(token: str) -> StopLink:
    """Stop the mail about one thread for the member the link names."""
    link = read_stop_link(token, thread=True)
    assert link.thread_id is not None
    set_thread_mail(link.user_id, link.thread_id, stopped=True)
    return link


def set_email_mode(user_id: int, mode: EmailMode) -> None:
    """A member's choice on the settings page."""
    with write_transaction() as session:
        member = session.get(Member, user_id)
        if member is not None:
            member.email_mode = mode


def set_thread_mail(user_id: int, thread_id: int, *, stopped: bool) -> bool:
    """Stop (or resume) a member's mail about a thread; False if the thread or member is gone.

    Only ``mail_stopped`` changes: a new watch row inherits its level (level None, no
    reason), so stopping mail is never taken for a choice of watch level.
    """
    with write_transaction() as session:
        if session.get(Thread, thread_id) is None or session.get(Member, user_id) is None:
            return False
        watch = session.get(ThreadWatch, (user_id, thread_id))
        if watch is None and stopped:
            watch = _new_watch(session, user_id, thread_id)
        if watch is not None:
            watch.mail_stopped = stopped
            watch.updated_at = clock.now()
    return True


def _new_watch(session: Session, user_id: int, thread_id: int) -> ThreadWatch:
    """A watch row that inherits its level; the other's row if a concurrent click made one."""
    watch = ThreadWatch(user_id=user_id, thread_id=thread_id, level=None, reason=None)
    try:
        with session.begin_nested():
            session.add(watch)
    except IntegrityError:
        found = session.get(ThreadWatch, (user_id, thread_id))
        assert found is not None
        return found
    return watch

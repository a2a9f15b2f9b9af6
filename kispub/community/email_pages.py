"""What the e-mail settings page shows: the member's mode and the threads whose mail they
stopped (each with a way to resume it)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from kispub.community.models import EmailMode, Member, Thread, ThreadWatch
from kispub.extensions import db
from kispub.themes.models import Theme


@dataclass(frozen=True)
class StoppedThread:
    """A thread the member gets no mail about."""

    thread_id: int
    title: str
    theme_name: str


@dataclass(frozen=True)
class EmailSettingsPage:
    """The settings page's data."""

    mode: EmailMode
    stopped: list[StoppedThread]


def email_settings_page(member: Member) -> EmailSettingsPage:
    """The member's e-mail mode and their stopped threads (visible ones), newest stop first."""
    statement = (
        select(Thread.id, Thread.title, Theme.name)
        .join(ThreadWatch, ThreadWatch.thread_id == Thread.id)
        .join(Theme, Theme.id == Thread.theme_id)
        .where(
            ThreadWatch.user_id == member.user_id,
            ThreadWatch.mail_stopped.is_(True),
            Thread.hidden_at.is_(None),
        )
        .order_by(ThreadWatch.updated_at.desc(), Thread.id)
    )
    stopped = [StoppedThread(*row) for row in db.session.execute(statement)]
    return EmailSettingsPage(member.email_mode, stopped)

"""What the watch-level forms show: a member's level for a thread or theme, and why.

One statement each; the thread page and the theme page put the result in their page object.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import select

from kispub.community.models import ThemeWatch, Thread, ThreadWatch, WatchLevel, WatchReason
from kispub.community.services.watching import effective_level
from kispub.extensions import db

LEVELS = (WatchLevel.WATCHING, WatchLevel.TRACKING, WatchLevel.NORMAL, WatchLevel.MUTED)


class Source(StrEnum):
    """Where a level comes from."""

    OWN = "own"  # set on the thread (or theme) itself
    THEME = "theme"  # inherited from the member's level for the theme
    DEFAULT = "default"  # nothing set: Normaal


@dataclass(frozen=True)
class Option:
    """One choice on the watch-level form."""

    value: str
    label: str
    description: str
    checked: bool


@dataclass(frozen=True)
class WatchState:
    """A member's level for a thread or theme, where it comes from, and why."""

    level: WatchLevel
    source: Source
    reason: WatchReason | None = None  # of a thread's own level
    theme_name: str = ""

    @property
    def label(self) -> str:
        return self.level.label

    @property
    def explanation(self) -> str:
        """Why the level is what it is, as the end of a sentence ("omdat ...")."""
        if self.source is Source.THEME:
            return _("zoals uw keuze voor het thema %(theme)s", theme=self.theme_name)
        if self.source is Source.DEFAULT:
            return _("de standaard: u koos zelf niets")
        return {
            WatchReason.CREATED: _("omdat u dit onderwerp begon"),
            WatchReason.POSTED: _("omdat u hier een bericht plaatste"),
        }.get(self.reason or WatchReason.CHOSEN, _("omdat u dat zelf koos"))

    @property
    def description(self) -> str:
        """What the level means for the member."""
        return level_description(self.level)

    @property
    def options(self) -> tuple[Option, ...]:
        """The form's choices, the current level checked."""
        return tuple(
            Option(level.value, level.label, level_description(level), level is self.level)
            for level in LEVELS
        )


def level_description(level: WatchLevel) -> str:
    """What a level means, for the choices on the form."""
    return {
        WatchLevel.WATCHING: _("een melding bij elk nieuw bericht"),
        WatchLevel.TRACKING: _(
            "nieuwe berichten tellen mee; een melding als u genoemd of beantwoord wordt"
        ),
        WatchLevel.NORMAL: _("een melding als u genoemd of beantwoord wordt"),
        WatchLevel.MUTED: _("geen meldingen, en nooit aangegeven als nieuw"),
    }[level]


def thread_watch_state(user_id: int, thread_id: int, theme_name: str) -> WatchState:
    """The member's level for a thread: its own, its theme's, or the default."""
    statement = (
        select(ThreadWatch.level, ThreadWatch.reason, ThemeWatch.level)
        .select_from(Thread)
        .outerjoin(
            ThreadWatch, (ThreadWatch.thread_id == Thread.id) & (ThreadWatch.user_id == user_id)
        )
        .outerjoin(
            ThemeWatch, (ThemeWatch.theme_id == Thread.theme_id) & (ThemeWatch.user_id == user_id)
        )
        .where(Thread.id == thread_id)
    )
    row = db.session.execute(statement).first()
    thread_level, reason, theme_level = row if row is not None else (None, None, None)
    level = effective_level(thread_level, theme_level)
    if thread_level is not None:
        return WatchState(level, Source.OWN, reason, theme_name)
    if theme_level is not None:
        return WatchState(level, Source.THEME, None, theme_name)
    return WatchState(level, Source.DEFAULT, None, theme_name)


def theme_watch_state(user_id: int, theme_id: int, theme_name: str) -> WatchState:
    """The member's level for a theme (chosen, or the default)."""
    level = db.session.scalar(
        select(ThemeWatch.level).where(
            ThemeWatch.user_id == user_id, ThemeWatch.theme_id == theme_id
        )
    )
    if level is None:
        return WatchState(WatchLevel.NORMAL, Source.DEFAULT, None, theme_name)
    return WatchState(level, Source.OWN, WatchReason.CHOSEN, theme_name)

"""Digests: at the fixed time, what each member follows and may see, nothing when empty, and
each period once — across reruns, a restarted worker, and two workers claiming at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from flask import Flask

from kispub.accounts.models import User
from kispub.community.digest import claim, latest_period, send_digest
from kispub.community.models import (
    DigestRun,
    EmailMode,
    Member,
    MemberStatus,
    Notification,
    NotificationKind,
    Post,
    ThemeWatch,
    Thread,
    WatchLevel,
)
from kispub.community.services.email_settings import set_thread_mail
from kispub.community.services.posting import delete_post, reply
from kispub.core.database import write_transaction
from kispub.core.mail import message_id
from kispub.extensions import db
from kispub.jobs import huey_of
from kispub.themes.models import Theme
from tests.clock import Clock, freeze
from tests.community.discussion_helpers import make_thread, theme
from tests.community.helpers import make_member
from tests.community.mail_helpers import member_with_mode, notifications_by_hand, notify

# Each test makes its notifications itself (the fan-out stays out; see mail_helpers).
pytestmark = pytest.mark.usefixtures(notifications_by_hand.__name__)

Outbox = Callable[[], list[EmailMessage]]
# Monday 14 December 2026, 08:00 in Amsterdam (CET, UTC+1): the weekly digest's moment.
MONDAY_EIGHT = datetime(2026, 12, 14, 7, 0, tzinfo=UTC)
WEEK_START = MONDAY_EIGHT - timedelta(days=7)
MIDWEEK = WEEK_START + timedelta(days=3)


def run_digest_job(app: Flask, clock: Clock, at: datetime) -> None:
    """Run the hourly job as the worker's scheduler would at ``at`` (which must be its minute)."""
    clock.now = at
    naive = at.astimezone(UTC).replace(tzinfo=None)
    tasks = [t for t in huey_of(app).read_periodic(naive) if type(t).__name__ == "community-digest"]
    assert len(tasks) == 1, f"community-digest is not due at {at}"
    tasks[0].execute()
    db.session.rollback()


def follow(user: User, chosen: Theme, level: WatchLevel = WatchLevel.WATCHING) -> None:
    with write_transaction() as session:
        session.add(ThemeWatch(user_id=user.id, theme_id=chosen.id, level=level))


def hide(thread: Thread) -> None:
    with write_transaction() as session:
        session.get(Thread, thread.id).hidden_at = MIDWEEK  # type: ignore[union-attr]


def first_post(thread: Thread) -> Post:
    return db.session.scalars(db.select(Post).where(Post.thread_id == thread.id)).one()


def to(messages: list[EmailMessage], user: User) -> list[EmailMessage]:
    return [m for m in messages if m["To"] == user.email]


@dataclass
class Week:
    """A week of activity in two themes, and the people who read about it."""

    wim: User  # weekly, follows Onderwijs
    anna: User  # writes most of it
    titles: dict[str, str]


def a_week(app: Flask) -> tuple[Week, Clock]:
    clock = freeze(app, WEEK_START - timedelta(days=3))
    onderwijs, werk = theme("Onderwijs"), theme("Werk")
    anna = member_with_mode(EmailMode.IMMEDIATE, name="Anna de Vries")  # no digest for her
    wim = member_with_mode(EmailMode.WEEKLY, name="Wim")
    follow(wim, onderwijs)
    old = make_thread(anna, title="Oud maar levendig", in_theme=onderwijs)
    gone = make_thread(anna, title="Oud en verwijderd", in_theme=onderwijs)
    clock.now = MIDWEEK
    titles = {
        "new": make_thread(anna, posts=2, title="Nieuw over scholen", in_theme=onderwijs).title,
        "other theme": make_thread(anna, title="Nieuw over werk", in_theme=werk).title,
        "own": make_thread(wim, title="Mijn eigen onderwerp", in_theme=onderwijs).title,
        "active": old.title,
        "deleted posts": gone.title,
    }
    for n in range(3):
        reply(anna, old.id, f"Nog een bijdrage {n}.")
    for n in range(2):
        delete_post(anna, reply(anna, gone.id, f"Spijt van {n}.").id)
    hidden = make_thread(anna, title="Verborgen onderwerp", in_theme=onderwijs)
    hide(hidden)
    stopped = make_thread(anna, title="Niet meer over mailen", in_theme=onderwijs)
    set_thread_mail(wim.id, stopped.id, stopped=True)
    notify(wim, NotificationKind.MENTION, reply(anna, stopped.id, "Hier, @wim?"), anna)
    mention = reply(anna, old.id, "Wat vindt @wim ervan?")
    notify(wim, NotificationKind.MENTION, mention, anna)
    seen = reply(anna, old.id, "En dit, @wim?")
    with write_transaction() as session:
        session.get(Notification, notify(wim, NotificationKind.MENTION, seen, anna).id).read_at = (  # type: ignore[union-attr]
            MIDWEEK
        )
    clock.now = MONDAY_EIGHT + timedelta(minutes=30)  # after the period: next week's
    titles["too late"] = make_thread(anna, title="Na het overzicht", in_theme=onderwijs).title
    titles |= {"hidden": hidden.title, "stopped": stopped.title}
    return Week(wim, anna, titles), clock


def test_the_weekly_digest_arrives_on_monday_at_eight_with_what_the_member_follows(
    app: Flask, outbox: Outbox
) -> None:
    week, clock = a_week(app)
    run_digest_job(app, clock, MONDAY_EIGHT - timedelta(minutes=59))  # 07:01 in Amsterdam
    assert outbox() == []
    run_digest_job(app, clock, MONDAY_EIGHT + timedelta(minutes=1))
    [mail] = outbox()
    assert mail["To"] == week.wim.email
    assert mail["Subject"] == "Uw weekoverzicht van de KIS-community"
    assert mail["Message-ID"] == message_id(f"community:digest:weekly:2026-W51:{week.wim.id}")
    assert mail["List-Unsubscribe"].startswith("<https://kis.example/community/afmelden/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = mail.get_content()
    shown = {name for name, title in week.titles.items() if title in body}
    assert shown == {"new", "active"}, body
    assert "Oud maar levendig (Onderwijs, 5 nieuwe berichten)" in body  # 3 + 2 mentions
    # The unread mention; not the one read, nor the one in the thread Wim stopped mail about.
    assert 'Anna de Vries noemde u in "Oud maar levendig"' in body
    assert body.count("noemde u") == 1
    assert "maandag 7 december 2026 om 08:00" in body


def test_a_period_is_sent_once_across_reruns_and_a_restarted_worker(
    app: Flask, outbox: Outbox, make_app: Callable[..., Flask]
) -> None:
    _week, clock = a_week(app)
    for minutes in (1, 61, 121):
        run_digest_job(app, clock, MONDAY_EIGHT + timedelta(minutes=minutes))
    restarted = make_app()
    with restarted.app_context():
        run_digest_job(
            restarted, freeze(restarted, MONDAY_EIGHT), MONDAY_EIGHT + timedelta(hours=3, minutes=1)
        )
    assert len(outbox()) == 1
    runs = db.session.scalars(db.select(DigestRun).order_by(DigestRun.period)).all()
    assert [(r.period, r.sent, r.finished_at is not None) for r in runs] == [
        ("daily:2026-12-14", 0, True),  # due too: nobody takes the daily one
        ("weekly:2026-W51", 1, True),
    ]


def test_a_run_whose_worker_died_is_finished_without_a_second_copy(
    app: Flask, outbox: Outbox
) -> None:
    week, clock = a_week(app)
    second = member_with_mode(EmailMode.WEEKLY)  # follows nothing: every theme
    period = latest_period(EmailMode.WEEKLY, MONDAY_EIGHT + timedelta(minutes=1))
    with write_transaction() as session:
        session.add(DigestRun(period=period.key, started_at=MONDAY_EIGHT))
    send_digest(period)  # as the dead worker did, all but recording the end
    with write_transaction():
        db.session.execute(db.update(DigestRun).values(finished_at=None))
    db.session.rollback()
    assert len(outbox()) == 2

    run_digest_job(app, clock, MONDAY_EIGHT + timedelta(minutes=1))  # too soon to take over
    weekly = db.select(DigestRun).where(DigestRun.period == period.key)
    run = db.session.scalars(weekly).one()
    assert run.finished_at is None
    run_digest_job(app, clock, MONDAY_EIGHT + timedelta(hours=1, minutes=1))  # stale: taken over
    run = db.session.scalars(weekly).one()
    assert run.finished_at is not None
    assert sorted(m["To"] for m in outbox()) == sorted([week.wim.email, second.email])


def test_two_workers_claiming_at_once_get_the_period_once(
    app: Flask, make_app: Callable[..., Flask]
) -> None:
    period = latest_period(EmailMode.DAILY, MONDAY_EIGHT)
    apps = [make_app() for _ in range(4)]
    start = threading.Barrier(len(apps))
    results: list[Any] = []

    def worker(other: Flask) -> None:
        with other.app_context():
            start.wait()
            try:
                results.append(claim(period, MONDAY_EIGHT))
            except Exception as error:  # a failure shows in the assertion below
                results.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(other,)) for other in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results, key=str) == [False, False, False, True]
    assert db.session.scalars(db.select(DigestRun.period)).all() == [period.key]


def test_the_daily_digest_covers_a_day_in_every_theme_not_muted(app: Flask, outbox: Outbox) -> None:
    tuesday_eight = MONDAY_EIGHT + timedelta(days=1)
    clock = freeze(app, tuesday_eight - timedelta(hours=2))
    onderwijs, werk, zorg = theme("Onderwijs"), theme("Werk"), theme("Zorg")
    anna = make_member()
    dirk = member_with_mode(EmailMode.DAILY, name="Dirk")
    follow(dirk, zorg, WatchLevel.MUTED)  # muting is not following: every other theme counts
    make_thread(anna, title="Vandaag over scholen", in_theme=onderwijs)
    make_thread(anna, title="Vandaag over werk", in_theme=werk)
    make_thread(anna, title="Vandaag over zorg", in_theme=zorg)
    make_thread(
        anna,
        title="Gisteren al gemeld",
        in_theme=werk,
        at=tuesday_eight - timedelta(days=1, hours=1),
    )
    run_digest_job(app, clock, tuesday_eight + timedelta(minutes=1))
    [mail] = outbox()
    assert mail["Subject"] == "Uw dagelijkse overzicht van de KIS-community"
    body = mail.get_content()
    assert "Vandaag over scholen" in body and "Vandaag over werk" in body
    assert "Vandaag over zorg" not in body and "Gisteren al gemeld" not in body
    assert db.session.scalars(db.select(DigestRun.period)).all() == ["daily:2026-12-15"]


def test_only_approved_members_who_chose_a_digest_get_one_and_never_an_empty_one(
    app: Flask, outbox: Outbox
) -> None:
    clock = freeze(app, MIDWEEK)
    onderwijs, stil = theme("Onderwijs"), theme("Stil thema")
    anna = make_member()
    make_thread(anna, title="Iets nieuws", in_theme=onderwijs)
    weekly = member_with_mode(EmailMode.WEEKLY)
    quiet = member_with_mode(EmailMode.WEEKLY)
    follow(quiet, stil)  # follows only a theme where nothing happened
    suspended = member_with_mode(EmailMode.WEEKLY)
    with write_transaction() as session:
        session.get(Member, suspended.id).status = MemberStatus.SUSPENDED  # type: ignore[union-attr]
    others = [member_with_mode(mode) for mode in (EmailMode.IMMEDIATE, EmailMode.NEVER)]
    run_digest_job(app, clock, MONDAY_EIGHT + timedelta(minutes=1))
    assert [m["To"] for m in outbox()] == [weekly.email]
    assert not any(to(outbox(), person) for person in (quiet, suspended, *others, anna))
    weekly_run = db.select(DigestRun.sent).where(DigestRun.period == "weekly:2026-W51")
    assert db.session.scalars(weekly_run).all() == [1]


W, D = "weekly", "daily"
FRIDAY_FIVE = {"COMMUNITY_DIGEST_WEEKDAY": 4, "COMMUNITY_DIGEST_HOUR": 17}


@pytest.mark.parametrize(
    ("at", "mode", "config", "key", "start", "end"),
    [
        # Winter (CET): 08:00 is 07:00 UTC; a minute before it, last week's period.
        ("2026-12-14T06:59", W, {}, "weekly:2026-W50", "2026-11-30T07:00", "2026-12-07T07:00"),
        ("2026-12-14T07:00", W, {}, "weekly:2026-W51", "2026-12-07T07:00", "2026-12-14T07:00"),
        ("2026-12-17T12:00", W, {}, "weekly:2026-W51", "2026-12-07T07:00", "2026-12-14T07:00"),
        # Summer (CEST): 08:00 is 06:00 UTC; the week with the clock change is an hour short.
        ("2026-07-06T06:00", W, {}, "weekly:2026-W28", "2026-06-29T06:00", "2026-07-06T06:00"),
        ("2026-03-30T06:30", W, {}, "weekly:2026-W14", "2026-03-23T07:00", "2026-03-30T06:00"),
        ("2026-12-15T06:59", D, {}, "daily:2026-12-14", "2026-12-13T07:00", "2026-12-14T07:00"),
        ("2026-12-15T07:00", D, {}, "daily:2026-12-15", "2026-12-14T07:00", "2026-12-15T07:00"),
        # Configured: Friday at 17:00.
        ("2026-12-19T10:00", W, FRIDAY_FIVE, "weekly:2026-W51", "2026-12-11T16:00",
         "2026-12-18T16:00"),
    ],
)  # fmt: skip
def test_periods_end_at_the_hour_in_amsterdam_time(
    app: Flask, at: str, mode: str, config: dict[str, int], key: str, start: str, end: str
) -> None:
    app.config.update(config)
    period = latest_period(EmailMode(mode), _utc(at))
    assert (period.key, period.start, period.end) == (key, _utc(start), _utc(end))


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_the_job_runs_every_hour(app: Flask) -> None:
    due = [
        minute
        for minute in range(0, 24 * 60)
        if "community-digest"
        in {
            type(t).__name__
            for t in huey_of(app).read_periodic(datetime(2026, 12, 14) + timedelta(minutes=minute))
        }
    ]
    assert len(due) == 24 and all(minute % 60 == 1 for minute in due)

"""Notifications: every kind at every watch level, the most specific one only, nobody who
should not hear, snapshots that outlive edits, and the worker doing the fan-out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from kispub.accounts.models import Role, User
from kispub.community.models import (
    Member,
    MemberStatus,
    Notification,
    NotificationKind,
    Post,
    Thread,
    WatchLevel,
)
from kispub.community.services import notifying
from kispub.community.services.notifying import fan_out_post, notify_moderation
from kispub.community.services.posting import (
    NewThread,
    accept_answer,
    delete_post,
    edit_post,
    reply,
    start_thread,
)
from kispub.community.services.reading import mark_theme_read, record_read
from kispub.community.services.watching import set_theme_level, set_thread_level
from kispub.core.database import in_write_transaction, write_transaction
from kispub.extensions import db
from kispub.jobs import huey_of
from tests.clock import freeze
from tests.community.discussion_helpers import make_thread, post_numbered
from tests.community.helpers import make_member, make_person
from tests.community.notification_helpers import kinds_of, mention, notifications_of
from tests.factories import make_theme
from tests.queries import count_queries

Kind = NotificationKind
W, T, N, M = WatchLevel.WATCHING, WatchLevel.TRACKING, WatchLevel.NORMAL, WatchLevel.MUTED

# What the recipient hears of each event, at each level they chose for the thread (or, for
# a new thread, for its theme). Moderation reaches a member whatever they muted.
EXPECTED: dict[str, dict[WatchLevel, Kind | None]] = {
    "reply": {W: Kind.REPLY, T: Kind.REPLY, N: Kind.REPLY, M: None},
    "mention": {W: Kind.MENTION, T: Kind.MENTION, N: Kind.MENTION, M: None},
    "new_post": {W: Kind.WATCHED_POST, T: None, N: None, M: None},
    "new_thread": {W: Kind.WATCHED_THREAD, T: None, N: None, M: None},
    "accepted": {
        W: Kind.ANSWER_ACCEPTED,
        T: Kind.ANSWER_ACCEPTED,
        N: Kind.ANSWER_ACCEPTED,
        M: None,
    },
    "moderation": {W: Kind.MODERATION, T: Kind.MODERATION, N: Kind.MODERATION, M: Kind.MODERATION},
}


def _event(name: str, actor: User, recipient: User, level: WatchLevel) -> None:
    """Set the recipient's level, then let the actor do ``name``."""
    starter = make_member(name="Starter")
    question = make_thread(starter, question=name == "accepted", title="Waar begin ik?")
    own = reply(recipient, question.id, "Mijn bijdrage.")  # post 2, the recipient's
    if name == "new_thread":
        set_theme_level(recipient, question.theme_id, level)
    else:
        set_thread_level(recipient, question.id, level)
    before = len(kinds_of(recipient))
    assert before == 0
    if name == "reply":
        reply(actor, question.id, "Daar ben ik het mee eens.", reply_to_number=own.number)
    elif name == "mention":
        reply(actor, question.id, f"Wat denkt {mention(recipient)} hiervan?")
    elif name == "new_post":
        reply(actor, question.id, "Nog een gedachte.")
    elif name == "new_thread":
        start_thread(actor, NewThread(question.theme_id, "Een nieuw onderwerp", "Hallo allemaal."))
    elif name == "accepted":
        accept_answer(starter, question.id, own.number)
        actor = starter
    elif name == "moderation":
        moderator = make_member(role=Role.MODERATOR, name="Moderator")
        with write_transaction():
            notify_moderation(recipient.id, moderator, "Verborgen: off-topic.", post=own)


@pytest.mark.parametrize("level", [W, T, N, M], ids=lambda level: level.value)
@pytest.mark.parametrize("event", list(EXPECTED))
def test_every_kind_at_every_level(app: Flask, event: str, level: WatchLevel) -> None:
    actor, recipient = make_member(name="Ahmed Actor"), make_member(name="Rosa Ontvanger")
    _event(event, actor, recipient, level)
    expected = EXPECTED[event][level]
    assert kinds_of(recipient) == ([] if expected is None else [expected])


def test_a_thread_inherits_its_themes_level_until_it_has_its_own(app: Flask) -> None:
    author, reader = make_member(), make_member()
    thread = make_thread(author)
    set_theme_level(reader, thread.theme_id, W)
    reply(author, thread.id, "Eerste nieuws.")
    assert kinds_of(reader) == [Kind.WATCHED_POST]

    set_thread_level(reader, thread.id, N)  # the thread's own level wins over the theme's
    reply(author, thread.id, f"Tweede nieuws, {mention(reader)}.")
    reply(author, thread.id, "Derde nieuws.")
    assert kinds_of(reader) == [Kind.WATCHED_POST, Kind.MENTION]

    set_theme_level(reader, thread.theme_id, M)
    other = make_thread(author, title="In een genegeerd thema")
    reply(author, other.id, f"Ziet {mention(reader)} dit?")
    assert len(kinds_of(reader)) == 2, "a muted theme mutes its threads"
    set_thread_level(reader, other.id, T)
    reply(author, other.id, f"En nu, {mention(reader)}?")
    assert kinds_of(reader)[-1] is Kind.MENTION


def test_the_most_specific_kind_only_one_per_post(app: Flask) -> None:
    author, watcher = make_member(), make_member()
    thread = make_thread(author)
    own = reply(watcher, thread.id, "Van de volger.")
    set_thread_level(watcher, thread.id, W)
    # Mentioned, replied to and watching: one notification, the mention.
    reply(author, thread.id, f"Klopt, {mention(watcher)}.", reply_to_number=own.number)
    # Replied to and watching: the reply.
    reply(author, thread.id, "Nog een antwoord.", reply_to_number=own.number)
    reply(author, thread.id, "Zomaar.")
    assert kinds_of(watcher) == [Kind.MENTION, Kind.REPLY, Kind.WATCHED_POST]


def test_a_quotation_notifies_the_author_of_the_quoted_post(app: Flask) -> None:
    author, quoted, quoter = make_member(), make_member(name="Gerda Geciteerd"), make_member()
    thread = make_thread(author)
    reply(quoted, thread.id, "Iets om te citeren.")
    body = "> **Gerda Geciteerd** schreef in bericht 2:\n>\n> Iets om te citeren.\n\nPrecies."
    reply(quoter, thread.id, body)  # written by hand: no reply_to_number
    assert kinds_of(quoted) == [Kind.REPLY]
    # The thread's author is not quoted, but follows the thread (they started it).
    assert kinds_of(author) == [Kind.WATCHED_POST, Kind.WATCHED_POST]


def test_nobody_is_notified_of_their_own_doing(app: Flask) -> None:
    author = make_member()
    thread = make_thread(author)  # the author watches it (started it)
    reply(author, thread.id, f"Ik noem mezelf: {mention(author)}.", reply_to_number=1)
    set_theme_level(author, thread.theme_id, W)
    make_thread(author, title="Nog een van mij")
    with write_transaction():
        assert notify_moderation(author.id, author, "Zelf verborgen.") is None
    assert kinds_of(author) == []


@pytest.mark.parametrize("status", [MemberStatus.PENDING, MemberStatus.SUSPENDED, None])
def test_only_approved_members_with_an_active_account_hear(
    app: Flask, status: MemberStatus | None
) -> None:
    author, moderator = make_member(), make_member(role=Role.MODERATOR)
    outsider = make_member(name="Was Lid")
    thread = make_thread(author)
    reply(outsider, thread.id, "Toen ik nog meedeed.")
    set_thread_level(outsider, thread.id, W)
    handle = mention(outsider)
    with write_transaction() as session:
        if status is None:
            session.get(User, outsider.id).active = False  # type: ignore[union-attr]
        else:
            session.execute(
                update(Member).where(Member.user_id == outsider.id).values(status=status)
            )
    reply(author, thread.id, f"Hallo {handle}", reply_to_number=2)
    with write_transaction():
        assert notify_moderation(outsider.id, moderator, "Geschorst.") is None
    assert kinds_of(outsider) == []


def test_a_pending_person_is_never_mentioned(app: Flask) -> None:
    author, pending = make_member(), make_person(MemberStatus.PENDING)
    thread = make_thread(author)
    reply(author, thread.id, "Hallo @persoon-pending")
    assert kinds_of(pending) == []


def test_running_the_fan_out_again_adds_nothing_and_an_edit_notifies_only_new_mentions(
    app: Flask,
) -> None:
    author, first, second = make_member(), make_member(), make_member()
    thread = make_thread(author)
    post = reply(author, thread.id, f"Voor {mention(first)}.")
    assert fan_out_post(post.id) == 0  # the job already ran (jobs run at once in tests)
    edit_post(author, post.id, f"Voor {mention(first)} en {mention(second)}.")
    edit_post(author, post.id, f"Voor {mention(first)}, {mention(second)}: bijgewerkt.")
    assert kinds_of(first) == [Kind.MENTION]
    assert kinds_of(second) == [Kind.MENTION]
    total = db.session.scalar(select(func.count()).select_from(Notification))
    assert total == 2


def test_a_deleted_or_hidden_post_notifies_nobody_when_the_worker_comes_late(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(JOBS_IMMEDIATE=False)
    with app.app_context():
        author, reader = make_member(), make_member()
        thread = make_thread(author)
        gone = reply(author, thread.id, f"Oeps {mention(reader)}")
        delete_post(author, gone.id)
        assert fan_out_post(gone.id) == 0
        kept = reply(author, thread.id, f"Beter, {mention(reader)}")
        assert fan_out_post(kept.id) == 1
        assert kinds_of(reader) == [Kind.MENTION]


def test_posting_only_queues_the_fan_out_for_the_worker(make_app: Callable[..., Flask]) -> None:
    app = make_app(JOBS_IMMEDIATE=False)
    with app.app_context():
        huey = huey_of(app)
        huey.flush()
        author, watcher = make_member(), make_member()
        thread = make_thread(author)
        set_thread_level(watcher, thread.id, W)
        huey.flush()
        post = reply(author, thread.id, "Nieuws.")
        assert kinds_of(watcher) == []  # nothing yet: the request did not fan out
        queued = huey.pending()
        assert [t.name for t in queued] == ["fan_out_post"] and queued[0].args == (post.id, False)
        huey.execute(huey.dequeue())  # what the worker does
        assert kinds_of(watcher) == [Kind.WATCHED_POST]


def test_the_fan_out_costs_the_same_statements_for_2_and_40_watchers(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(JOBS_IMMEDIATE=False)
    with app.app_context():
        author = make_member()
        watchers = [make_member(name=f"Volger {n}") for n in range(40)]
        few = make_thread(author, title="Weinig volgers", in_theme=make_theme("Wonen"))
        many = make_thread(author, title="Veel volgers", in_theme=make_theme("Werk"))
        for n, watcher in enumerate(watchers):
            # Half follow the thread itself, half through its theme.
            for thread in (few, many) if n < 2 else (many,):
                if n % 2:
                    set_theme_level(watcher, thread.theme_id, W)
                else:
                    set_thread_level(watcher, thread.id, W)
        posts = [reply(author, t.id, "Nieuws voor de volgers.") for t in (few, many)]
        counts = []
        for post in posts:
            with count_queries() as sent:
                stored = fan_out_post(post.id)
            counts.append((stored, len(sent)))
    assert [stored for stored, _ in counts] == [2, 40]
    assert counts[0][1] == counts[1][1] <= 6, counts


def test_mailing_sees_every_notification_inside_the_transaction(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[int, Kind, bool]] = []

    def record(notification: Notification) -> None:
        seen.append((notification.user_id, notification.kind, in_write_transaction()))
        assert notification.id is not None

    monkeypatch.setattr(notifying.mailing, "notification_created", record)
    author, one, two = make_member(), make_member(), make_member()
    thread = make_thread(author)
    set_thread_level(one, thread.id, W)
    set_thread_level(two, thread.id, W)
    reply(author, thread.id, f"Voor {mention(two)} en de volgers.")
    assert sorted(seen) == sorted([(one.id, Kind.WATCHED_POST, True), (two.id, Kind.MENTION, True)])


def test_snapshots_survive_edits_deletion_and_renames(app: Flask) -> None:
    author, reader = make_member(name="Oude Naam"), make_member()
    thread = make_thread(reader, title="Oorspronkelijke titel")
    post = reply(author, thread.id, "Een reactie.", reply_to_number=1)
    edit_post(reader, post_numbered(thread.id, 1).id, "Nieuw", title="Andere titel")
    delete_post(author, post.id)
    with write_transaction() as session:
        session.get(User, author.id).name = "Nieuwe Naam"  # type: ignore[union-attr]
    (notification,) = notifications_of(reader)
    assert (notification.actor_name, notification.thread_title, notification.post_number) == (
        "Oude Naam",
        "Oorspronkelijke titel",
        2,
    )


def test_a_later_moderation_decision_about_a_post_replaces_the_earlier(app: Flask) -> None:
    author, moderator = make_member(), make_member(role=Role.MODERATOR, name="Mo")
    thread = make_thread(author)
    post = db.session.get(Post, post_numbered(thread.id, 1).id)
    with write_transaction():
        first = notify_moderation(author.id, moderator, "Verborgen.", post=post)
    assert first is not None
    notifying.mark_read(author.id, first.id)
    with write_transaction():
        notify_moderation(author.id, moderator, "Teruggezet.", post=post)
        notify_moderation(author.id, moderator, "Een waarschuwing.")  # about the account
    rows = notifications_of(author)
    assert [(n.message, n.read_at, n.post_number) for n in rows] == [
        ("Teruggezet.", None, 1),
        ("Een waarschuwing.", None, None),
    ]
    assert rows[0].thread_title == thread.title and rows[0].actor_name == "Mo"


def test_purge_deletes_only_old_read_notifications(app: Flask) -> None:
    clock = freeze(app, datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    author, reader = make_member(), make_member()
    thread = make_thread(reader)
    old_read, old_unread = (reply(author, thread.id, "Oud", reply_to_number=1) for _ in range(2))
    clock.advance(days=80)
    recent_read = reply(author, thread.id, "Recent", reply_to_number=1)
    by_post = {n.post_id: n.id for n in notifications_of(reader)}
    for post in (old_read, recent_read):
        notifying.mark_read(reader.id, by_post[post.id])
    clock.advance(days=11)  # the old ones are 91 days old, the recent one 11
    assert notifying.purge_read_notifications() == 1
    assert {n.post_id for n in notifications_of(reader)} == {old_unread.id, recent_read.id}


def test_reading_a_thread_reads_its_notifications_but_not_a_moderators_decision(
    app: Flask,
) -> None:
    author, reader, moderator = make_member(), make_member(), make_member(role=Role.MODERATOR)
    thread = make_thread(reader)
    reply(author, thread.id, "Een", reply_to_number=1)
    reply(author, thread.id, "Twee", reply_to_number=1)
    with write_transaction():
        notify_moderation(reader.id, moderator, "Let op.", thread=db.session.get(Thread, thread.id))
    record_read(reader.id, thread.id, 2)
    assert [n.read_at is not None for n in notifications_of(reader)] == [True, False, False]
    mark_theme_read(reader.id, thread.theme_id)
    assert [n.read_at is not None for n in notifications_of(reader)] == [True, True, False]

"""Notification e-mail: after the delay, only what each member chose, skipped when read, once,
and threaded in mail clients (a Message-ID per post, In-Reply-To and References)."""

from __future__ import annotations

import mailbox
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask import Flask

from kispub.accounts.models import User
from kispub.community.mailing import post_message_key, send_notification_mail
from kispub.community.models import (
    EmailMode,
    Member,
    MemberStatus,
    Notification,
    NotificationKind,
    Post,
)
from kispub.community.services.email_settings import set_email_mode, set_thread_mail
from kispub.community.services.posting import delete_post, reply
from kispub.community.services.reading import record_read
from kispub.core.database import write_transaction
from kispub.core.mail import message_id
from kispub.extensions import db
from tests.clock import freeze
from tests.community.discussion_helpers import make_thread
from tests.community.helpers import make_member
from tests.community.mail_helpers import (
    member_with_mode,
    notifications_by_hand,
    notify,
    run_scheduled,
    scheduled_count,
)
from tests.jobs.conftest import SMTPServer, allow_smtp_to
from tests.jobs.helpers import parse

# Each test makes its notifications itself (the fan-out stays out; see mail_helpers).
pytestmark = pytest.mark.usefixtures(notifications_by_hand.__name__)

# Tomorrow 10:00 UTC: Huey's in-memory schedule (the tests' immediate mode) runs a job whose
# eta has passed by the real clock at once, so the frozen app clock must stand ahead of it.
T0 = (datetime.now(UTC) + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
DELAY = timedelta(minutes=10)
Outbox = Callable[[], list[EmailMessage]]
K = NotificationKind


def emailed(notification: Notification) -> bool:
    db.session.expire_all()
    row = db.session.get(Notification, notification.id)
    assert row is not None
    return row.emailed_at is not None


def ids(message: EmailMessage, header: str) -> list[str]:
    return str(message[header] or "").split()


def post_id_of(post: Post) -> str:
    return message_id(post_message_key(post.id))


def test_a_reply_is_mailed_after_the_delay_threaded_under_its_parent(
    app: Flask, outbox: Outbox
) -> None:
    clock = freeze(app, T0)
    anna = make_member(name="Anna de Vries")
    bram = member_with_mode(EmailMode.IMMEDIATE, name="Bram Visser", email="bram@example.org")
    thread = make_thread(anna, title="Taalcafés in de wijk")
    first = db.session.scalars(db.select(Post).where(Post.thread_id == thread.id)).one()
    second = reply(bram, thread.id, "Wij hebben er een in **Noord**: https://noord.example/taal")
    third = reply(anna, thread.id, "Hoe vaak komt het samen?", reply_to_number=2)
    notification = notify(bram, K.REPLY, third, anna)

    assert scheduled_count(app) == 1
    assert run_scheduled(app, T0 + DELAY - timedelta(seconds=1)) == 0
    assert outbox() == [] and not emailed(notification)
    clock.advance(minutes=10)
    assert run_scheduled(app, clock.now) == 1

    [mail] = outbox()
    assert mail["To"] == "bram@example.org"
    assert mail["Subject"] == "Re: [KIS-community] Taalcafés in de wijk"
    assert mail["Message-ID"] == post_id_of(third)
    assert mail["In-Reply-To"] == post_id_of(second)
    assert ids(mail, "References") == [post_id_of(first), post_id_of(second)]
    assert mail["List-Unsubscribe"].startswith("<https://kis.example/community/afmelden/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = mail.get_content()
    assert 'Anna de Vries reageerde op uw bericht in "Taalcafés in de wijk"' in body
    assert "Hoe vaak komt het samen?" in body
    assert f"https://kis.example/community/bericht/{third.id}" in body
    assert "https://kis.example/community/afmelden/onderwerp/" in body
    assert "https://kis.example/community/instellingen" in body
    assert emailed(notification)


def test_the_delay_is_configurable(app: Flask, outbox: Outbox) -> None:
    app.config["COMMUNITY_MAIL_DELAY_MINUTES"] = 3
    freeze(app, T0)
    anna, bram = make_member(), member_with_mode(EmailMode.IMMEDIATE)
    thread = make_thread(anna)
    notify(bram, K.MENTION, reply(anna, thread.id, "Wat vind jij, Bram?"), anna)
    assert run_scheduled(app, T0 + timedelta(minutes=2, seconds=59)) == 0
    assert run_scheduled(app, T0 + timedelta(minutes=3)) == 1
    assert len(outbox()) == 1


# What each e-mail mode gets by mail, one by one (digests are tested in test_digest.py).
MAILED = {
    EmailMode.IMMEDIATE: {K.REPLY, K.MENTION, K.ANSWER_ACCEPTED, K.MODERATION},
    EmailMode.DAILY: {K.MODERATION},
    EmailMode.WEEKLY: {K.MODERATION},
    EmailMode.NEVER: set(),
}


@pytest.mark.parametrize("mode", list(EmailMode))
def test_each_email_mode_gets_the_kinds_it_chose(
    app: Flask, outbox: Outbox, mode: EmailMode
) -> None:
    freeze(app, T0)
    anna, bram = make_member(name="Anna"), member_with_mode(mode, name="Bram")
    thread = make_thread(anna, question=True)
    own = make_thread(bram, title="Bram vraagt", question=True)  # about his own posts
    notifications = {}
    for kind in NotificationKind:
        # A post of its own per kind: a reply that also mentions is one mail (tested below).
        if kind in (K.ANSWER_ACCEPTED, K.MODERATION):
            post = reply(bram, own.id, f"Over {kind}")
        else:
            post = reply(anna, thread.id, f"Over {kind}")
        notifications[kind] = notify(bram, kind, post, anna)
    run_scheduled(app, T0 + DELAY)
    assert {kind for kind, n in notifications.items() if emailed(n)} == MAILED[mode]
    assert len(outbox()) == len(MAILED[mode])
    if mode is not EmailMode.NEVER:
        assert scheduled_count(app) == 0
    subjects = {m["Subject"] for m in outbox()}
    if K.MODERATION in MAILED[mode]:
        assert "Bericht van de moderatoren van de KIS-community" in subjects


def test_no_job_is_planned_for_what_is_never_mailed(app: Flask) -> None:
    freeze(app, T0)
    anna, bram = make_member(), member_with_mode(EmailMode.WEEKLY)
    thread = make_thread(anna)
    notify(
        bram, K.WATCHED_POST, reply(anna, thread.id, "Volgers horen het in het overzicht."), anna
    )
    notify(bram, K.REPLY, reply(anna, thread.id, "Wekelijks: niet een voor een."), anna)
    assert scheduled_count(app) == 0


def test_skipped_when_read_or_no_longer_wanted_meanwhile(app: Flask, outbox: Outbox) -> None:
    freeze(app, T0)
    anna = make_member()
    thread = make_thread(anna, posts=1)
    other = make_thread(anna, title="Een ander onderwerp")
    people = [member_with_mode(EmailMode.IMMEDIATE) for _ in range(7)]
    posts = [reply(anna, thread.id, f"Bericht {n}") for n in range(6)]
    read, changed, suspended, stopped, hidden, deleted, kept = (
        notify(person, K.MENTION, post, anna)
        for person, post in zip(people, [*posts, reply(anna, other.id, "Blijft")], strict=True)
    )
    with write_transaction() as session:
        session.get(Notification, read.id).read_at = T0 + timedelta(minutes=2)  # type: ignore[union-attr]
        session.get(Member, suspended.user_id).status = MemberStatus.SUSPENDED  # type: ignore[union-attr]
        session.get(Post, hidden.post_id).hidden_at = T0  # type: ignore[union-attr]
    set_email_mode(changed.user_id, EmailMode.WEEKLY)
    set_thread_mail(stopped.user_id, thread.id, stopped=True)
    delete_post(anna, posts[5].id)

    assert run_scheduled(app, T0 + DELAY) == 7
    assert [emailed(n) for n in (read, changed, suspended, stopped, hidden, deleted)] == [False] * 6
    assert emailed(kept)
    [mail] = outbox()
    assert mail["To"] == people[6].email


def test_skipped_when_the_member_read_the_post_in_its_thread(app: Flask, outbox: Outbox) -> None:
    """Reading the thread past the post counts as reading the notification (a chosen answer,
    being one's own post, is always read: it still comes)."""
    freeze(app, T0)
    anna, bram = make_member(), member_with_mode(EmailMode.IMMEDIATE)
    thread = make_thread(anna, question=True)
    mine = reply(bram, thread.id, "Mijn antwoord.")
    read, unread = (reply(anna, thread.id, f"Vraag {n} aan @bram.") for n in (1, 2))
    notifications = [notify(bram, K.MENTION, post, anna) for post in (read, unread)]
    notifications.append(notify(bram, K.ANSWER_ACCEPTED, mine, anna))
    record_read(bram.id, thread.id, read.number)
    run_scheduled(app, T0 + DELAY)
    assert [emailed(n) for n in notifications] == [False, True, True]


def test_a_post_that_replies_and_mentions_is_one_mail_and_a_rerun_mails_nothing(
    app: Flask, outbox: Outbox
) -> None:
    freeze(app, T0)
    anna, bram = make_member(), member_with_mode(EmailMode.IMMEDIATE)
    thread = make_thread(anna)
    reply(bram, thread.id, "Mijn bericht.")
    post = reply(anna, thread.id, "Eens, @bram!", reply_to_number=2)
    as_reply, as_mention = notify(bram, K.REPLY, post, anna), notify(bram, K.MENTION, post, anna)
    assert run_scheduled(app, T0 + DELAY) == 2
    assert emailed(as_reply) and emailed(as_mention)
    assert len(outbox()) == 1
    # A retried job (the worker died after queueing, before it recorded) mails nothing new.
    with write_transaction() as session:
        session.get(Notification, as_reply.id).emailed_at = None  # type: ignore[union-attr]
    send_notification_mail(as_reply.id)
    assert len(outbox()) == 1


def conversations(messages: list[EmailMessage]) -> dict[str, list[str]]:
    """A tiny JWZ threading: messages are one conversation when their References (or their
    own Message-ID, for a thread's start) begin with the same root Message-ID."""
    found: dict[str, list[str]] = defaultdict(list)
    for message in messages:
        chain = ids(message, "References") or [str(message["Message-ID"])]
        if message["In-Reply-To"]:
            assert message["In-Reply-To"] == chain[-1]  # the parent closes the chain
        found[chain[0]].append(str(message["Message-ID"]))
    return dict(found)


def test_five_notifications_of_a_thread_group_as_one_conversation(
    app: Flask, outbox: Outbox, tmp_path: Path
) -> None:
    freeze(app, T0)
    anna, chris = make_member(name="Anna"), make_member(name="Chris")
    bram = member_with_mode(EmailMode.IMMEDIATE, name="Bram")
    thread = make_thread(anna, title="Inburgering en werk")
    first = db.session.scalars(db.select(Post).where(Post.thread_id == thread.id)).one()
    elsewhere = make_thread(chris, title="Een ander gesprek")
    reply(bram, elsewhere.id, "Ik doe mee.")
    notify(bram, K.REPLY, reply(chris, elsewhere.id, "Welkom!", reply_to_number=2), chris)
    second = reply(bram, thread.id, "Wie heeft ervaring?")
    posts = [
        reply(anna, thread.id, "Ik, @bram.", reply_to_number=2),  # 3 -> 2
        reply(chris, thread.id, "Ik ook, @bram.", reply_to_number=3),  # 4 -> 3 -> 2
        reply(anna, thread.id, "Zie de handreiking, @bram."),  # 5 -> 1
        reply(chris, thread.id, "Aanvulling, @bram.", reply_to_number=4),  # 6 -> 4 -> 3 -> 2
        reply(anna, thread.id, "Tot slot, @bram.", reply_to_number=5),  # 7 -> 5
    ]
    for post in posts:
        notify(bram, K.MENTION, post, anna)
    run_scheduled(app, T0 + DELAY)

    # Through Python's mailbox: written to an mbox and read back as a mail client would.
    box = mailbox.mbox(tmp_path / "bram.mbox")
    for message in outbox():
        box.add(message)
    box.close()
    box = mailbox.mbox(tmp_path / "bram.mbox")
    read_back = list(box)
    box.close()
    assert len(read_back) == 6
    grouped = conversations(read_back)  # type: ignore[arg-type]
    assert sorted(len(group) for group in grouped.values()) == [1, 5]
    assert sorted(grouped[post_id_of(first)]) == sorted(post_id_of(p) for p in posts)
    by_id = {str(m["Message-ID"]): m for m in read_back}
    sixth = by_id[post_id_of(posts[3])]
    numbers = {post_id_of(p): p.number for p in (first, second, *posts)}
    assert [numbers[i] for i in ids(sixth, "References")] == [1, 2, 3, 4]
    assert numbers[sixth["In-Reply-To"]] == 4
    assert len({m["Subject"].removeprefix("Re: ") for m in read_back}) == 2


def test_the_message_id_of_a_post_is_the_same_for_every_recipient(
    app: Flask, outbox: Outbox
) -> None:
    freeze(app, T0)
    anna = make_member()
    readers: list[User] = [member_with_mode(EmailMode.IMMEDIATE) for _ in range(2)]
    thread = make_thread(anna)
    post = reply(anna, thread.id, "Beste @allen.")
    for reader in readers:
        notify(reader, K.MENTION, post, anna)
    run_scheduled(app, T0 + DELAY)
    messages = outbox()
    assert sorted(m["To"] for m in messages) == sorted(r.email for r in readers)
    assert {m["Message-ID"] for m in messages} == {post_id_of(post)}
    # The links in them are personal: each stops that reader's mail only.
    assert len({m["List-Unsubscribe"] for m in messages}) == 2


@pytest.fixture
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[SMTPServer]:
    """A real SMTP server on loopback; this test's process may send to it and nowhere else."""
    server = SMTPServer()
    allow_smtp_to(monkeypatch, server.port)
    yield server
    server.stop()


def test_mail_as_delivered_by_smtp_threads_and_unsubscribes_in_one_click(
    app: Flask, smtp_server: SMTPServer
) -> None:
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_USE_TLS=False)
    freeze(app, T0)
    anna = make_member(name="Anna de Vries")
    bram = member_with_mode(EmailMode.IMMEDIATE, name="Bram", email="bram@example.org")
    thread = make_thread(anna, title="Werk en inburgering")
    first = db.session.scalars(db.select(Post).where(Post.thread_id == thread.id)).one()
    answer = reply(anna, thread.id, "Een vraag aan @bram: hoe pakt u het aan?")
    notify(bram, K.MENTION, answer, anna)
    run_scheduled(app, T0 + DELAY)

    [raw] = smtp_server.handler.accepted
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    message = parse(raw)
    assert message["To"] == "bram@example.org"
    assert message["Message-ID"] == post_id_of(answer)
    assert message["In-Reply-To"] == post_id_of(first)
    assert ids(message, "References") == [post_id_of(first)]
    # RFC 8058 as mail programs read it: the URL on one line, the one-click marker.
    unsubscribe = re.search(r"\r\nList-Unsubscribe: <(https://[^>\s]+)>\r\n", head)
    assert unsubscribe is not None, head
    assert "\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in head
    assert "Auto-Submitted: auto-generated" in head

    # What a mail program does with it: a POST without cookie, session or CSRF token.
    app.config["WTF_CSRF_ENABLED"] = True
    path = unsubscribe.group(1).removeprefix("https://kis.example")
    response = app.test_client().post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Member, bram.id).email_mode is EmailMode.NEVER  # type: ignore[union-attr]

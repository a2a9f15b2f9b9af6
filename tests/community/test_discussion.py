"""Posting through the service: numbering, counters, checks, edits with revisions, soft
deletes, mentions, link limits and the accepted answer of a question."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from kispub.accounts.models import Role
from kispub.community.models import (
    MemberStatus,
    Mention,
    PostRevision,
    ThemeActivity,
    Thread,
)
from kispub.community.services.posting import (
    NewThread,
    PostingError,
    accept_answer,
    delete_post,
    edit_post,
    reply,
    start_thread,
)
from kispub.extensions import db
from tests.clock import freeze
from tests.community.discussion_helpers import make_thread, post_numbered, theme
from tests.community.helpers import make_member, make_person, membership

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def stored_thread(thread_id: int) -> Thread:
    db.session.expire_all()
    thread = db.session.get(Thread, thread_id)
    assert thread is not None
    return thread


def activity(theme_id: int) -> ThemeActivity:
    db.session.expire_all()
    row = db.session.get(ThemeActivity, theme_id)
    assert row is not None
    return row


def test_posts_are_numbered_and_thread_and_theme_counters_follow(app: Flask) -> None:
    fatima, joost = make_member(name="Fatima El Amrani"), make_member(name="Joost de Vries")
    thread = make_thread(fatima)
    second = reply(joost, thread.id, "Wij doen dat in **Utrecht**.")
    third = reply(fatima, thread.id, "Dank!", reply_to_number=2)

    stored = stored_thread(thread.id)
    assert [second.number, third.number] == [2, 3]
    assert (stored.post_count, stored.last_poster_id, stored.last_post_at) == (
        3,
        fatima.id,
        third.created_at,
    )
    assert third.reply_to_number == 2
    counters = activity(thread.theme_id)
    assert (counters.thread_count, counters.post_count) == (1, 3)
    assert (counters.last_thread_id, counters.last_post_at) == (thread.id, third.created_at)
    assert "<strong>Utrecht</strong>" in second.html


def test_the_theme_remembers_its_latest_thread_and_dated_content_never_moves_it_back(
    app: Flask,
) -> None:
    clock = freeze(app, NOW)
    author = make_member()
    first = make_thread(author, title="Eerste onderwerp")
    clock.advance(hours=1)
    second = make_thread(author, title="Tweede onderwerp")
    # A content file adds an old thread and an old reply afterwards.
    old = make_thread(author, title="Uit het archief", at=NOW - timedelta(days=30))
    reply(author, first.id, "Een late oude reactie.", at=NOW - timedelta(days=29))

    counters = activity(second.theme_id)
    assert (counters.thread_count, counters.post_count) == (3, 4)
    assert (counters.last_thread_id, counters.last_post_at) == (second.id, NOW + timedelta(hours=1))
    assert stored_thread(first.id).last_post_at == NOW  # the older reply did not move it back
    assert stored_thread(old.id).created_at == NOW - timedelta(days=30)


@pytest.mark.parametrize(
    ("title", "body", "field"),
    [
        ("Een goede titel", "", "body"),
        ("Een goede titel", "   \n\t ", "body"),
        ("Een goede titel", "x" * 20_001, "body"),
        ("", "Een tekst", "title"),
        ("ab", "Een tekst", "title"),
        ("x" * 151, "Een tekst", "title"),
    ],
)
def test_empty_or_overlong_posts_and_titles_are_refused(
    app: Flask, title: str, body: str, field: str
) -> None:
    author = make_member()
    with pytest.raises(PostingError) as refused:
        start_thread(author, NewThread(theme().id, title, body))
    assert refused.value.field == field
    assert db.session.scalars(select(Thread)).all() == []


def test_only_approved_members_post(app: Flask) -> None:
    thread = make_thread(make_member())
    for status in (MemberStatus.PENDING, MemberStatus.SUSPENDED, MemberStatus.DECLINED):
        person = make_person(status, n=status.value)
        with pytest.raises(PostingError):
            reply(person, thread.id, "Mag ik ook?")
    assert stored_thread(thread.id).post_count == 1


def test_a_reply_to_a_post_that_does_not_exist_is_refused(app: Flask) -> None:
    author = make_member()
    thread = make_thread(author, posts=2)
    with pytest.raises(PostingError):
        reply(author, thread.id, "Hallo", reply_to_number=3)
    with pytest.raises(PostingError):
        reply(author, thread.id + 1000, "Hallo")


def test_editing_keeps_the_earlier_text_as_a_revision(app: Flask) -> None:
    clock = freeze(app, NOW)
    author = make_member()
    thread = make_thread(author)
    first = post_numbered(thread.id, 1)
    clock.advance(minutes=5)
    edit_post(author, first.id, "Nieuwe *tekst*.")
    clock.advance(minutes=5)
    edit_post(author, first.id, "Derde tekst.", title="Taalcafés in de hele stad")

    post = post_numbered(thread.id, 1)
    assert (post.body, post.edited_at) == ("Derde tekst.", NOW + timedelta(minutes=10))
    assert "Derde tekst." in post.html
    revisions = db.session.scalars(
        select(PostRevision).where(PostRevision.post_id == post.id).order_by(PostRevision.id)
    ).all()
    assert [(r.body, r.created_at, r.replaced_at) for r in revisions] == [
        ("Wie heeft ervaring met taalcafés?", NOW, NOW + timedelta(minutes=5)),
        ("Nieuwe *tekst*.", NOW + timedelta(minutes=5), NOW + timedelta(minutes=10)),
    ]
    assert stored_thread(thread.id).title == "Taalcafés in de hele stad"


def test_members_edit_only_their_own_posts_and_moderators_any(app: Flask) -> None:
    author, other = make_member(), make_member()
    moderator = make_member(role=Role.MODERATOR)
    post = post_numbered(make_thread(author).id, 1)
    with pytest.raises(PostingError):
        edit_post(other, post.id, "Overgenomen!")
    with pytest.raises(PostingError, match="reden"):  # a moderator says why (moderation log)
        edit_post(moderator, post.id, "Persoonsgegevens verwijderd door de moderator.")
    edit_post(moderator, post.id, "Persoonsgegevens verwijderd.", reason="Privacy")
    assert post_numbered(post.thread_id, 1).body.startswith("Persoonsgegevens")


def test_deleting_is_soft_keeps_the_number_and_the_counters(app: Flask) -> None:
    author, other = make_member(), make_member()
    thread = make_thread(author, posts=3)
    second = post_numbered(thread.id, 2)
    with pytest.raises(PostingError):
        delete_post(other, second.id)
    delete_post(author, second.id)
    delete_post(author, second.id)  # a second click changes nothing

    gone = post_numbered(thread.id, 2)
    assert gone.deleted_at is not None and not gone.is_visible
    assert stored_thread(thread.id).post_count == 3
    assert activity(thread.theme_id).post_count == 3
    with pytest.raises(PostingError):
        edit_post(author, gone.id, "Toch weer terug")
    assert reply(author, thread.id, "Nog een").number == 4


def test_mentions_link_approved_members_by_handle_whatever_the_case(app: Flask) -> None:
    author = make_member()
    fatima = make_member(name="Fatima El Amrani")
    pending = make_person(MemberStatus.PENDING, name="Nog Niet")
    handle, pending_handle = membership(fatima).handle, membership(pending).handle
    body = (
        f"Vraag het @{handle.upper()} of @onbekend-lid, niet @{pending_handle}. "
        f"Mail fatima@{handle}.nl. In code: `@{handle}`."
    )
    post = reply(author, make_thread(author).id, body)

    link = f'<a href="/community/leden/{handle}" rel="noopener noreferrer nofollow">'
    assert f"{link}@{handle.upper()}</a>" in post.html
    assert "@onbekend-lid" in post.html and "/community/leden/onbekend-lid" not in post.html
    assert f"/community/leden/{pending_handle}" not in post.html
    assert f"<code>@{handle}</code>" in post.html
    assert post.html.count("<a ") == 1
    assert mentioned(post.id) == {fatima.id}


def test_an_edit_resolves_the_mentions_again(app: Flask) -> None:
    author, first, second = make_member(), make_member(), make_member()
    post = reply(author, make_thread(author).id, f"Hoi @{membership(first).handle}")
    edit_post(author, post.id, f"Hoi @{membership(second).handle}")
    assert mentioned(post.id) == {second.id}


def mentioned(post_id: int) -> set[int]:
    db.session.expire_all()
    return set(db.session.scalars(select(Mention.user_id).where(Mention.post_id == post_id)))


def test_images_from_other_sites_are_never_shown(app: Flask) -> None:
    clock = freeze(app, NOW)
    author = make_member()
    clock.advance(days=8)  # past the first week's link limit
    body = (
        "![x](https://tracker.example/p.gif)\n\n<img src='https://tracker.example/q.gif'>\n\n"
        "[![y](https://tracker.example/r.gif)](https://example.org)"
    )
    post = reply(author, make_thread(author).id, body)
    assert "<img" not in post.html
    assert "https://tracker.example/p.gif" not in post.html
    assert "https://tracker.example/r.gif" not in post.html
    assert "&lt;img src='https://tracker.example/q.gif'&gt;" in post.html  # text, not an image
    # The image link keeps a name: where it leads.
    assert 'nofollow">https://example.org</a>' in post.html


def test_a_new_member_may_post_few_links_in_the_first_week(app: Flask) -> None:
    clock = freeze(app, NOW)
    newcomer = make_member()
    thread = make_thread(make_member())
    links = "Zie https://a.example, www.b.example en [c](http://c.example)."
    with pytest.raises(PostingError, match=r"eerste 7 dagen.*hoogstens 2 links.*er 3"):
        reply(newcomer, thread.id, links)
    reply(newcomer, thread.id, "Zie https://a.example en www.b.example.")
    reply(newcomer, thread.id, links, limits=False)  # the content loader's dated content
    clock.advance(days=7)
    reply(newcomer, thread.id, links)
    with pytest.raises(PostingError, match="hoogstens 20 links"):
        reply(newcomer, thread.id, " ".join(f"https://{n}.example" for n in range(21)))
    assert stored_thread(thread.id).post_count == 4


def test_moderators_are_not_held_to_the_first_week(app: Flask) -> None:
    moderator = make_member(role=Role.MODERATOR)
    thread = make_thread(moderator, title="Handige links")
    reply(moderator, thread.id, " ".join(f"https://{n}.example" for n in range(5)))


def test_the_first_week_counts_for_edits_too(app: Flask) -> None:
    newcomer = make_member()
    post = reply(newcomer, make_thread(make_member()).id, "Zonder links")
    with pytest.raises(PostingError):
        edit_post(newcomer, post.id, "https://a.example https://b.example https://c.example")


def test_the_asker_or_a_moderator_accepts_an_answer(app: Flask) -> None:
    asker, helper, other = make_member(), make_member(), make_member()
    moderator = make_member(role=Role.MODERATOR)
    thread = make_thread(asker, posts=4, repliers=[helper], question=True)

    with pytest.raises(PostingError):
        accept_answer(other, thread.id, 2)
    with pytest.raises(PostingError):
        accept_answer(helper, thread.id, 2)  # writing an answer gives no say over the question
    with pytest.raises(PostingError):
        accept_answer(asker, thread.id, 1)  # the question itself
    with pytest.raises(PostingError):
        accept_answer(asker, thread.id, 5)
    assert accept_answer(asker, thread.id, 2).accepted_number == 2
    assert accept_answer(moderator, thread.id, 3).accepted_number == 3
    assert accept_answer(asker, thread.id, None).accepted_number is None


def test_a_deleted_post_cannot_be_the_answer_and_deleting_the_answer_unmarks_it(
    app: Flask,
) -> None:
    asker, helper = make_member(), make_member()
    thread = make_thread(asker, posts=3, repliers=[helper], question=True)
    accept_answer(asker, thread.id, 3)
    delete_post(post_numbered(thread.id, 3).author, post_numbered(thread.id, 3).id)
    assert stored_thread(thread.id).accepted_number is None
    with pytest.raises(PostingError):
        accept_answer(asker, thread.id, 3)


def test_only_questions_have_answers(app: Flask) -> None:
    asker = make_member()
    thread = make_thread(asker, posts=2)
    with pytest.raises(PostingError):
        accept_answer(asker, thread.id, 2)

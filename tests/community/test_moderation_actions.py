"""Moderators pin, lock, move, hide and restore threads and posts, and edit with a reason.

Every action needs a reason, writes one log entry in its own transaction and tells the
author; the pages show what changed (pinned first, a locked thread's reply form says why).
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from kispub.community.models import ModerationAction, PostRevision
from kispub.community.services.moderating import (
    PostAction,
    ThreadAction,
    move_thread,
    post_action,
    thread_action,
)
from kispub.community.services.modlog import ModerationError
from kispub.community.services.posting import PostingError, edit_post, reply
from kispub.extensions import db
from tests.community.discussion_helpers import client_for, make_thread, post_numbered, theme
from tests.community.helpers import make_member
from tests.community.moderation_helpers import (
    Told,
    activity,
    entries,
    indexed,
    moderator,
    stored_thread,
    told,
)
from tests.factories import make_theme
from tests.queries import count_queries

__all__ = ["told"]


def test_every_thread_action_is_logged_with_its_reason_and_told(app: Flask, told: Told) -> None:
    author = make_member()
    thread = make_thread(author)
    mod = moderator(name="Mo Derator")
    with pytest.raises(ModerationError, match="reden"):
        thread_action(mod, thread.id, ThreadAction.PIN, "")
    steps = [
        (ThreadAction.PIN, ModerationAction.THREAD_PINNED),
        (ThreadAction.LOCK, ModerationAction.THREAD_LOCKED),
        (ThreadAction.UNLOCK, ModerationAction.THREAD_UNLOCKED),
        (ThreadAction.UNPIN, ModerationAction.THREAD_UNPINNED),
        (ThreadAction.HIDE, ModerationAction.THREAD_HIDDEN),
        (ThreadAction.RESTORE, ModerationAction.THREAD_RESTORED),
    ]
    for step, _logged in steps:
        thread_action(mod, thread.id, step, f"Reden voor {step.value}")
    with pytest.raises(ModerationError, match="al zo"):
        thread_action(mod, thread.id, ThreadAction.RESTORE, "Nog eens")
    logged = entries()
    assert [e.action for e in logged] == [action for _step, action in steps]
    assert all(
        (e.actor_id, e.actor_name, e.target_kind.value, e.target_id, e.subject_id)
        == (mod.id, "Mo Derator", "thread", thread.id, author.id)
        for e in logged
    )
    assert [e.reason for e in logged] == [f"Reden voor {step.value}" for step, _ in steps]
    assert len(told.to(author.id)) == len(steps)
    assert "vastgezet" in told.to(author.id)[0] and "Reden voor vastzetten" in told.to(author.id)[0]


def test_pinned_threads_come_first_and_the_page_costs_the_same(app: Flask) -> None:
    author, reader = make_member(), make_member()
    chosen = theme()
    old = make_thread(author, in_theme=chosen, title="Huisregels van de community")
    for n in range(3):
        make_thread(author, in_theme=chosen, title=f"Gewoon onderwerp {n}")
    client = client_for(app, reader)
    url = f"/community/thema/{chosen.slug}"
    with count_queries() as before:
        page = client.get(url).text
    assert page.index("Gewoon onderwerp 2") < page.index("Huisregels")  # latest first
    thread_action(moderator(), old.id, ThreadAction.PIN, "Iedereen moet dit lezen")
    with count_queries() as after:
        page = client.get(url).text
    assert page.index("Huisregels") < page.index("Gewoon onderwerp 2")
    assert "vastgezet" in page
    assert len(after) == len(before)


def test_a_locked_thread_takes_replies_from_moderators_only_and_says_why(
    app: Flask,
) -> None:
    author = make_member()
    thread = make_thread(author)
    mod = moderator()
    thread_action(mod, thread.id, ThreadAction.LOCK, "De discussie is afgerond")
    with pytest.raises(PostingError, match="De discussie is afgerond"):
        reply(author, thread.id, "Nog één ding")
    reply(mod, thread.id, "Een laatste woord van de moderator")
    assert stored_thread(thread.id).post_count == 2

    page = client_for(app, author).get(f"/community/onderwerp/{thread.id}").text
    assert "gesloten door een moderator: De discussie is afgerond" in page
    assert "Plaats reactie" not in page
    refused = client_for(app, author).post(
        f"/community/onderwerp/{thread.id}/reageren", data={"body": "Toch", "nonce": "n" * 24}
    )
    assert refused.status_code == 400 and "De discussie is afgerond" in refused.text
    moderator_page = client_for(app, mod).get(f"/community/onderwerp/{thread.id}").text
    assert "als moderator kunt u toch reageren" in moderator_page
    assert "Plaats reactie" in moderator_page


def test_moving_a_thread_keeps_both_themes_counters_exact(app: Flask) -> None:
    author = make_member()
    source, target = make_theme("Onderwijs"), make_theme("Werk en inkomen")
    moving = make_thread(author, posts=4, in_theme=source, title="Stages voor nieuwkomers")
    staying = make_thread(author, posts=2, in_theme=source, title="Blijft hier")
    there = make_thread(author, posts=1, in_theme=target, title="Al in werk")
    moving = reply(author, moving.id, "Het nieuwste bericht").thread
    assert activity(source.id).last_thread_id == moving.id

    thread_action(moderator(), moving.id, ThreadAction.LOCK, "Eerst sluiten")
    with pytest.raises(ModerationError, match="al in dit thema"):
        move_thread(moderator(), moving.id, source.id, "Nergens heen")
    move_thread(moderator(), moving.id, target.id, "Gaat over werk")

    src, dst = activity(source.id), activity(target.id)
    assert (src.thread_count, src.post_count) == (1, 2)
    assert (dst.thread_count, dst.post_count) == (2, 6)
    assert (
        src.last_thread_id == staying.id
        and src.last_post_at == stored_thread(staying.id).last_post_at
    )
    assert dst.last_thread_id == moving.id and there.id != moving.id
    assert stored_thread(moving.id).theme_id == target.id
    [entry] = entries(ModerationAction.THREAD_MOVED)
    assert "Van Onderwijs naar Werk en inkomen" in entry.reason and "Gaat over werk" in entry.reason


def test_hiding_and_restoring_posts_and_threads_keeps_the_index_in_step(
    app: Flask, told: Told
) -> None:
    author, reader = make_member(), make_member()
    thread = make_thread(author, posts=3)
    second = post_numbered(thread.id, 2)
    mod = moderator()
    post_action(mod, second.id, PostAction.HIDE, "Persoonsgegevens")
    assert post_numbered(thread.id, 2).hidden_at is not None and not indexed(second.id)
    page = client_for(app, reader).get(f"/community/onderwerp/{thread.id}").text
    assert "Verborgen door een moderator." in page and "Reactie nummer 2." not in page
    post_action(mod, second.id, PostAction.RESTORE, "Aangepast door de schrijver")
    assert post_numbered(thread.id, 2).hidden_at is None and indexed(second.id)

    thread_action(mod, thread.id, ThreadAction.HIDE, "Dubbel onderwerp")
    assert not any(indexed(post_numbered(thread.id, n).id) for n in (1, 2, 3))
    assert client_for(app, reader).get(f"/community/onderwerp/{thread.id}").status_code == 404
    thread_action(mod, thread.id, ThreadAction.RESTORE, "Toch niet dubbel")
    assert all(indexed(post_numbered(thread.id, n).id) for n in (1, 2, 3))
    assert [e.action for e in entries()] == [
        ModerationAction.POST_HIDDEN,
        ModerationAction.POST_RESTORED,
        ModerationAction.THREAD_HIDDEN,
        ModerationAction.THREAD_RESTORED,
    ]
    assert entries()[0].target_label == "Bericht 2 in “Taalcafés in de wijk”"
    assert len(told.to(author.id)) == 4


def test_a_moderator_edits_with_a_reason_the_revision_records(app: Flask, told: Told) -> None:
    author = make_member()
    post = post_numbered(make_thread(author).id, 1)
    mod = moderator()
    edit_post(mod, post.id, "Zonder telefoonnummer.", reason="Telefoonnummer weggehaald")
    edit_post(author, post.id, "Zonder telefoonnummer, met dank.")  # the author needs none
    revisions = db.session.scalars(
        select(PostRevision).where(PostRevision.post_id == post.id).order_by(PostRevision.id)
    ).all()
    assert [(r.edited_by_id, r.edit_reason) for r in revisions] == [
        (mod.id, "Telefoonnummer weggehaald"),
        (author.id, ""),
    ]
    [entry] = entries()
    assert (entry.action, entry.actor_id, entry.subject_id, entry.reason) == (
        ModerationAction.POST_EDITED, mod.id, author.id, "Telefoonnummer weggehaald",
    )  # fmt: skip
    assert len(told.to(author.id)) == 1
    page = client_for(app, author).get(f"/community/bericht/{post.id}/versies").text
    assert "Vervangen door een moderator. Reden: Telefoonnummer weggehaald" in page


def test_the_edit_page_asks_a_moderator_for_the_reason(app: Flask) -> None:
    post = post_numbered(make_thread(make_member()).id, 1)
    mod = moderator()
    staff = client_for(app, mod)
    form = staff.get(f"/community/bericht/{post.id}/bewerken").text
    assert "Reden van de bewerking" in form
    url = f"/community/bericht/{post.id}/bewerken"
    refused = staff.post(url, data={"title": "Taalcafés", "body": "Nieuw"})
    assert refused.status_code == 200 and "Geef de reden van deze bewerking" in refused.text
    saved = staff.post(url, data={"title": "Taalcafés", "body": "Nieuw", "reason": "Spelling"})
    assert saved.status_code == 302
    assert post_numbered(post.thread_id, 1).body == "Nieuw"
    own = post_numbered(make_thread(mod, title="Eigen onderwerp").id, 1)
    assert "Reden van de bewerking" not in staff.get(f"/community/bericht/{own.id}/bewerken").text


def test_the_thread_and_post_pages_of_the_back_office(app: Flask) -> None:
    author = make_member()
    thread = make_thread(author, posts=2)
    second = post_numbered(thread.id, 2)
    staff = client_for(app, moderator())
    thread_page = staff.get(f"/community/onderwerp/{thread.id}").text
    assert f'href="/beheer/community/onderwerp/{thread.id}"' in thread_page
    assert f'href="/beheer/community/bericht/{second.id}">Modereer bericht 2<' in thread_page
    assert "Modereer" not in client_for(app, author).get(f"/community/onderwerp/{thread.id}").text

    base = f"/beheer/community/onderwerp/{thread.id}"
    page = staff.get(base).text
    assert "Zet vast" in page and "Sluit" in page and "Verplaats" not in page  # one theme only
    empty = staff.post(f"{base}/vastzetten", data={"pin-reason": ""})
    assert empty.status_code == 400 and "Dit veld is verplicht" in empty.text
    done = staff.post(f"{base}/sluiten", data={"lock-reason": "Afgerond"})
    assert done.status_code == 302
    assert stored_thread(thread.id).lock_reason == "Afgerond"
    assert "Heropen" in staff.get(base).text and "Onderwerp gesloten" in staff.get(base).text

    post_base = f"/beheer/community/bericht/{second.id}"
    assert (
        staff.post(f"{post_base}/verbergen", data={"post-reason": "Off-topic"}).status_code == 302
    )
    assert "Zet bericht 2 terug" in staff.get(post_base).text
    again = staff.post(f"{post_base}/verbergen", data={"post-reason": "Nog eens"})
    assert again.status_code == 302  # refused with a message, nothing written
    assert len(entries(ModerationAction.POST_HIDDEN)) == 1


def test_members_cannot_moderate(app: Flask) -> None:
    thread = make_thread(make_member(), posts=2)
    second = post_numbered(thread.id, 2)
    member = client_for(app, make_member())
    for url, data in [
        (f"/beheer/community/onderwerp/{thread.id}/vastzetten", {"pin-reason": "x"}),
        (f"/beheer/community/onderwerp/{thread.id}/verplaatsen", {"move-reason": "x"}),
        (f"/beheer/community/bericht/{second.id}/verbergen", {"post-reason": "x"}),
    ]:
        assert member.post(url, data=data).status_code == 403, url
    assert member.get(f"/beheer/community/onderwerp/{thread.id}").status_code == 403
    with pytest.raises(ModerationError):
        thread_action(make_member(), thread.id, ThreadAction.PIN, "Ik wil bovenaan")
    assert entries() == [] and stored_thread(thread.id).pinned_at is None

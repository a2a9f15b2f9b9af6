"""Pre-moderation: a new member's first posts wait for a moderator, seen by their author only.

A held post takes its number when written; it is not counted (thread, theme), indexed or
shown to others until approved, and a rejected one leaves its number unused.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from kispub.community.models import ModerationAction
from kispub.community.services.modlog import ModerationError
from kispub.community.services.posting import NewThread, PostingError, reply, start_thread
from kispub.community.services.premoderation import approve_post, reject_post
from tests.community.discussion_helpers import client_for, make_thread, post_numbered, theme
from tests.community.helpers import make_member
from tests.community.moderation_helpers import (
    Told,
    activity,
    activity_or_none,
    entries,
    indexed,
    moderator,
    newcomer,
    stored_thread,
    told,
)

__all__ = ["told"]


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "COMMUNITY_PREMODERATE_FIRST_POSTS": 2, "COMMUNITY_POSTS_PER_PAGE": 3}


def test_a_new_members_reply_waits_and_keeps_its_number(app: Flask, told: Told) -> None:
    regular, reader = make_member(), make_member()
    thread = make_thread(regular, posts=2)
    counted = activity(thread.theme_id).post_count
    new = newcomer(name="Nieuw Lid")
    held = reply(new, thread.id, "Mijn eerste bericht")
    assert held.number == 3 and held.held_at is not None
    stored = stored_thread(thread.id)
    assert (stored.post_count, stored.last_poster_id) == (2, regular.id)  # readers see 2
    assert activity(thread.theme_id).post_count == counted and not indexed(held.id)

    later = reply(regular, thread.id, "Intussen verder")
    assert later.number == 4 and stored_thread(thread.id).post_count == 4

    others = client_for(app, reader).get(f"/community/onderwerp/{thread.id}?pagina=1").text
    assert "Mijn eerste bericht" not in others and "Bericht 3 van" not in others
    own = client_for(app, new).get(f"/community/onderwerp/{thread.id}").text
    assert "Mijn eerste bericht" in own and "wacht op goedkeuring" in own

    mod = moderator()
    approve_post(mod, held.id)
    assert post_numbered(thread.id, 3).held_at is None and indexed(held.id)
    assert activity(thread.theme_id).post_count == counted + 2
    assert stored_thread(thread.id).post_count == 4
    assert (
        "Mijn eerste bericht"
        in client_for(app, reader).get(f"/community/onderwerp/{thread.id}").text
    )
    [entry] = entries()
    assert (entry.action, entry.actor_id, entry.subject_id) == (
        ModerationAction.POST_APPROVED, mod.id, new.id,
    )  # fmt: skip
    assert "goedgekeurd" in told.to(new.id)[0]
    with pytest.raises(ModerationError, match="al beslist"):
        approve_post(mod, held.id)


def test_after_the_first_posts_are_approved_nothing_waits(app: Flask) -> None:
    thread = make_thread(make_member())
    new = newcomer()
    first, second = reply(new, thread.id, "Een"), reply(new, thread.id, "Twee")
    assert first.held_at is not None and second.held_at is not None
    mod = moderator()
    approve_post(mod, first.id)
    assert reply(new, thread.id, "Drie").held_at is not None  # one published: not yet two
    approve_post(mod, second.id)
    fourth = reply(new, thread.id, "Vier")
    assert fourth.held_at is None and fourth.number == 5 and indexed(fourth.id)


def test_a_held_post_past_the_last_page_is_on_a_page_of_its_own_for_its_author(
    app: Flask,
) -> None:
    thread = make_thread(make_member(), posts=3)  # one full page of three
    new = newcomer()
    held = reply(new, thread.id, "Op pagina twee")
    assert held.number == 4
    url = f"/community/onderwerp/{thread.id}?pagina=2"
    assert "Op pagina twee" in client_for(app, new).get(url).text
    assert client_for(app, make_member()).get(url).status_code == 404
    reader = client_for(app, make_member())
    listing = reader.get(f"/community/thema/{theme().slug}").text
    assert "2 reacties" in listing  # three posts, as before the held one


def test_a_rejected_post_stays_out_and_its_author_learns_why(app: Flask, told: Told) -> None:
    thread = make_thread(make_member())
    new = newcomer()
    held = reply(new, thread.id, "Koop horloges")
    mod = moderator()
    with pytest.raises(ModerationError, match="reden"):
        reject_post(mod, held.id, "")
    reject_post(mod, held.id, "Reclame")
    post = post_numbered(thread.id, 2)
    assert post.hidden_at is not None and post.held_at is not None and not indexed(post.id)
    own = client_for(app, new).get(f"/community/onderwerp/{thread.id}").text
    assert "Niet goedgekeurd door een moderator" in own and "Koop horloges" not in own
    assert "Reclame" in told.to(new.id)[0]
    [entry] = entries()
    assert (entry.action, entry.reason) == (ModerationAction.POST_REJECTED, "Reclame")
    assert reply(make_member(), thread.id, "Verder").number == 3  # the number stays used


def test_a_new_members_thread_waits_whole(app: Flask) -> None:
    chosen = theme()
    new, reader = newcomer(), make_member()
    thread = start_thread(new, NewThread(chosen.id, "Mijn vraag", "Hoe werkt dit?"))
    assert stored_thread(thread.id).held_at is not None
    assert activity_or_none(chosen.id) is None
    assert client_for(app, reader).get(f"/community/onderwerp/{thread.id}").status_code == 404
    assert "Mijn vraag" not in client_for(app, reader).get(f"/community/thema/{chosen.slug}").text
    listing = client_for(app, new).get(f"/community/thema/{chosen.slug}").text
    assert "Mijn vraag" in listing and "wacht op goedkeuring" in listing
    with pytest.raises(PostingError, match="wacht nog op goedkeuring"):
        reply(new, thread.id, "Nog iets")

    approve_post(moderator(), post_numbered(thread.id, 1).id)
    counters = activity(chosen.id)
    assert (counters.thread_count, counters.post_count, counters.last_thread_id) == (
        1, 1, thread.id,
    )  # fmt: skip
    assert stored_thread(thread.id).held_at is None
    assert "Mijn vraag" in client_for(app, reader).get(f"/community/thema/{chosen.slug}").text


def test_a_rejected_thread_is_hidden(app: Flask) -> None:
    chosen = theme()
    new = newcomer()
    thread = start_thread(new, NewThread(chosen.id, "Reclame", "Koop nu"))
    reject_post(moderator(), post_numbered(thread.id, 1).id, "Spam")
    assert stored_thread(thread.id).hidden_at is not None
    assert client_for(app, new).get(f"/community/onderwerp/{thread.id}").status_code == 404


def test_who_is_not_held(app: Flask) -> None:
    thread = make_thread(make_member())
    assert reply(make_member(), thread.id, "Door staf aangemaakt").held_at is None
    assert reply(newcomer(role="moderator"), thread.id, "Moderator").held_at is None
    app.config["COMMUNITY_PREMODERATE_FIRST_POSTS"] = 0  # read at every post: 0 is off
    assert reply(newcomer(), thread.id, "Uitgeschakeld").held_at is None


def test_the_queue_pages(app: Flask) -> None:
    thread = make_thread(make_member(), title="Inburgering")
    new = newcomer(name="Nieuw Lid")
    first, second = reply(new, thread.id, "Eerste tekst"), reply(new, thread.id, "Tweede tekst")
    staff = client_for(app, moderator())
    queue = staff.get("/beheer/community/ter-goedkeuring").text
    assert "Bericht 2 in “Inburgering” van Nieuw Lid" in queue
    assert f'href="/beheer/community/ter-goedkeuring/{second.id}"' in queue
    assert "Eerste tekst" in staff.get(f"/beheer/community/ter-goedkeuring/{first.id}").text
    base = "/beheer/community/ter-goedkeuring"
    approved = staff.post(f"{base}/{first.id}/goedkeuren", data={"approve-reason": ""})
    assert approved.status_code == 302
    refused = staff.post(f"{base}/{second.id}/afwijzen", data={"reject-reason": ""})
    assert refused.status_code == 400 and "Dit veld is verplicht" in refused.text
    rejected = staff.post(f"{base}/{second.id}/afwijzen", data={"reject-reason": "Dubbel"})
    assert rejected.status_code == 302
    assert "Er wachten geen berichten" in staff.get(base).text
    assert staff.get(f"{base}/{second.id}").status_code == 404  # decided: waits no longer
    member = client_for(app, make_member())
    assert member.get(base).status_code == 403

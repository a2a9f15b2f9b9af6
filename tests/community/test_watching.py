"""Watch levels: chosen per theme and per thread, inherited by threads, set automatically by
posting without ever overriding a choice; the forms on the thread and theme pages; muted
threads out of the unread counts."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import update

from kispub.community.models import Member, MemberStatus, Thread, WatchLevel, WatchReason
from kispub.community.services.posting import reply
from kispub.community.services.watching import (
    WatchError,
    set_theme_level,
    set_thread_level,
)
from kispub.community.watches import Source, thread_watch_state
from kispub.core.database import write_transaction
from kispub.extensions import db
from tests.community.discussion_helpers import client_for, make_thread, theme
from tests.community.helpers import make_member, make_person
from tests.community.notification_helpers import thread_watch
from tests.factories import make_theme

W, T, N, M = WatchLevel.WATCHING, WatchLevel.TRACKING, WatchLevel.NORMAL, WatchLevel.MUTED


def level_and_reason(user_id: int, thread_id: int) -> tuple[WatchLevel, Source, WatchReason | None]:
    db.session.expire_all()
    state = thread_watch_state(user_id, thread_id, "Participatie")
    return state.level, state.source, state.reason


def test_starting_a_thread_watches_it_and_posting_tracks_it(app: Flask) -> None:
    author, replier = make_member(), make_member()
    thread = make_thread(author)
    reply(replier, thread.id, "Ik doe mee.")
    reply(author, thread.id, "Welkom.")  # posting again does not lower Volgen to Meelezen
    assert level_and_reason(author.id, thread.id) == (W, Source.OWN, WatchReason.CREATED)
    assert level_and_reason(replier.id, thread.id) == (T, Source.OWN, WatchReason.POSTED)


@pytest.mark.parametrize("chosen", [W, T, N, M], ids=lambda level: level.value)
def test_an_automatic_level_never_overrides_a_chosen_one(app: Flask, chosen: WatchLevel) -> None:
    author, member = make_member(), make_member()
    thread = make_thread(author)
    set_thread_level(member, thread.id, chosen)
    reply(member, thread.id, "Toch iets gezegd.")
    assert level_and_reason(member.id, thread.id) == (chosen, Source.OWN, WatchReason.CHOSEN)


def test_posting_does_not_lower_what_the_theme_gives_but_lifts_a_muted_theme(app: Flask) -> None:
    author, follower, muter = make_member(), make_member(), make_member()
    thread = make_thread(author)
    set_theme_level(follower, thread.theme_id, W)
    set_theme_level(muter, thread.theme_id, M)
    reply(follower, thread.id, "Ik volg het hele thema.")
    reply(muter, thread.id, "Hier wil ik wel over meepraten.")
    assert thread_watch(follower, thread.id) is None  # Volgen through the theme stays
    assert level_and_reason(follower.id, thread.id) == (W, Source.THEME, None)
    assert level_and_reason(muter.id, thread.id) == (T, Source.OWN, WatchReason.POSTED)


def test_a_thread_inherits_the_theme_then_the_default(app: Flask) -> None:
    author, member = make_member(), make_member()
    thread = make_thread(author)
    assert level_and_reason(member.id, thread.id) == (N, Source.DEFAULT, None)
    set_theme_level(member, thread.theme_id, M)
    assert level_and_reason(member.id, thread.id) == (M, Source.THEME, None)
    set_thread_level(member, thread.id, T)
    assert level_and_reason(member.id, thread.id) == (T, Source.OWN, WatchReason.CHOSEN)


def test_only_approved_members_set_levels_on_threads_that_exist(app: Flask) -> None:
    author, pending = make_member(), make_person(MemberStatus.PENDING)
    thread = make_thread(author)
    with pytest.raises(WatchError):
        set_thread_level(pending, thread.id, W)
    with pytest.raises(WatchError):
        set_theme_level(pending, thread.theme_id, W)
    with write_transaction() as session:
        session.execute(update(Thread).values(hidden_at=db.func.now()))
    with pytest.raises(WatchError):
        set_thread_level(author, thread.id, W)


def watch_section(page: str) -> str:
    found = re.search(r'<section id="volgen".*?</section>', page, re.S)
    assert found is not None, page
    return found.group(0)


def checked(section: str) -> str:
    found = re.findall(
        r'<input type="radio" name="level" id="[^"]+" value="(\w+)" checked>', section
    )
    assert len(found) == 1, section
    return found[0]


def test_the_thread_page_shows_the_level_and_why_and_changes_it(app: Flask) -> None:
    author, member = make_member(), make_member()
    thread = make_thread(author)
    reply(member, thread.id, "Ik doe mee.")
    client = client_for(app, member)
    section = watch_section(client.get(f"/community/onderwerp/{thread.id}").text)
    assert "<strong>Meelezen</strong>, omdat u hier een bericht plaatste." in section
    assert checked(section) == "tracking"
    for value in ("watching", "tracking", "normal", "muted"):
        assert f'<label for="volgen-{value}">' in section  # every choice has its label

    answer = client.post(f"/community/onderwerp/{thread.id}/volgen", data={"level": "muted"})
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/community/onderwerp/{thread.id}#volgen"
    page = client.get(f"/community/onderwerp/{thread.id}").text
    assert "U volgt dit onderwerp nu op niveau Negeren." in page
    section = watch_section(page)
    assert "<strong>Negeren</strong>, omdat u dat zelf koos." in section
    assert checked(section) == "muted"


def test_the_theme_page_shows_and_changes_the_themes_level(app: Flask) -> None:
    author, member = make_member(), make_member()
    thread = make_thread(author)
    client = client_for(app, member)
    section = watch_section(client.get("/community/thema/participatie").text)
    assert "<strong>Normaal</strong>, de standaard: u koos zelf niets." in section
    answer = client.post("/community/thema/participatie/volgen", data={"level": "watching"})
    assert answer.status_code == 302
    assert checked(watch_section(client.get("/community/thema/participatie").text)) == "watching"
    section = watch_section(client.get(f"/community/onderwerp/{thread.id}").text)
    assert "<strong>Volgen</strong>, zoals uw keuze voor het thema Participatie." in section


def test_a_wrong_level_changes_nothing(app: Flask) -> None:
    author, member = make_member(), make_member()
    thread = make_thread(author)
    client = client_for(app, member)
    for data in ({"level": "everything"}, {}):
        answer = client.post(f"/community/onderwerp/{thread.id}/volgen", data=data)
        assert answer.status_code == 302
        answer = client.post("/community/thema/participatie/volgen", data=data)
        assert answer.status_code == 302
    assert "Kies hoe u dit thema wilt volgen." in client.get("/community/thema/participatie").text
    assert thread_watch(member, thread.id) is None
    assert (
        client.post("/community/onderwerp/999/volgen", data={"level": "muted"}).status_code == 404
    )
    assert (
        client.post("/community/thema/bestaat-niet/volgen", data={"level": "muted"}).status_code
        == 404
    )


def unread_on_index(page: str) -> dict[str, str]:
    counts = re.findall(
        r'<h2><a href="/community/thema/([^"]+)">.*?(?:<strong>(\d+) onderwerp|</li>)', page, re.S
    )
    return dict(counts)


def test_muted_threads_and_themes_leave_the_unread_counts(app: Flask) -> None:
    author, reader = make_member(), make_member()
    participatie, onderwijs = theme(), make_theme("Onderwijs")
    muted = make_thread(author, in_theme=participatie, title="Niet voor mij")
    make_thread(author, in_theme=participatie, title="Wel voor mij")
    make_thread(author, in_theme=onderwijs, title="Onderwijsnieuws")
    client = client_for(app, reader)
    assert unread_on_index(client.get("/community/").text) == {
        "participatie": "2",
        "onderwijs": "1",
    }
    set_thread_level(reader, muted.id, M)
    set_theme_level(reader, onderwijs.id, M)
    assert unread_on_index(client.get("/community/").text) == {"participatie": "1", "onderwijs": ""}
    assert flags_per_thread(client.get("/community/thema/participatie").text) == {
        "Niet voor mij": ["genegeerd"],
        "Wel voor mij": ["nieuw"],
    }
    # A muted theme's threads are listed as muted too.
    assert flags_per_thread(client.get("/community/thema/onderwijs").text) == {
        "Onderwijsnieuws": ["genegeerd"]
    }


def flags_per_thread(listing: str) -> dict[str, list[str]]:
    """The flags after each thread's title in a theme's list."""
    rows = re.findall(r'<a href="/community/onderwerp/\d+">([^<]+)</a>(.*?)</h2>', listing, re.S)
    return {
        title: re.findall(r'class="community-flag[^"]*">([^<]+)<', rest) for title, rest in rows
    }


def test_a_member_who_leaves_keeps_no_say(app: Flask) -> None:
    member = make_member()
    thread = make_thread(make_member())
    client = client_for(app, member)
    with write_transaction() as session:
        session.execute(
            update(Member).where(Member.user_id == member.id).values(status=MemberStatus.SUSPENDED)
        )
    answer = client.post(f"/community/onderwerp/{thread.id}/volgen", data={"level": "muted"})
    assert answer.status_code == 403
    assert thread_watch(member, thread.id) is None

"""Silence (read, not write, until a date) and suspension (no login, every session ended),
each with a reason, lifted the same way; the member is e-mailed and notified each time."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import Flask

from kispub.community.models import MemberStatus, ModerationAction
from kispub.community.services.modlog import ModerationError
from kispub.community.services.posting import PostingError, edit_post, reply
from kispub.community.services.sanctions import (
    lift_silence,
    lift_suspension,
    silence_end,
    silence_member,
    suspend_member,
)
from tests.clock import freeze
from tests.community.discussion_helpers import client_for, make_thread, post_numbered
from tests.community.helpers import make_member, membership
from tests.community.moderation_helpers import Told, entries, moderator, told
from tests.factories import DEFAULT_PASSWORD

__all__ = ["told"]

NOW = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)  # a Thursday, 10:00 in Amsterdam


def test_a_silence_runs_through_the_chosen_day_in_amsterdam(app: Flask) -> None:
    assert silence_end(date(2026, 12, 12)) == datetime(2026, 12, 12, 23, 0, tzinfo=UTC)
    assert silence_end(date(2026, 7, 1)) == datetime(2026, 7, 1, 22, 0, tzinfo=UTC)  # summer


def test_a_silenced_member_reads_but_cannot_write_until_the_date(
    app: Flask, outbox, told: Told
) -> None:
    clock = freeze(app, NOW)
    member = make_member(name="Sam Stil", email="sam@example.org")
    thread = make_thread(make_member())
    own = reply(member, thread.id, "Eerder geschreven")
    mod = moderator(name="Mo Derator")
    silence_member(mod, member.id, date(2026, 12, 12), "Scheldwoorden")

    with pytest.raises(PostingError, match=r"schrijfverbod.*zaterdag 12 december 2026"):
        reply(member, thread.id, "Toch nog iets")
    with pytest.raises(PostingError, match="schrijfverbod"):
        edit_post(member, own.id, "Aangepast")
    client = client_for(app, member)
    page = client.get(f"/community/onderwerp/{thread.id}")
    assert page.status_code == 200 and "Eerder geschreven" in page.text  # reading goes on
    assert "schrijfverbod gegeven tot en met zaterdag 12 december 2026" in page.text
    assert "Plaats reactie" not in page.text

    [mail] = outbox()
    assert mail["To"] == "sam@example.org" and "schrijfverbod" in mail["Subject"]
    body = mail.get_content()
    assert "tot en met zaterdag 12 december 2026" in body and "Scheldwoorden" in body
    [entry] = entries()
    assert (entry.action, entry.actor_id, entry.subject_id, entry.target_kind.value) == (
        ModerationAction.MEMBER_SILENCED, mod.id, member.id, "member",
    )  # fmt: skip
    assert "Scheldwoorden" in entry.reason and "12 december" in entry.reason
    assert "Scheldwoorden" in told.to(member.id)[0]

    clock.advance(days=2, hours=14)  # Sunday 00:00 in Amsterdam: over
    assert reply(member, thread.id, "Weer terug").number == 3


def test_lifting_a_silence(app: Flask, outbox, told: Told) -> None:
    freeze(app, NOW)
    member, mod = make_member(), moderator()
    thread = make_thread(make_member())
    with pytest.raises(ModerationError, match="geen schrijfverbod"):
        lift_silence(mod, member.id, "Niets op te heffen")
    silence_member(mod, member.id, date(2027, 1, 31), "Afkoelen")
    lift_silence(mod, member.id, "Excuses aangeboden")
    assert membership(member).silenced_until is None
    assert reply(member, thread.id, "Dank u").number == 2
    assert [e.action for e in entries()] == [
        ModerationAction.MEMBER_SILENCED,
        ModerationAction.MEMBER_UNSILENCED,
    ]
    assert len(outbox()) == 2 and "opgeheven" in outbox()[1]["Subject"]
    assert len(told.to(member.id)) == 2


def test_silence_needs_a_date_ahead_and_not_staff_or_oneself(app: Flask) -> None:
    freeze(app, NOW)
    mod, member = moderator(), make_member()
    with pytest.raises(ModerationError, match="vanaf vandaag"):
        silence_member(mod, member.id, date(2026, 12, 9), "Gisteren")
    with pytest.raises(ModerationError):
        silence_member(mod, moderator().id, date(2026, 12, 31), "Een collega")
    with pytest.raises(ModerationError):
        silence_member(mod, mod.id, date(2026, 12, 31), "Mijzelf")
    with pytest.raises(ModerationError):
        silence_member(make_member(), member.id, date(2026, 12, 31), "Geen moderator")
    assert entries() == []


def test_suspending_ends_every_session_at_once_and_lifting_lets_them_back(
    app: Flask, outbox, told: Told
) -> None:
    member = make_member(name="Gert Geschorst", email="gert@example.org")
    laptop, phone = client_for(app, member), client_for(app, member)
    assert laptop.get("/community/").status_code == 200
    mod = moderator()
    staff = client_for(app, mod)
    missing = staff.post(f"/beheer/community/leden/{member.id}/schorsen", data={})
    assert missing.status_code == 400 and "Dit veld is verplicht" in missing.text
    answer = staff.post(
        f"/beheer/community/leden/{member.id}/schorsen", data={"suspend-reason": "Intimidatie"}
    )
    assert answer.status_code == 302

    for session in (laptop, phone):  # logged out everywhere, at the next request
        response = session.get("/community/")
        assert response.status_code == 302 and response.location.startswith("/inloggen")
    login = laptop.post("/inloggen", data={"email": member.email, "password": DEFAULT_PASSWORD})
    assert login.status_code != 302  # the right password, but the account is deactivated
    assert membership(member).status is MemberStatus.SUSPENDED
    assert membership(member).user.active is False
    [mail] = outbox()
    assert mail["To"] == "gert@example.org" and "geschorst" in mail["Subject"]
    assert "Intimidatie" in mail.get_content()
    assert "Intimidatie" in told.to(member.id)[0]

    with pytest.raises(ModerationError):
        suspend_member(mod, member.id, "Nog eens")
    lift_suspension(mod, member.id, "Gesprek gehad")
    assert membership(member).status is MemberStatus.APPROVED
    assert client_for(app, member).get("/community/").status_code == 200
    assert [e.action for e in entries()] == [
        ModerationAction.MEMBER_SUSPENDED,
        ModerationAction.MEMBER_UNSUSPENDED,
    ]
    assert "weer inloggen" in outbox()[1].get_content()


def test_the_member_pages_of_the_back_office(app: Flask) -> None:
    freeze(app, NOW)
    member = make_member(name="Fatima Voorbeeld")
    thread = make_thread(member)
    staff = client_for(app, moderator())
    found = staff.get("/beheer/community/leden?q=fatima").text
    assert f'href="/beheer/community/leden/{member.id}"' in found
    page = staff.get(f"/beheer/community/leden/{member.id}").text
    assert "Geef een schrijfverbod" in page and "Schors dit lid" in page
    url = f"/beheer/community/leden/{member.id}/schrijfverbod"
    past = staff.post(url, data={"silence-until": "2026-12-01", "silence-reason": "Te laat"})
    assert past.status_code == 400 and "Kies een datum vanaf vandaag" in past.text
    silenced = staff.post(url, data={"silence-until": "2026-12-20", "silence-reason": "Rust"})
    assert silenced.status_code == 302
    listing = staff.get("/beheer/community/leden").text
    assert "Fatima Voorbeeld" in listing and "Nu beperkt" in listing
    page = staff.get(f"/beheer/community/leden/{member.id}").text
    assert "Hef het schrijfverbod op" in page and "Schrijfverbod" in page and "Rust" in page
    # The history shows decisions about what they wrote too.
    post = post_numbered(thread.id, 1)
    staff.post(f"/beheer/community/bericht/{post.id}/verbergen", data={"post-reason": "Privé"})
    assert "Privé" in staff.get(f"/beheer/community/leden/{member.id}").text
    assert (
        client_for(app, make_member()).get(f"/beheer/community/leden/{member.id}").status_code
        == 403
    )

"""Deleting an account (AVG): threads stay whole, the person and their traces go."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from kispub.accounts.erasure import PostsChoice, erase_account_by_admin, erase_own_account
from kispub.accounts.models import AccountEvent, DataExport, Role, User
from kispub.accounts.services import AccountError
from kispub.ateliers.models import Registration, RegistrationStatus
from kispub.community.models import (
    Member,
    MemberStatus,
    Mention,
    Notification,
    Post,
    PostRevision,
    ReadState,
    SearchEntry,
    ThemeActivity,
    ThemeWatch,
    Thread,
    ThreadWatch,
)
from kispub.community.privacy import moderation_section
from kispub.community.search import search_posts
from kispub.community.services.posting import reply
from kispub.community.services.sanctions import lift_silence, silence_member
from kispub.core import clock
from kispub.core.outbox import OutboxMessage
from kispub.extensions import db
from tests.accounts.privacy_helpers import exports_of, give_data, request_export
from tests.ateliers.helpers import make_atelier, register
from tests.community.discussion_helpers import client_for
from tests.community.helpers import DEFAULT_PASSWORD, make_member

Outbox = Callable[[], list[EmailMessage]]
ANNA = "ANNA-7731"
BRAM = "BRAM-4410"


def _thread_shape(thread_id: int) -> tuple[object, ...]:
    """Everything that makes a thread whole: numbers, authors, counters."""
    db.session.expire_all()
    thread = db.session.get(Thread, thread_id)
    assert thread is not None
    posts = db.session.execute(
        select(Post.number, Post.author_id, Post.reply_to_number)
        .where(Post.thread_id == thread_id)
        .order_by(Post.number)
    ).all()
    activity = db.session.get(ThemeActivity, thread.theme_id)
    assert activity is not None
    return (
        thread.post_count,
        thread.author_id,
        thread.last_poster_id,
        thread.accepted_number,
        [tuple(row) for row in posts],
        (activity.thread_count, activity.post_count),
    )


def _rows(model: type, **where: object) -> int:
    statement = select(func.count()).select_from(model).filter_by(**where)
    return db.session.scalar(statement) or 0


def _erase_self(app: Flask, user: User, posts: str = "keep", password: str = DEFAULT_PASSWORD):
    client = client_for(app, user)
    return client, client.post("/account/verwijderen", data={"password": password, "posts": posts})


def test_keeping_posts_keeps_threads_whole_under_voormalig_lid(app: Flask, outbox: Outbox) -> None:
    anna = make_member(name="Anna de Vries", email="anna@example.org", organisation="Gemeente A")
    bram = make_member(name="Bram Bakker", email="bram@example.org")
    story = give_data(anna, bram, marker=ANNA, other_marker=BRAM)
    handle = db.session.get(Member, anna.id).handle  # type: ignore[union-attr]
    naming = reply(bram, story.thread.id, f"Goed punt, @{handle}!")
    assert f"/community/leden/{handle}" in naming.html
    bram_client = client_for(app, bram)
    bram_client.get(f"/community/onderwerp/{story.thread.id}")
    shape = _thread_shape(story.thread.id)
    anna_client = client_for(app, anna)
    anna_client.get(f"/community/onderwerp/{story.thread.id}")  # a read position
    assert "Berichten blijven leesbaar" in anna_client.get("/account/verwijderen").text

    old_session, answer = _erase_self(app, anna)

    assert answer.status_code == 302
    assert _thread_shape(story.thread.id) == shape
    page = bram_client.get(f"/community/onderwerp/{story.thread.id}").text
    assert "Voormalig lid" in page and "Anna de Vries" not in page
    assert f"Tweede tekst {ANNA}" in page and f"Antwoord van de ander {BRAM}" in page
    assert f"/community/leden/{handle}" not in page  # bram's words stay, without the link
    assert f"Goed punt, @{handle}!" in page
    assert search_posts(ANNA, 1, 10).hits[0].author_name == "Voormalig lid"

    user = db.session.get(User, anna.id)
    assert user is not None
    assert (user.name, user.email, user.organisation) == (
        "Voormalig lid",
        f"verwijderd-{anna.id}@invalid",
        None,
    )
    assert user.password_hash is None and not user.active and user.erased_at is not None
    member = db.session.get(Member, anna.id)
    assert member is not None
    assert member.status is MemberStatus.ERASED
    assert member.handle == f"voormalig-lid-{anna.id}"
    assert (member.bio, member.avatar_key, member.field_role, member.themes) == ("", None, None, [])
    assert bram_client.get(f"/community/leden/{handle}").status_code == 404

    for model in (Notification, ReadState, ThemeWatch, ThreadWatch, Mention):
        assert _rows(model, user_id=anna.id) == 0, model
    assert _rows(ThemeWatch, user_id=bram.id) == 1
    (to_bram,) = db.session.scalars(select(Notification).where(Notification.user_id == bram.id))
    assert (to_bram.actor_id, to_bram.actor_name) == (None, "Voormalig lid")
    registrations = db.session.scalars(select(Registration.email)).all()
    assert registrations == ["bram@example.org"]
    addresses = db.session.scalars(select(func.lower(OutboxMessage.recipient))).all()
    assert "anna@example.org" not in addresses and "bram@example.org" in addresses

    assert old_session.get("/account").status_code == 302  # every session ended
    anna_client.post("/uitloggen")
    again = anna_client.post(
        "/inloggen", data={"email": "anna@example.org", "password": DEFAULT_PASSWORD}
    )
    assert again.status_code == 200 and "Onbekend e-mailadres" in again.text
    newcomer = make_member(email="Anna@Example.org", name="Anna opnieuw")
    assert newcomer.id != anna.id

    events = db.session.scalars(select(AccountEvent).where(AccountEvent.user_id == anna.id)).all()
    assert [(e.action, e.actor_id) for e in events] == [("erased", anna.id)]
    assert "anna" not in events[0].detail.lower() and "keep" in events[0].detail


def test_replacing_posts_removes_their_text_versions_and_search_entries(app: Flask) -> None:
    anna = make_member(name="Anna de Vries")
    bram = make_member(name="Bram Bakker")
    story = give_data(anna, bram, marker=ANNA, other_marker=BRAM)
    shape = _thread_shape(story.thread.id)

    _client, answer = _erase_self(app, anna, posts="replace")

    assert answer.status_code == 302
    assert _thread_shape(story.thread.id) == shape
    bodies = dict(
        db.session.execute(
            select(Post.number, Post.body).where(Post.thread_id == story.thread.id)
        ).all()
    )
    assert bodies == {1: "verwijderd", 2: f"Antwoord van de ander {BRAM}", 3: "verwijderd"}
    assert _rows(PostRevision) == 0
    assert search_posts(ANNA, 1, 10).hits == ()
    assert [hit.number for hit in search_posts(BRAM, 1, 10).hits] == [2]
    assert _rows(SearchEntry) == 1
    page = client_for(app, bram).get(f"/community/onderwerp/{story.thread.id}").text
    assert ANNA not in page.replace(f"Onderwerp {ANNA}", "")  # the title stays
    assert "verwijderd" in page


def test_a_wrong_password_erases_nothing(app: Flask) -> None:
    anna = make_member(email="anna@example.org")
    _client, answer = _erase_self(app, anna, password="niet mijn wachtwoord")
    assert answer.status_code == 200 and "Het wachtwoord klopt niet." in answer.text
    db.session.expire_all()
    user = db.session.get(User, anna.id)
    assert user is not None and user.email == "anna@example.org" and user.active


def test_an_admin_erases_an_account_on_request_with_a_reason_that_is_logged(app: Flask) -> None:
    admin = make_member(role=Role.ADMIN, name="Beheerder")
    anna = make_member(name="Anna de Vries", email="anna@example.org")
    client = client_for(app, admin)
    users = client.get("/beheer/gebruikers").text
    assert f"/beheer/gebruikers/{anna.id}/verwijderen" in users
    assert f"/beheer/gebruikers/{admin.id}/verwijderen" not in users
    url = f"/beheer/gebruikers/{anna.id}/verwijderen"
    assert "Account van Anna de Vries verwijderen" in client.get(url).text

    no_reason = client.post(url, data={"reason": "  ", "posts": "keep"})
    assert no_reason.status_code == 200 and "Dit veld is verplicht." in no_reason.text
    done = client.post(url, data={"reason": "Verzoek per e-mail van 3 maart", "posts": "replace"})

    assert done.status_code == 302
    (event,) = db.session.scalars(select(AccountEvent).where(AccountEvent.user_id == anna.id))
    assert (event.action, event.actor_id) == ("erased", admin.id)
    assert "Verzoek per e-mail van 3 maart" in event.detail and "replace" in event.detail
    assert "Verwijderd" in client.get("/beheer/gebruikers").text
    assert client.get(url).status_code == 404  # gone: nothing left to erase
    member_client = client_for(app, make_member())
    assert member_client.get(url).status_code == 403


def test_nobody_erases_themselves_through_the_admin_page_nor_the_last_admin(app: Flask) -> None:
    admin = make_member(role=Role.ADMIN)
    with pytest.raises(AccountError):
        erase_account_by_admin(admin, admin.id, "op verzoek", PostsChoice.KEEP)
    with pytest.raises(AccountError, match="enige beheerder"):
        erase_own_account(admin.id, DEFAULT_PASSWORD, PostsChoice.KEEP)
    other = make_member(role=Role.ADMIN)
    erase_own_account(admin.id, DEFAULT_PASSWORD, PostsChoice.KEEP)
    db.session.expire_all()
    assert db.session.get(User, admin.id).erased_at is not None  # type: ignore[union-attr]
    assert db.session.get(User, other.id).active  # type: ignore[union-attr]


def test_erasure_removes_the_persons_exports_and_frees_their_atelier_seat(
    app: Flask, outbox: Outbox
) -> None:
    anna = make_member(email="anna@example.org")
    request_export(client_for(app, anna))
    atelier = make_atelier(capacity=1)
    register(atelier, "Anna@Example.org")
    waiting = register(atelier, "wachtend@example.org")
    assert waiting.status is RegistrationStatus.WAITLISTED
    folder = app.config["DATA_EXPORT_DIR"]

    erase_own_account(anna.id, DEFAULT_PASSWORD, PostsChoice.KEEP)

    assert exports_of(anna) == [] and _rows(DataExport) == 0
    assert list(Path(folder).glob("*.zip")) == []
    db.session.expire_all()
    (left,) = db.session.scalars(select(Registration))
    assert left.email == "wachtend@example.org" and left.status is RegistrationStatus.REGISTERED
    assert any(
        "vrijgekomen" in str(m["Subject"]) and m["To"] == "wachtend@example.org" for m in outbox()
    )


def test_the_export_holds_the_moderation_decisions_about_the_member_only(app: Flask) -> None:
    moderator = make_member(role=Role.MODERATOR)
    member, other = make_member(), make_member()
    silence_member(moderator, member.id, (clock.now() + timedelta(days=3)).date(), "Scheldwoorden")
    lift_silence(moderator, member.id, "Excuses aangeboden")
    silence_member(moderator, other.id, (clock.now() + timedelta(days=3)).date(), "Iemand anders")

    entries = moderation_section(member)

    reasons = [entry["reden"] for entry in entries]
    assert len(reasons) == 2 and reasons[0].endswith(": Scheldwoorden")
    assert reasons[1] == "Excuses aangeboden"
    assert all(moderator.name not in str(entry) for entry in entries)  # the moderator unnamed

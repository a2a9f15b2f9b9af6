"""Membership rows every way in shares: handles, and which accounts are members at all."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from kispub.accounts.services import NewUser, create_user
from kispub.community.models import Member, MemberStatus
from kispub.community.services import members
from kispub.community.services.posting import reply
from kispub.core.database import write_transaction
from kispub.extensions import db
from tests.community.discussion_helpers import client_for, make_thread
from tests.community.helpers import make_member, membership

LONG_NAME = "Anna-Maria Christina van den Bergh-Oosterhuis"  # its slug is over 30 characters


def test_namesakes_with_long_names_get_distinct_handles(app: Flask) -> None:
    people = [make_member(name=LONG_NAME, email=f"anna{n}@example.org") for n in range(4)]

    handles = [membership(person).handle for person in people]
    assert len(set(handles)) == 4
    assert all(len(handle) <= members.HANDLE_MAX for handle in handles)
    assert all(members.HANDLE.fullmatch(handle) for handle in handles)


def test_an_account_not_made_by_staff_is_no_member(app: Flask) -> None:
    # The flag fails closed: code that forgets it makes an account, not an approved member.
    user = create_user(NewUser(email="zelf@example.org", name="Zelf Aangemeld"))

    assert db.session.get(Member, user.id) is None


def test_a_handle_taken_meanwhile_is_chosen_again(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = make_member(name="Sanne de Vries")
    real: Callable[[str], str] = members.new_handle
    answers = iter(["sanne-de-vries"])  # as if a namesake took it between choosing and storing
    monkeypatch.setattr(members, "new_handle", lambda name: next(answers, None) or real(name))

    second = make_member(name="Sanne de Vries")

    assert membership(first).handle == "sanne-de-vries"
    assert membership(second).handle == "sanne-de-vries-2"


def test_a_suspended_members_posts_show_their_name_without_profile_or_mention_links(
    app: Flask,
) -> None:
    author, reader = make_member(name="Karin Geschorst"), make_member(name="Lars Lezer")
    thread = make_thread(author, posts=1)
    with write_transaction():
        membership(author).status = MemberStatus.SUSPENDED
    reply(reader, thread.id, "Eens met @karin-geschorst.")

    page = client_for(app, reader).get(f"/community/onderwerp/{thread.id}").get_data(as_text=True)

    assert "Karin Geschorst" in page
    assert "/community/leden/karin-geschorst" not in page  # no link to a profile that is 404
    assert "@karin-geschorst" in page  # the mention stays as text

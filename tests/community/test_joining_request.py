"""Asking to join: an unverified account without a password, a confirmation link on which
the mailbox's owner chooses the password, pending or (trusted domain) approved; the same
answer for addresses with an account; throttles and double submits."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kispub.accounts.models import Role, User
from kispub.accounts.services import find_user_by_email, make_reset_token, set_password
from kispub.community.models import FieldRole, JoinedVia, MemberStatus
from kispub.community.services import joining
from kispub.community.services.domains import add_trusted_domain
from kispub.community.services.joining import AlreadyConfirmed, verify_address
from kispub.extensions import db
from tests.clock import freeze
from tests.community.helpers import DEFAULT_PASSWORD, make_member, make_person, membership
from tests.community.joining_helpers import (
    CHECK_MAIL,
    JOIN,
    actions,
    ask_to_join,
    can_log_in,
    confirm,
    mails_to,
    request_form,
    text,
    verify_link,
)


def test_a_request_makes_an_unverified_account_and_mails_a_confirmation_link(
    client: FlaskClient, outbox
) -> None:
    page = client.get(JOIN)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for label in ("Organisatie", "Uw rol in het veld", "Praktijkdeskundige", "Waarom wilt u"):
        assert label in html
    assert 'type="password"' not in html  # the password comes with the confirmed address
    response = ask_to_join(client, password=DEFAULT_PASSWORD, confirm=DEFAULT_PASSWORD)
    assert response.status_code == 302 and response.location == CHECK_MAIL
    assert "Kijk in uw mailbox" in client.get(CHECK_MAIL).get_data(as_text=True)
    user = find_user_by_email("noor@example.org")
    assert (
        user is not None and user.role is Role.MEMBER and user.organisation == "Vluchtelingenwerk"
    )
    member = membership(user)
    assert member.status is MemberStatus.UNVERIFIED and member.joined_via is JoinedVia.REQUEST
    assert member.field_role is FieldRole.PROFESSIONAL and "nieuwkomers" in member.motivation
    assert member.verified_at is None and member.approved_at is None
    [mail] = outbox()
    assert mail["To"] == "noor@example.org" and "Bevestig" in mail["Subject"]
    assert verify_link(mail).startswith("/community/lid-worden/bevestigen/")
    assert "kies een wachtwoord" in text(mail)
    # Nobody can log in to it yet, not even with a password sent along with the request.
    assert user.password_hash is None
    assert not can_log_in("noor@example.org", DEFAULT_PASSWORD, client)


def test_confirming_the_address_sets_the_password_and_makes_the_request_pending_once(
    app: Flask, client: FlaskClient, outbox
) -> None:
    ask_to_join(client)
    path = verify_link(outbox()[0])
    page = client.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Ja, dit is mijn e-mailadres" in html
    assert "noor@example.org" in html and html.count('autocomplete="new-password"') == 2
    user = find_user_by_email("noor@example.org")
    assert membership(user).status is MemberStatus.UNVERIFIED  # opening the link did nothing
    confirmed = confirm(client, path, "het gekozen wachtwoord")
    assert confirmed.status_code == 302
    assert confirmed.location == "/community/lid-worden/aanvraag-ontvangen"
    member = membership(user)
    assert member.status is MemberStatus.PENDING and member.verified_at is not None
    assert actions(user.id) == ["unverified", "verified", "pending"]
    # Logged in at once; outside the community until a moderator decides, which it says.
    waiting = client.get("/community/")
    assert waiting.status_code == 403 and "wacht op goedkeuring" in waiting.get_data(as_text=True)
    # The link works once: again (a double click, or later) it changes nothing, not even
    # the password.
    again = confirm(client, path, "een ander wachtwoord")
    assert again.status_code == 302 and again.location == confirmed.location
    assert client.get(path).status_code == 302
    assert actions(user.id) == ["unverified", "verified", "pending"]
    assert membership(user).status is MemberStatus.PENDING
    assert can_log_in("noor@example.org", "het gekozen wachtwoord", app.test_client())
    assert not can_log_in("noor@example.org", "een ander wachtwoord", app.test_client())
    assert len(outbox()) == 1  # nothing mailed on confirming


def test_the_confirmation_page_checks_the_password_before_confirming_anything(
    client: FlaskClient, outbox
) -> None:
    ask_to_join(client)
    path = verify_link(outbox()[0])
    for data in ({}, {"password": "kort", "confirm": "kort"},
                 {"password": DEFAULT_PASSWORD, "confirm": "iets anders"}):  # fmt: skip
        response = client.post(path, data=data)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert 'href="#password"' in html or 'href="#confirm"' in html  # linked errors
    assert "De wachtwoorden verschillen." in html
    user = find_user_by_email("noor@example.org")
    assert membership(user).status is MemberStatus.UNVERIFIED and user.password_hash is None


def test_asking_to_join_with_someone_elses_address_gives_the_asker_nothing(
    app: Flask, outbox
) -> None:
    # The attack: ask to join as the victim at a trusted domain (approved on confirming)
    # with a password of one's own, and wait for the victim to click the mail.
    add_trusted_domain(make_member(role=Role.ADMIN), "gemeente.nl", "Gemeenten")
    attacker = app.test_client()
    mine = "wachtwoord-van-de-aanvaller"
    ask_to_join(attacker, email="slachtoffer@gemeente.nl", password=mine, confirm=mine)
    assert not can_log_in("slachtoffer@gemeente.nl", mine, attacker)
    # An account made before passwords waited for the address had its maker's password,
    # and so perhaps their session: confirming ends both.
    user = find_user_by_email("slachtoffer@gemeente.nl")
    set_password(user, mine)
    assert can_log_in("slachtoffer@gemeente.nl", mine, attacker)
    assert attacker.get("/community/").status_code == 403  # logged in, unconfirmed
    victim = app.test_client()
    confirmed = confirm(victim, verify_link(outbox()[0]), "wachtwoord-van-het-slachtoffer")
    assert confirmed.location == "/community/"
    assert victim.get("/community/").status_code == 200  # the victim is in, logged in
    assert membership(user).is_approved
    assert attacker.get("/community/").status_code == 302  # logged out: to the login page
    for password in (mine, DEFAULT_PASSWORD):
        assert not can_log_in("slachtoffer@gemeente.nl", password, app.test_client())
    assert can_log_in("slachtoffer@gemeente.nl", "wachtwoord-van-het-slachtoffer", attacker)


def test_two_confirmations_at_once_confirm_once(app: Flask, outbox) -> None:
    add_trusted_domain(make_member(role=Role.ADMIN), "gemeente.nl", "Gemeenten")
    ask_to_join(app.test_client(), email="noor@gemeente.nl")
    token = verify_link(outbox()[0]).rsplit("/", 1)[1]
    outcomes: list[str] = []

    def confirm_in_a_thread(n: int) -> None:
        with app.app_context():
            try:
                verify_address(token, f"wachtwoord nummer {n}")
            except AlreadyConfirmed:
                outcomes.append("already")
            else:
                outcomes.append(f"confirmed {n}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=confirm_in_a_thread, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    [winner] = [outcome for outcome in outcomes if outcome.startswith("confirmed")]
    assert sorted(outcomes) == sorted([winner] + ["already"] * 5)
    user = find_user_by_email("noor@gemeente.nl")
    assert actions(user.id) == ["unverified", "verified", "approved"]
    password = f"wachtwoord nummer {winner.split()[-1]}"  # the winner's, nobody else's
    assert can_log_in("noor@gemeente.nl", password, app.test_client())


@pytest.mark.parametrize(
    ("email", "approved"),
    [
        ("Noor@Gemeente.NL", True),
        ("noor@afdeling.gemeente.nl", False),  # a sub-domain is someone else's to run
        ("noor@gemeente.nl.example.org", False),
        ("noor@nepgemeente.nl", False),
    ],
)
def test_a_confirmed_address_at_a_trusted_domain_is_approved_at_once(
    client: FlaskClient, outbox, email: str, approved: bool
) -> None:
    add_trusted_domain(make_member(role=Role.ADMIN), "gemeente.nl", "Gemeenten")
    ask_to_join(client, email=email)
    response = confirm(client, verify_link(outbox()[0]))
    member = membership(find_user_by_email(email))
    if approved:
        assert response.location == "/community/"
        assert client.get("/community/").status_code == 200  # logged in, and in
        assert member.status is MemberStatus.APPROVED and member.approved_at is not None
        assert member.decided_by_id is None  # no moderator: the domain did it
        assert actions(member.user_id) == ["unverified", "verified", "approved"]
        assert "gemeente.nl" in membership(member.user).user.email
    else:
        assert response.location == "/community/lid-worden/aanvraag-ontvangen"
        assert member.status is MemberStatus.PENDING


def test_an_address_with_an_account_gets_the_same_answer_and_its_owner_a_mail(
    client: FlaskClient, outbox
) -> None:
    anna = make_member(email="anna@example.org", name="Anna")
    response = ask_to_join(client, email="Anna@Example.org", name="Iemand Anders")
    assert response.status_code == 302 and response.location == CHECK_MAIL
    assert find_user_by_email("anna@example.org").name == "Anna"  # nothing changed
    assert membership(anna).status is MemberStatus.APPROVED
    [mail] = outbox()
    assert mail["To"] == "anna@example.org" and "al een account" in mail["Subject"]
    body = text(mail)
    assert "https://kis.example/inloggen" in body
    assert "https://kis.example/wachtwoord-vergeten" in body
    assert "/bevestigen/" not in body


def test_an_address_taken_at_the_same_moment_gets_the_same_answer_and_its_owner_a_mail(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, outbox
) -> None:
    # The address gets an account between the check and the insert (a concurrent request).
    make_member(email="anna@example.org", name="Anna")
    real = joining.find_user_by_email
    looked: list[str] = []

    def too_early_once(email: str) -> User | None:
        looked.append(email)
        return None if len(looked) == 1 else real(email)

    monkeypatch.setattr(joining, "find_user_by_email", too_early_once)
    response = ask_to_join(client, email="anna@example.org", name="Iemand Anders")
    assert response.status_code == 302 and response.location == CHECK_MAIL
    assert find_user_by_email("anna@example.org").name == "Anna"
    [mail] = outbox()
    assert mail["To"] == "anna@example.org" and "al een account" in mail["Subject"]


def test_asking_again_before_confirming_mails_a_new_link(
    app: Flask, client: FlaskClient, outbox
) -> None:
    clock = freeze(app, datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    ask_to_join(client)
    first = verify_link(outbox()[0])
    clock.advance(hours=49)  # the first link has expired
    expired = client.get(first)
    assert expired.status_code == 400 and "verlopen" in expired.get_data(as_text=True)
    assert ask_to_join(client, ip="192.0.2.2").location == CHECK_MAIL
    second = verify_link(outbox()[-1])
    assert second != first
    assert confirm(client, second).status_code == 302
    assert membership(find_user_by_email("noor@example.org")).status is MemberStatus.PENDING


@pytest.mark.parametrize("status", [MemberStatus.DECLINED, MemberStatus.PENDING])
def test_asking_again_never_moves_a_membership_on(
    client: FlaskClient, outbox, status: MemberStatus
) -> None:
    person = make_person(status, email="piet@example.org")
    assert ask_to_join(client, email="piet@example.org").location == CHECK_MAIL
    assert membership(person).status is status
    [mail] = mails_to(outbox(), "piet@example.org")
    assert "al een account" in mail["Subject"]


def test_a_confirmation_link_must_be_whole_and_signed_for_confirming(
    client: FlaskClient, outbox
) -> None:
    ask_to_join(client)
    path = verify_link(outbox()[0])
    user = find_user_by_email("noor@example.org")
    # Another signed token of the site (a password reset link) is not a confirmation link.
    for bad in (
        path[:-3],
        path + "x",
        f"/community/lid-worden/bevestigen/{make_reset_token(user)}",
    ):
        response = confirm(client, bad)
        assert response.status_code == 400 and "ongeldig" in response.get_data(as_text=True)
    assert membership(user).status is MemberStatus.UNVERIFIED


def test_what_a_request_sends_beyond_the_form_is_ignored(client: FlaskClient, outbox) -> None:
    # Trying to skip steps: a role, a status, a trusted flag in the POST change nothing.
    ask_to_join(client, role="admin", status="approved", made_by_staff="1", verified_at="now")
    user = find_user_by_email("noor@example.org")
    assert user.role is Role.MEMBER
    assert membership(user).status is MemberStatus.UNVERIFIED


def test_a_form_with_errors_creates_nothing_and_links_its_errors(
    client: FlaskClient, outbox
) -> None:
    response = ask_to_join(client, name="", email="geen-adres", field_role="admin", motivation="")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'href="#name"' in html and 'aria-describedby="field_role-error"' in html
    assert find_user_by_email("geen-adres") is None and outbox() == []


def test_a_double_submit_makes_one_account_and_one_mail(client: FlaskClient, outbox) -> None:
    form = request_form()
    first = client.post(JOIN, data=form)
    second = client.post(JOIN, data=form)
    assert first.location == second.location == CHECK_MAIL
    assert len(outbox()) == 1
    assert actions(find_user_by_email("noor@example.org").id) == ["unverified"]


def test_requests_are_throttled_per_ip_and_per_address(app: Flask, outbox) -> None:
    # Per IP: every POST counts (here: incomplete forms, which mail nothing).
    client = app.test_client()
    statuses = [ask_to_join(client, ip="203.0.113.9", name="").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    # Per address, across IP addresses: only requests that went through count.
    spread = [ask_to_join(client, ip=f"198.51.100.{n}").status_code for n in range(4)]
    assert spread == [302, 302, 302, 429]
    assert 1 <= len(mails_to(outbox(), "noor@example.org")) <= 3
    assert ask_to_join(client, ip="198.51.100.9", email="bert@example.org").status_code == 302


def test_people_who_are_logged_in_go_to_the_community(
    client: FlaskClient, login_as: Callable
) -> None:
    login_as(make_member())
    response = client.get(JOIN)
    assert response.status_code == 302 and response.location == "/community/"

"""Admins manage accounts: change the role, suspend, reactivate, resend an invitation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from kispub.accounts import administration
from kispub.accounts.models import AccountEvent, Role, User
from kispub.accounts.services import AccountError, NewUser, find_user_by_email, invite_user
from kispub.community.models import EmailMode
from kispub.extensions import db
from tests.clock import freeze
from tests.community.discussion_helpers import make_thread, theme
from tests.community.mail_helpers import member_with_mode, notifications_by_hand  # noqa: F401
from tests.community.test_digest import MIDWEEK, MONDAY_EIGHT, run_digest_job
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.second_factor import CODE_PAGE, complete_second_step

Outbox = Callable[[], list[EmailMessage]]
SUSPENDED = "Uw account is geschorst."
UNKNOWN = "Onbekend e-mailadres of onjuist wachtwoord."
ADMIN_ACTIONS = ("role-changed", "suspended", "reactivated", "invitation-resent")


def _login(client: FlaskClient, email: str, password: str = DEFAULT_PASSWORD):
    response = client.post("/inloggen", data={"email": email, "password": password})
    if response.headers.get("Location") == CODE_PAGE:
        user = find_user_by_email(email)
        assert user is not None
        response = complete_second_step(client, user)
    return response


def _events(user: User) -> list[tuple[str, int | None, str]]:
    statement = select(AccountEvent).where(
        AccountEvent.user_id == user.id, AccountEvent.action.in_(ADMIN_ACTIONS)
    )
    return [(e.action, e.actor_id, e.detail) for e in db.session.scalars(statement)]


def _fresh(user: User) -> User:
    db.session.expire_all()
    found = db.session.get(User, user.id)
    assert found is not None
    return found


@pytest.fixture
def admin(login_as: Callable[..., User]) -> User:
    return login_as(role=Role.ADMIN, name="Anna Admin")


# -- role -----------------------------------------------------------------------------------


def test_an_admin_changes_a_role_on_its_own_page_and_it_is_logged(
    client: FlaskClient, admin: User
) -> None:
    person = make_user(name="Piet")
    page = client.get(f"/beheer/gebruikers/{person.id}/rol")
    assert page.status_code == 200 and "Rol van Piet wijzigen" in page.text
    assert _fresh(person).role is Role.MEMBER  # looking changes nothing
    response = client.post(f"/beheer/gebruikers/{person.id}/rol", data={"role": "editor"})
    assert response.status_code == 302
    assert _fresh(person).role is Role.EDITOR
    assert _events(person) == [("role-changed", admin.id, "member -> editor")]
    assert "Piet is nu Redacteur." in client.get("/beheer/gebruikers").text


def test_a_new_role_ends_the_persons_sessions(app: Flask, admin: User) -> None:
    person = make_user(role=Role.EDITOR)
    theirs = app.test_client()
    assert _login(theirs, person.email).status_code == 302
    assert theirs.get("/beheer/podcast/").status_code == 200
    administration.change_role(person.id, Role.MEMBER, admin)
    assert theirs.get("/beheer/podcast/").status_code == 302  # to the login page


def test_an_admin_cannot_demote_themselves(client: FlaskClient, admin: User) -> None:
    response = client.post(f"/beheer/gebruikers/{admin.id}/rol", data={"role": "member"})
    assert response.status_code == 400
    assert "Een andere beheerder kan uw rol wijzigen." in response.text
    assert _fresh(admin).role is Role.ADMIN and _events(admin) == []


def test_the_last_admin_is_never_demoted_or_suspended(app: Flask) -> None:
    only = make_user(role=Role.ADMIN)
    other = make_user(role=Role.EDITOR)  # not an admin, e.g. through a mistaken call
    with pytest.raises(AccountError, match="laatste beheerder"):
        administration.change_role(only.id, Role.EDITOR, other)
    with pytest.raises(AccountError, match="laatste beheerder"):
        administration.suspend(only.id, other)
    second = make_user(role=Role.ADMIN)
    administration.change_role(only.id, Role.EDITOR, second)  # another admin remains
    assert _fresh(only).role is Role.EDITOR


def test_an_unchanged_role_is_refused(client: FlaskClient, admin: User) -> None:
    person = make_user(role=Role.MODERATOR)
    response = client.post(f"/beheer/gebruikers/{person.id}/rol", data={"role": "moderator"})
    assert response.status_code == 400 and _events(person) == []


# -- suspension -----------------------------------------------------------------------------


def test_a_suspended_account_is_logged_out_at_once_and_cannot_log_in(
    app: Flask, client: FlaskClient, admin: User
) -> None:
    person = make_user(name="Piet", email="piet@example.org")
    theirs = app.test_client()
    assert _login(theirs, person.email).status_code == 302
    assert theirs.get("/account").status_code == 200
    page = client.get(f"/beheer/gebruikers/{person.id}/schorsen")
    assert "Account van Piet schorsen" in page.text
    response = client.post(
        f"/beheer/gebruikers/{person.id}/schorsen", data={"reason": "Spam in de community"}
    )
    assert response.status_code == 302
    assert theirs.get("/account").status_code == 302  # the session ended
    assert _events(person) == [("suspended", admin.id, "Spam in de community")]
    refused = _login(app.test_client(), person.email)
    assert refused.status_code == 200 and SUSPENDED in refused.text


def test_a_wrong_password_for_a_suspended_account_says_nothing_about_it(
    app: Flask, admin: User
) -> None:
    person = make_user(email="piet@example.org")
    administration.suspend(person.id, admin)
    wrong = _login(app.test_client(), person.email, "niet het wachtwoord")
    unknown = _login(app.test_client(), "niemand@example.org", "niet het wachtwoord")
    assert UNKNOWN in wrong.text and SUSPENDED not in wrong.text
    assert wrong.text.replace(person.email, "X") == unknown.text.replace("niemand@example.org", "X")


def test_an_admin_cannot_suspend_themselves(client: FlaskClient, admin: User) -> None:
    response = client.post(f"/beheer/gebruikers/{admin.id}/schorsen", data={})
    assert response.status_code == 400
    assert "U kunt uw eigen account niet schorsen." in response.text
    assert _fresh(admin).active


def test_reactivating_lets_the_person_log_in_again(
    app: Flask, client: FlaskClient, admin: User
) -> None:
    person = make_user(name="Piet")
    administration.suspend(person.id, admin)
    assert (
        "Account van Piet heractiveren"
        in client.get(f"/beheer/gebruikers/{person.id}/heractiveren").text
    )
    assert client.post(f"/beheer/gebruikers/{person.id}/heractiveren").status_code == 302
    assert _fresh(person).active
    assert [action for action, *_ in _events(person)] == ["suspended", "reactivated"]
    assert _login(app.test_client(), person.email).status_code == 302
    again = client.post(f"/beheer/gebruikers/{person.id}/heractiveren")
    assert again.status_code == 400 and "niet geschorst" in again.text


@pytest.mark.usefixtures("notifications_by_hand")
def test_a_suspended_member_gets_no_digest(app: Flask, outbox: Outbox) -> None:
    frozen = freeze(app, MIDWEEK)
    admin = make_user(role=Role.ADMIN)
    kept = member_with_mode(EmailMode.WEEKLY)
    suspended = member_with_mode(EmailMode.WEEKLY)
    make_thread(make_user(), title="Iets nieuws", in_theme=theme("Onderwijs"))
    administration.suspend(suspended.id, admin)
    run_digest_job(app, frozen, MONDAY_EIGHT + timedelta(minutes=1))
    recipients = [m["To"] for m in outbox()]
    assert kept.email in recipients and suspended.email not in recipients


# -- invitations ----------------------------------------------------------------------------


def test_an_invitation_can_be_sent_again_each_time_with_a_working_link(
    app: Flask, client: FlaskClient, admin: User, outbox: Outbox
) -> None:
    with app.test_request_context():
        sem = invite_user(NewUser("sem@example.org", "Sem", made_by_staff=True))
    assert len(outbox()) == 1
    page = client.get(f"/beheer/gebruikers/{sem.id}/uitnodiging")
    assert "Uitnodiging voor Sem opnieuw versturen" in page.text and len(outbox()) == 1
    for _ in range(2):
        assert client.post(f"/beheer/gebruikers/{sem.id}/uitnodiging").status_code == 302
    messages = outbox()
    assert [m["To"] for m in messages] == ["sem@example.org"] * 3
    assert [a for a, *_ in _events(sem)] == ["invitation-resent", "invitation-resent"]
    body = messages[-1].get_body().get_content()  # type: ignore[union-attr]
    link = next(line for line in body.splitlines() if "/wachtwoord-instellen/" in line)
    visitor = app.test_client()
    path = link.replace("https://kis.example", "")
    set_password = visitor.post(
        path, data={"password": "een lang nieuw wachtwoord", "confirm": "een lang nieuw wachtwoord"}
    )
    assert set_password.status_code == 302
    refused = client.post(f"/beheer/gebruikers/{sem.id}/uitnodiging")
    assert refused.status_code == 400 and "al een wachtwoord gekozen" in refused.text


# -- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["rol", "schorsen", "heractiveren", "uitnodiging"])
def test_only_admins_reach_the_pages(
    client: FlaskClient, login_as: Callable[..., User], action: str
) -> None:
    person = make_user()
    assert client.get(f"/beheer/gebruikers/{person.id}/{action}").status_code == 302
    login_as(role=Role.EDITOR)
    assert client.get(f"/beheer/gebruikers/{person.id}/{action}").status_code == 403
    assert client.post(f"/beheer/gebruikers/{person.id}/{action}").status_code == 403


def test_the_forms_need_their_csrf_token(app: Flask, client: FlaskClient, admin: User) -> None:
    person = make_user()
    app.config["WTF_CSRF_ENABLED"] = True  # after logging in: the login form had none
    for action in ("rol", "schorsen", "uitnodiging"):
        response = client.post(f"/beheer/gebruikers/{person.id}/{action}", data={"role": "admin"})
        assert response.status_code == 400
    assert _fresh(person).active and _fresh(person).role is Role.MEMBER
    assert _events(person) == []


def test_an_erased_or_missing_account_is_404(client: FlaskClient, admin: User) -> None:
    assert client.get("/beheer/gebruikers/9999/rol").status_code == 404
